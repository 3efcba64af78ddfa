package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Map;

/**
 * The checks shared by the typing rules of ops. Each failure names the op first, so that every
 * message reads {@code op: what is wrong (the types involved)}.
 */
final class Checks {

    private Checks() {}

    static IrTypeException fail(Op op, String message) {
        return new IrTypeException(op.mnemonic() + ": " + message);
    }

    static void arity(Op op, List<TensorType> operands) throws IrTypeException {
        int count = operands.size();
        int arity = op.arity();
        if (arity == Op.VARIADIC) {
            if (count < 2) {
                throw fail(op, "expects at least 2 operands, got " + count);
            }
        } else if (count != arity) {
            String expected = arity == 0 ? "no operands" : arity == 1 ? "1 operand" : arity + " operands";
            throw fail(op, "expects " + expected + ", got " + count);
        }
    }

    static void dtype(Op op, String role, TensorType type, DType expected) throws IrTypeException {
        if (type.dtype() != expected) {
            throw fail(op, role + " must be " + expected.mnemonic() + ", got " + type);
        }
    }

    static void f32(Op op, String role, TensorType type) throws IrTypeException {
        dtype(op, role, type, DType.F32);
    }

    /** Checks the rank; {@code layout} shows the expected dimensions, such as {@code [N,C,H,W]}. */
    static void rank(Op op, String role, TensorType type, int rank, String layout) throws IrTypeException {
        if (type.rank() != rank) {
            throw fail(op, role + " must have rank " + rank + " " + layout + ", got " + type);
        }
    }

    static void minRank(Op op, String role, TensorType type, int rank) throws IrTypeException {
        if (type.rank() < rank) {
            throw fail(op, role + " must have rank " + rank + " or more, got " + type);
        }
    }

    static void batchFirst(Op op, String role, TensorType type) throws IrTypeException {
        if (!type.hasBatch()) {
            throw fail(op, role + " must start with the batch dimension N, got " + type);
        }
    }

    /** The size of a dimension that must be fixed; {@code what} names it, e.g. "input height". */
    static int fixed(Op op, String what, TensorType type, int axis) throws IrTypeException {
        if (type.dim(axis) instanceof Dim.Fixed fixed) {
            return fixed.size();
        }
        throw fail(op, what + " must be a fixed size, got " + type.dim(axis) + " (" + type + ")");
    }

    /** Weights have no batch and no variable dimensions. */
    static void allFixed(Op op, String role, TensorType type) throws IrTypeException {
        for (Dim d : type.dims()) {
            if (!(d instanceof Dim.Fixed)) {
                throw fail(op, role + " must have fixed sizes only, got " + type);
            }
        }
    }

    /** Every fixed size and every variable's maximum must be positive. */
    static TensorType positive(Op op, TensorType type) throws IrTypeException {
        for (int axis = 0; axis < type.rank(); axis++) {
            Dim d = type.dims().get(axis);
            if (d instanceof Dim.Fixed fixed && fixed.size() <= 0) {
                throw fail(op, "dimension " + axis + " of " + type + " is " + fixed.size() + "; sizes must be positive");
            }
            if (d instanceof Dim.Var var && var.max() <= 0) {
                throw fail(op, "variable dimension " + var.name() + " of " + type + " has maximum " + var.max()
                        + "; it must be positive");
            }
        }
        return type;
    }

    /** Resolves a possibly negative axis against the rank of {@code type}. */
    static int axis(Op op, int axis, TensorType type) throws IrTypeException {
        int rank = type.rank();
        if (axis < -rank || axis >= rank) {
            throw fail(op, "axis " + axis + " is out of range for " + type + " (rank " + rank + ")");
        }
        return axis < 0 ? axis + rank : axis;
    }

    static void sameType(Op op, TensorType left, TensorType right) throws IrTypeException {
        if (left.dtype() != right.dtype()) {
            throw fail(op, "element types differ: " + left + " vs " + right);
        }
        if (!left.dims().equals(right.dims())) {
            throw fail(op, "shapes differ: " + left + " vs " + right);
        }
    }

    /** For parameters whose whole type follows from the op, e.g. a bias of {@code f32[C]}. */
    static void expect(Op op, String role, TensorType actual, TensorType expected) throws IrTypeException {
        if (!actual.equals(expected)) {
            throw fail(op, role + " should be " + expected + ", got " + actual);
        }
    }

    static void positiveAttr(Op op, String what, int value) throws IrTypeException {
        if (value <= 0) {
            throw fail(op, what + " must be positive, got " + value);
        }
    }

    /** Written so that NaN fails too. */
    static void positiveNumber(Op op, String what, double value) throws IrTypeException {
        if (!(value > 0 && value < Double.POSITIVE_INFINITY)) {
            throw fail(op, what + " must be positive, got " + value);
        }
    }

    static void finite(Op op, String what, double value) throws IrTypeException {
        if (!Double.isFinite(value)) {
            throw fail(op, what + " must be a finite number, got " + value);
        }
    }

    /** Multiplies sizes, failing instead of overflowing {@code int}. */
    static int product(Op op, TensorType type, List<Dim> dims) throws IrTypeException {
        long product = 1;
        for (Dim d : dims) {
            product *= d.bound();
            if (product > Integer.MAX_VALUE) {
                throw fail(op, "too many elements per example in " + type);
            }
        }
        return (int) product;
    }

    /**
     * The output size of a sliding window (convolution or pooling), rounding down as PyTorch does;
     * {@code what} is "height" or "width".
     */
    static int windowOutput(Op op, String what, int input, int kernel, int stride, int padBefore, int padAfter)
            throws IrTypeException {
        // In long: huge paddings must not wrap around to a plausible size.
        long output = Math.floorDiv((long) input + padBefore + padAfter - kernel, stride) + 1;
        if (output <= 0 || output > Integer.MAX_VALUE) {
            throw fail(op, "output " + what + " would be " + output + " (input " + input + ", kernel " + kernel
                    + ", stride " + stride + ", padding " + padBefore + "+" + padAfter + ")");
        }
        return (int) output;
    }

    /**
     * The type of the gradient of a layer op {@code forward} with respect to its operand {@code
     * operand}, for a gradient op whose operands are the gradient of the layer's result, the result,
     * and the layer's own operands (a recurrent layer's, an attention's); -1 names an optional
     * operand the layer lacks.
     */
    static TensorType layerGradient(Op op, Op forward, List<TensorType> operands, int operand, String missing)
            throws IrTypeException {
        arity(op, operands);
        List<TensorType> layer = operands.subList(2, operands.size());
        TensorType y = forward.inferType(layer);
        expect(op, "forward result", operands.get(1), y);
        expect(op, "gradient", operands.get(0), y);
        if (operand < 0) {
            throw fail(op, missing);
        }
        return layer.get(operand);
    }

    /** The attributes of a layer gradient: the layer's, then which operand. */
    static Map<String, Object> withWrt(Map<String, Object> forward, Enum<?> wrt) {
        var attrs = new java.util.LinkedHashMap<>(forward);
        attrs.put("wrt", wrt);
        return attrs;
    }
}
