package org.dnnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.TensorType;

/**
 * Element counts as Java expressions: shapes are constants in the generated code except the batch,
 * which is the step's {@code n}. Sequence lengths are planned at their bound.
 */
public final class Sizes {
    private Sizes() {}

    /** Every element: {@code n * 784}, or a constant when there is no batch axis. */
    public static CodeBlock count(TensorType t) {
        return product(t, t.rank());
    }

    /** Rows of the matrix view [rows, last axis]: every axis but the last. */
    public static CodeBlock rows(TensorType t) {
        return product(t, t.rank() - 1);
    }

    public static int last(TensorType t) {
        return t.dim(-1).bound();
    }

    /** The largest count, with the batch at {@code batch}: what the planner reserved. */
    static int maxCount(TensorType t, int batch) {
        long c = 1;
        for (Dim d : t.dims()) {
            c *= d instanceof Dim.Batch ? batch : d.bound();
        }
        return Math.toIntExact(c);
    }

    /** The per-example shape as Java int literals, e.g. {@code 1, 28, 28}. */
    static int[] perExample(TensorType t) {
        return t.dims().stream().filter(d -> !(d instanceof Dim.Batch)).mapToInt(Dim::bound).toArray();
    }

    /** Elements per example and channel of a feature map {@code [N, C, ...]}: the product of the axes after C. */
    public static int spatial(TensorType t) {
        int s = 1;
        for (int i = 2; i < t.rank(); i++) {
            s *= t.dim(i).bound();
        }
        return s;
    }

    /** Elements from {@code axis} on, per index of the axes before it. */
    public static int inner(TensorType t, int axis) {
        int s = 1;
        for (int i = axis; i < t.rank(); i++) {
            s *= t.dim(i).bound();
        }
        return s;
    }

    /** The product of the axes before {@code axis}, as an expression in the batch {@code n}. */
    static CodeBlock outer(TensorType t, int axis) {
        return product(t, axis);
    }

    private static CodeBlock product(TensorType t, int axes) {
        boolean batch = false;
        long fixed = 1;
        for (int i = 0; i < axes; i++) {
            Dim d = t.dims().get(i);
            if (d instanceof Dim.Batch) {
                batch = true;
            } else {
                fixed *= d.bound();
            }
        }
        if (!batch) {
            return CodeBlock.of("$L", fixed);
        }
        return fixed == 1 ? CodeBlock.of("n") : CodeBlock.of("n * $L", fixed);
    }
}
