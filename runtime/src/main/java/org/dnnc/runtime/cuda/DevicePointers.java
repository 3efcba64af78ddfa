package org.dnnc.runtime.cuda;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * JavaCPP pointers aimed at a raw address (device memory, or pinned host memory), owning nothing:
 * what the CUDA bindings take for {@code void*} and {@code float*} arguments. Their position stays
 * 0, so the address passed is exactly the one given.
 */
final class DevicePointers {

    private DevicePointers() {}

    /** A {@code void*} at {@code address}. */
    static Pointer at(long address) {
        return new Raw(address);
    }

    /** A {@code float*} at {@code address}. */
    static FloatPointer floats(long address) {
        return new Floats(address);
    }

    private static final class Raw extends Pointer {
        Raw(long address) {
            this.address = address;
        }
    }

    private static final class Floats extends FloatPointer {
        Floats(long address) {
            super((Pointer) null);
            this.address = address;
        }
    }
}
