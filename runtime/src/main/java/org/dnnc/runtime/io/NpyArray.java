package org.dnnc.runtime.io;

import java.util.Arrays;

/**
 * An array read from a {@code .npy} file: its element type as numpy spells it ({@code <f4},
 * {@code <i4}, {@code |u1}, ...), its shape, and its values widened to {@code double}s so that one
 * representation serves every element type. Use {@link #floats()} or {@link #ints()} for the
 * values in the type you compute with.
 */
public record NpyArray(String dtype, int[] shape, double[] values) {

    public NpyArray {
        shape = shape.clone();
        long count = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            count *= d;
        }
        if (count != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + count
                    + " elements, got " + values.length);
        }
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public int size() {
        return values.length;
    }

    public float[] floats() {
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    /**
     * The values as {@code int}s.
     *
     * @throws IllegalStateException if the array holds floating-point numbers
     */
    public int[] ints() {
        if (dtype.contains("f")) {
            throw new IllegalStateException("array of " + dtype + " holds floating-point values, not integers");
        }
        int[] out = new int[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) values[i];
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyArray a && dtype.equals(a.dtype) && Arrays.equals(shape, a.shape)
                && Arrays.equals(values, a.values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "NpyArray[" + dtype + " " + Arrays.toString(shape) + "]";
    }
}
