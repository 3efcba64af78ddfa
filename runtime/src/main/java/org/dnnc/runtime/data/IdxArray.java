package org.dnnc.runtime.data;

import java.util.Arrays;

/**
 * An array of unsigned bytes read from an IDX file: images {@code [n, rows, cols]}, labels
 * {@code [n]}, or any other shape. The first dimension counts the examples.
 *
 * @param data the values in C order, as stored (read them unsigned: {@code b & 0xff})
 */
public record IdxArray(int[] shape, byte[] data) {

    public IdxArray {
        shape = shape.clone();
        long count = 1;
        for (int d : shape) {
            count *= d;
        }
        if (shape.length == 0 || count != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " does not describe "
                    + data.length + " values");
        }
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** The values, copied. */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /** The number of examples: the first dimension. */
    public int count() {
        return shape[0];
    }

    /** The values as {@code int}s in 0..255: class labels. */
    public int[] ints() {
        int[] out = new int[data.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = data[i] & 0xff;
        }
        return out;
    }

    /** The values times {@code scale}: {@code 1f / 255} maps pixels to [0, 1]. */
    public float[] floats(float scale) {
        float[] out = new float[data.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (data[i] & 0xff) * scale;
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdxArray a && Arrays.equals(shape, a.shape) && Arrays.equals(data, a.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "IdxArray[u8 " + Arrays.toString(shape) + "]";
    }
}
