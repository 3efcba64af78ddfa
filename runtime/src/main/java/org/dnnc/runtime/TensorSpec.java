package org.dnnc.runtime;

import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor that a network reads or writes, as declared in its {@code .dnn} file: its name, element
 * type and the shape of one example (without the batch dimension; empty for one value per example,
 * such as a class label or a sequence length). Batches hold {@code count} examples one after the
 * other in C order.
 *
 * @param name the input's or output's name in the source
 * @param type the element type
 * @param shape the shape of one example; defensively copied
 */
public record TensorSpec(String name, ElementType type, int[] shape) {

    public TensorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        shape = shape.clone();
        for (int d : shape) {
            if (d < 1) {
                throw new IllegalArgumentException("dimension " + d + " of " + name + Arrays.toString(shape)
                        + " is not positive");
            }
        }
    }

    /** A float tensor with examples of {@code shape}. */
    public static TensorSpec floats(String name, int... shape) {
        return new TensorSpec(name, ElementType.FLOAT32, shape);
    }

    /** An int tensor with examples of {@code shape} (none for one int per example). */
    public static TensorSpec ints(String name, int... shape) {
        return new TensorSpec(name, ElementType.INT32, shape);
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** The number of values of one example. */
    public int size() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return Math.toIntExact(n);
    }

    /** The type and shape as the language writes them: {@code float[1, 28, 28]}, or {@code int} for one int. */
    public String typeName() {
        return shape.length == 0 ? type.keyword() : type.keyword() + Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && name.equals(t.name) && type == t.type && Arrays.equals(shape, t.shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(shape));
    }

    /** {@code image: float[1, 28, 28]}. */
    @Override
    public String toString() {
        return name + ": " + typeName();
    }
}
