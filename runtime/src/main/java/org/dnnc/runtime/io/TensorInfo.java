package org.dnnc.runtime.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * What a tensor is without its values: element type and shape. An empty shape is a scalar.
 * {@link #toString()} reads like {@code F32 [256, 784]}, the form error messages use.
 */
public record TensorInfo(DType dtype, int[] shape) {

    public TensorInfo {
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
        elementCount(shape);
    }

    /** The number of elements of a tensor of this shape (1 for a scalar). */
    public long elementCount() {
        return elementCount(shape);
    }

    /** The number of bytes the values take. */
    public long byteSize() {
        return elementCount() * dtype.size();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && dtype == t.dtype && Arrays.equals(shape, t.shape);
    }

    @Override
    public int hashCode() {
        return 31 * dtype.hashCode() + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return dtype + " " + Arrays.toString(shape);
    }

    /**
     * Elements of {@code shape}, checking that no dimension is negative and that the count fits in
     * a Java array, since every tensor is loaded into one.
     */
    static long elementCount(int[] shape) {
        long count = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            count *= d;
            if (count > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape)
                        + " has more elements than a Java array can hold");
            }
        }
        return count;
    }
}
