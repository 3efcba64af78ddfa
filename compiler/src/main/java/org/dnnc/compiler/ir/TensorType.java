package org.dnnc.compiler.ir;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/** The static type of a tensor value: element type and dimensions, e.g. {@code f32[N,1,28,28]}. */
public record TensorType(DType dtype, List<Dim> dims) {

    public TensorType {
        Objects.requireNonNull(dtype, "dtype");
        dims = List.copyOf(dims);
    }

    public static TensorType of(DType dtype, Dim... dims) {
        return new TensorType(dtype, Arrays.asList(dims));
    }

    public static TensorType f32(Dim... dims) {
        return of(DType.F32, dims);
    }

    /** A rank-0 tensor, such as a loss. */
    public static TensorType scalar(DType dtype) {
        return new TensorType(dtype, List.of());
    }

    public int rank() {
        return dims.size();
    }

    /**
     * The dimension at {@code axis}; a negative axis counts from the end ({@code -1} is the last).
     *
     * @throws IndexOutOfBoundsException if the axis is outside {@code [-rank, rank)}
     */
    public Dim dim(int axis) {
        int index = axis < 0 ? axis + rank() : axis;
        if (index < 0 || index >= rank()) {
            throw new IndexOutOfBoundsException("axis " + axis + " of " + this);
        }
        return dims.get(index);
    }

    public boolean isScalar() {
        return dims.isEmpty();
    }

    /** Whether the first dimension is the batch dimension. */
    public boolean hasBatch() {
        return !dims.isEmpty() && dims.get(0) instanceof Dim.Batch;
    }

    public TensorType withDims(List<Dim> newDims) {
        return new TensorType(dtype, newDims);
    }

    /** The number of elements per example: every dimension but the batch, variables at their maximum. */
    public long elementsPerExample() {
        long product = 1;
        for (Dim d : dims) {
            if (!(d instanceof Dim.Batch)) {
                product *= d.bound();
            }
        }
        return product;
    }

    @Override
    public String toString() {
        return dims.stream().map(Dim::toString).collect(Collectors.joining(",", dtype.mnemonic() + "[", "]"));
    }
}
