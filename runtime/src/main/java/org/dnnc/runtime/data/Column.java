package org.dnnc.runtime.data;

import java.util.Arrays;
import java.util.Objects;
import org.dnnc.runtime.ElementType;
import org.dnnc.runtime.TensorSpec;

/**
 * One named column of a {@link Dataset}: a value of one element type and shape per example, such
 * as {@code image: float[1, 28, 28]}, {@code label: int} or {@code tokens: int[40]}. Immutable;
 * the values of all examples lie in one array in C order, which batches copy from in place.
 */
public final class Column {
    private final TensorSpec spec;
    final int size;
    /** {@code count * size} values, or {@code null} for an int column. */
    final float[] floats;
    /** {@code count * size} values, or {@code null} for a float column. */
    final int[] ints;

    private Column(TensorSpec spec, float[] floats, int[] ints) {
        this.spec = spec;
        this.size = spec.size();
        this.floats = floats;
        this.ints = ints;
    }

    /** Takes ownership of {@code values}, {@code count} examples of {@code shape}. */
    static Column ofFloats(String name, float[] values, int[] shape) {
        return new Column(new TensorSpec(name, ElementType.FLOAT32, shape), values, null);
    }

    /** Takes ownership of {@code values}, {@code count} examples of {@code shape}. */
    static Column ofInts(String name, int[] values, int[] shape) {
        return new Column(new TensorSpec(name, ElementType.INT32, shape), null, values);
    }

    /** The column's name, element type and the shape of one example. */
    public TensorSpec spec() {
        return spec;
    }

    /** The column's name. */
    public String name() {
        return spec.name();
    }

    /** The element type: float or int. */
    public ElementType type() {
        return spec.type();
    }

    /** The shape of one example's value. */
    public int[] shape() {
        return spec.shape();
    }

    /** The number of values per example. */
    public int size() {
        return size;
    }

    /** The number of examples the column's values hold. */
    int count() {
        int length = floats != null ? floats.length : ints.length;
        return size == 0 ? 0 : length / size;
    }

    /**
     * The first value of a float column that is NaN or infinite, as {@code {example, index within
     * the example}}, or {@code null} if every value is finite (and for an int column).
     */
    public int[] firstNonFinite() {
        if (floats == null) {
            return null;
        }
        for (int i = 0; i < floats.length; i++) {
            if (!Float.isFinite(floats[i])) {
                return new int[] {i / size, i % size};
            }
        }
        return null;
    }

    /** The first example of an int column whose value lies outside [0, bound), or -1 if there is none. */
    public int firstOutside(int bound) {
        if (ints == null) {
            return -1;
        }
        for (int i = 0; i < ints.length; i++) {
            if (ints[i] < 0 || ints[i] >= bound) {
                return i / size;
            }
        }
        return -1;
    }

    /** The value {@code index} of example {@code example}: a float column's as a float, an int column's as an int. */
    public Number value(int example, int index) {
        int at = Math.addExact(Math.multiplyExact(example, size), index);
        return floats != null ? (Number) floats[at] : (Number) ints[at];
    }

    /**
     * The values of examples {@code [from, from + count)} of a float column, copied, in C order.
     *
     * @throws IllegalStateException for an int column
     * @throws IndexOutOfBoundsException if the examples are not all in the column
     */
    public float[] floats(int from, int count) {
        if (floats == null) {
            throw new IllegalStateException("column " + spec + " holds ints, not floats");
        }
        return Arrays.copyOfRange(floats, Math.multiplyExact(from, size), checkedEnd(from, count));
    }

    /**
     * The values of examples {@code [from, from + count)} of an int column, copied, in C order.
     *
     * @throws IllegalStateException for a float column
     * @throws IndexOutOfBoundsException if the examples are not all in the column
     */
    public int[] ints(int from, int count) {
        if (ints == null) {
            throw new IllegalStateException("column " + spec + " holds floats, not ints");
        }
        return Arrays.copyOfRange(ints, Math.multiplyExact(from, size), checkedEnd(from, count));
    }

    private int checkedEnd(int from, int count) {
        Objects.checkFromIndexSize(from, count, count());
        return Math.multiplyExact(from + count, size);
    }

    /** The examples at {@code indices}, copied. */
    Column subset(int[] indices) {
        if (floats != null) {
            float[] out = new float[Math.multiplyExact(indices.length, size)];
            for (int i = 0; i < indices.length; i++) {
                System.arraycopy(floats, indices[i] * size, out, i * size, size);
            }
            return new Column(spec, out, null);
        }
        int[] out = new int[Math.multiplyExact(indices.length, size)];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(ints, indices[i] * size, out, i * size, size);
        }
        return new Column(spec, null, out);
    }

    /** The same values seen with another shape of as many values, or with other float values (owned). */
    Column withFloats(float[] values, int[] shape) {
        return new Column(new TensorSpec(spec.name(), ElementType.FLOAT32, shape), values, null);
    }

    @Override
    public String toString() {
        return spec.toString();
    }

    static void checkLength(String name, int length, int[] shape, int count) {
        long expected = (long) new TensorSpec(name, ElementType.FLOAT32, shape).size() * count;
        if (length != expected) {
            throw new IllegalArgumentException("column `" + name + "`: " + count + " examples of shape "
                    + Arrays.toString(shape) + " need " + expected + " values, got " + length);
        }
    }
}
