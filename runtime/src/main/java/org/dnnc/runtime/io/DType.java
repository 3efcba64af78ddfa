package org.dnnc.runtime.io;

/**
 * Element types a checkpoint tensor can hold, named as the safetensors format names them. All of
 * them are stored little-endian.
 */
public enum DType {
    /** 32-bit IEEE float: weights, activations, optimizer state. */
    F32(4),
    /** 32-bit signed integer: counters and class labels. */
    I32(4),
    /** 64-bit signed integer: what PyTorch uses for step counters and indices. */
    I64(8),
    /** 64-bit IEEE float. */
    F64(8),
    /** 16-bit IEEE half float, as {@code model.half()} saves weights; loaders widen it to F32 exactly. */
    F16(2),
    /** 16-bit bfloat16 (the upper half of an F32), as mixed-precision training saves weights; widened exactly. */
    BF16(2);

    private final int size;

    DType(int size) {
        this.size = size;
    }

    /** Whether the values are floating-point numbers, which {@link TensorData#toFloats()} reads as F32. */
    public boolean isFloat() {
        return this == F32 || this == F64 || this == F16 || this == BF16;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }

    /** The type spelled {@code name} in a safetensors header, or {@code null} if unsupported. */
    static DType named(String name) {
        for (DType type : values()) {
            if (type.name().equals(name)) {
                return type;
            }
        }
        return null;
    }
}
