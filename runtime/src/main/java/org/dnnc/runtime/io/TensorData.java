package org.dnnc.runtime.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One tensor of a checkpoint: its {@link TensorInfo} and its values as little-endian bytes, the
 * layout safetensors stores, so that reading and writing copy bytes without converting them.
 * Immutable: the factories copy what they are given and the accessors return copies.
 */
public final class TensorData {
    private final TensorInfo info;
    /** Little-endian, position 0, limit = byte size; never handed out without duplicating. */
    private final ByteBuffer bytes;

    private TensorData(TensorInfo info, ByteBuffer bytes) {
        this.info = info;
        this.bytes = bytes;
    }

    /** A {@link DType#F32} tensor of the given shape holding a copy of {@code values} (C order). */
    public static TensorData f32(float[] values, int... shape) {
        TensorInfo info = checkedInfo(DType.F32, shape, values.length);
        ByteBuffer buffer = allocate(info);
        buffer.asFloatBuffer().put(values);
        return new TensorData(info, buffer);
    }

    /** A {@link DType#I32} tensor of the given shape holding a copy of {@code values} (C order). */
    public static TensorData i32(int[] values, int... shape) {
        TensorInfo info = checkedInfo(DType.I32, shape, values.length);
        ByteBuffer buffer = allocate(info);
        buffer.asIntBuffer().put(values);
        return new TensorData(info, buffer);
    }

    /**
     * A tensor of any supported type from its little-endian bytes: the remaining bytes of
     * {@code littleEndian} are copied.
     *
     * @throws IllegalArgumentException if the number of bytes does not match the shape
     */
    public static TensorData of(DType dtype, int[] shape, ByteBuffer littleEndian) {
        TensorInfo info = new TensorInfo(dtype, shape);
        if (littleEndian.remaining() != info.byteSize()) {
            throw new IllegalArgumentException(info + " needs " + info.byteSize() + " bytes, got "
                    + littleEndian.remaining());
        }
        ByteBuffer copy = allocate(info);
        copy.put(littleEndian.duplicate()).flip();
        return new TensorData(info, copy);
    }

    /** Takes ownership of {@code bytes} (which must match {@code info}) without copying. */
    static TensorData wrap(TensorInfo info, ByteBuffer bytes) {
        return new TensorData(info, bytes.order(ByteOrder.LITTLE_ENDIAN));
    }

    public TensorInfo info() {
        return info;
    }

    public DType dtype() {
        return info.dtype();
    }

    public int[] shape() {
        return info.shape();
    }

    /** The values as a read-only little-endian buffer, for copying into native memory. */
    public ByteBuffer data() {
        return bytes.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The values of an {@link DType#F32} tensor.
     *
     * @throws IllegalStateException if the tensor holds another type
     */
    public float[] floats() {
        requireType(DType.F32);
        float[] out = new float[(int) info.elementCount()];
        data().asFloatBuffer().get(out);
        return out;
    }

    /**
     * The values of a floating-point tensor as F32: F32 as stored, F16 and BF16 widened exactly,
     * F64 rounded to the nearest float. This is how a loader takes weights saved in half precision.
     *
     * @throws IllegalStateException if the tensor holds integers
     */
    public float[] toFloats() {
        if (!info.dtype().isFloat()) {
            throw new IllegalStateException("tensor " + info + " holds integers, not floating-point values");
        }
        if (info.dtype() == DType.F32) {
            return floats();
        }
        float[] out = new float[(int) info.elementCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) valueAt(i);
        }
        return out;
    }

    /**
     * The values of an {@link DType#I32} tensor.
     *
     * @throws IllegalStateException if the tensor holds another type
     */
    public int[] ints() {
        requireType(DType.I32);
        int[] out = new int[(int) info.elementCount()];
        data().asIntBuffer().get(out);
        return out;
    }

    /**
     * The values of an {@link DType#I64} tensor.
     *
     * @throws IllegalStateException if the tensor holds another type
     */
    public long[] longs() {
        requireType(DType.I64);
        long[] out = new long[(int) info.elementCount()];
        data().asLongBuffer().get(out);
        return out;
    }

    /**
     * The values of an {@link DType#F64} tensor.
     *
     * @throws IllegalStateException if the tensor holds another type
     */
    public double[] doubles() {
        requireType(DType.F64);
        double[] out = new double[(int) info.elementCount()];
        data().asDoubleBuffer().get(out);
        return out;
    }

    /**
     * The index of the first NaN or infinite value, or -1 if every value is finite (always for the
     * integer types): what a training run that diverged leaves in its weights.
     */
    public int firstNonFinite() {
        int count = (int) info.elementCount();
        for (int i = 0; i < count; i++) {
            if (!Double.isFinite(valueAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /** Value {@code index} as a double; 0 for the integer types, which have no non-finite values. */
    double valueAt(int index) {
        return switch (info.dtype()) {
            case F32 -> bytes.getFloat(index * 4);
            case F64 -> bytes.getDouble(index * 8);
            case F16 -> HalfFloats.fromF16(bytes.getShort(index * 2));
            case BF16 -> HalfFloats.fromBf16(bytes.getShort(index * 2));
            case I32, I64 -> 0;
        };
    }

    @Override
    public String toString() {
        return "TensorData[" + info + "]";
    }

    private void requireType(DType wanted) {
        if (info.dtype() != wanted) {
            throw new IllegalStateException("tensor " + info + " holds " + info.dtype() + " values, not " + wanted);
        }
    }

    private static TensorInfo checkedInfo(DType dtype, int[] shape, int count) {
        TensorInfo info = new TensorInfo(dtype, shape);
        if (info.elementCount() != count) {
            throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape) + " holds "
                    + info.elementCount() + " elements, got " + count);
        }
        return info;
    }

    private static ByteBuffer allocate(TensorInfo info) {
        if (info.byteSize() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(info + " takes more than 2 GiB, the limit of one tensor");
        }
        return ByteBuffer.allocate((int) info.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    }
}
