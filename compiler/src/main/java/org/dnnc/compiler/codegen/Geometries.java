package org.dnnc.compiler.codegen;

import static javax.lang.model.element.Modifier.FINAL;
import static javax.lang.model.element.Modifier.PRIVATE;
import static javax.lang.model.element.Modifier.STATIC;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dnnc.compiler.ir.Conv2d;
import org.dnnc.compiler.ir.Pool2d;
import org.dnnc.compiler.ir.AttentionDecoder;
import org.dnnc.compiler.ir.Recurrent;
import org.dnnc.compiler.ir.TensorType;

/**
 * The constant shapes of the network's convolutions, poolings and recurrent layers, one {@code
 * static final} field each, shared by every program that runs the same layer shape (a training step's forward and
 * backward, evaluation, prediction). Kernels read the fields and allocate nothing.
 */
public final class Geometries {
    private final Map<String, String> byArgs = new LinkedHashMap<>();
    private final Set<String> names = new HashSet<>();
    private final List<FieldSpec> fields = new ArrayList<>();
    private boolean convolutions;

    /** The field of a convolution of x {@code [N,C,H,W]} with w {@code [O,C,kh,kw]}. */
    public String conv(Conv2d c, TensorType x, TensorType w, String layer) {
        String args = x.dim(1).bound() + ", " + x.dim(2).bound() + ", " + x.dim(3).bound() + ", " + w.dim(0).bound()
                + ", " + w.dim(2).bound() + ", " + w.dim(3).bound() + ", " + c.strideH() + ", " + c.strideW() + ", "
                + c.padTop() + ", " + c.padLeft() + ", " + c.padBottom() + ", " + c.padRight();
        convolutions = true;
        return field(RuntimeNames.CONV_GEOMETRY, CodeBlock.of("$L", args), "CONV_", layer);
    }

    /** The field of a pooling of x {@code [N,C,H,W]}. */
    public String pool(Pool2d p, TensorType x, String layer) {
        String args = x.dim(1).bound() + ", " + x.dim(2).bound() + ", " + x.dim(3).bound() + ", " + p.kernelH() + ", "
                + p.kernelW() + ", " + p.strideH() + ", " + p.strideW() + ", " + p.padH() + ", " + p.padW();
        convolutions = true;
        return field(RuntimeNames.POOL_GEOMETRY, CodeBlock.of("$L", args), "POOL_", layer);
    }

    /** The field of a recurrent layer (one direction) over x {@code [N,T,I]}. */
    String recurrent(Recurrent r, TensorType x, String layer) {
        CodeBlock args = CodeBlock.of("$T.$L, $L, $L, $L, $L, $L", RuntimeNames.RECURRENT_CELL, r.cell().name(),
                x.dim(1).bound(), x.dim(2).bound(), r.hidden(), r.reverse(), r.returnSequences());
        return field(RuntimeNames.RECURRENT_GEOMETRY, args, r.reverse() ? "REVERSE_" : "RECURRENT_", layer);
    }

    /**
     * The field of an attention of queries {@code [N,Dq]} or {@code [N,Tq,Dq]} over values {@code
     * [N,T,Dv]}.
     */
    String attention(int units, TensorType query, TensorType values, String layer) {
        int queries = query.rank() == 3 ? query.dim(1).bound() : 1;
        CodeBlock args = CodeBlock.of("$L, $L, $L, $L, $L", queries, values.dim(1).bound(), query.dim(-1).bound(),
                values.dim(2).bound(), units);
        return field(RuntimeNames.ATTENTION_GEOMETRY, args, "ATTENTION_", layer);
    }

    /** The field of an attention decoder over inputs {@code [N,S,E]} and values {@code [N,T,Dv]}. */
    String decoder(AttentionDecoder d, TensorType x, TensorType values, String layer) {
        CodeBlock args = CodeBlock.of("$L, $L, $L, $L, $L, $L", x.dim(1).bound(), x.dim(2).bound(), d.hidden(),
                values.dim(1).bound(), values.dim(2).bound(), d.units());
        return field(RuntimeNames.DECODER_GEOMETRY, args, "DECODER_", layer);
    }

    /** Whether any convolution or pooling asked for its field, which changes how threads are used. */
    boolean hasConvolutions() {
        return convolutions;
    }

    List<FieldSpec> fieldSpecs() {
        return List.copyOf(fields);
    }

    private String field(ClassName type, CodeBlock args, String prefix, String layer) {
        String key = type.simpleName() + "(" + args + ")";
        String existing = byArgs.get(key);
        if (existing != null) {
            return existing;
        }
        String base = prefix + JavaNames.identifier(layer.isEmpty() ? "layer" : layer).toUpperCase(java.util.Locale.ROOT);
        String name = base;
        for (int i = 2; names.contains(name); i++) {
            name = base + "_" + i;
        }
        byArgs.put(key, name);
        names.add(name);
        fields.add(FieldSpec.builder(type, name, PRIVATE, STATIC, FINAL)
                .initializer("new $T($L)", type, args).build());
        return name;
    }
}
