package org.dnnc.runtime.cpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;

/**
 * A fixed view of {@code size} floats of off-heap memory: what every CPU kernel reads and writes.
 *
 * <p>Views are carved from an {@link Arena} once, when a network is built; kernels then address
 * elements {@code 0 .. size-1} with absolute {@link FloatBuffer#get(int)} / {@link
 * FloatBuffer#put(int, float)}, which never allocate and never move a position. OpenBLAS gets the
 * same memory through {@link #address()} (no copy). A tensor's shape is not stored here: generated
 * code passes constant sizes to each kernel, so {@code flatten} and any other reshape is simply the
 * same view used with other sizes.
 *
 * <p>Why direct memory and not {@code float[]}: BLAS needs native memory, and JNI hands a Java
 * array to native code by copying it both ways. Plain loops over a {@code FloatBuffer} are not
 * auto-vectorised by HotSpot 17, so the bandwidth-heavy kernels (the optimizers) copy cache-sized
 * chunks into scratch arrays, compute there, and copy back (see {@code Chunks}).
 */
public final class Buf {

    final FloatBuffer data;
    final int size;
    /** What owns the memory (an {@link Arena}), kept reachable for as long as the view is. */
    private final Object owner;
    /**
     * Made with the view, not on first use: a first-use branch in {@link #address()}, taken by each
     * new network's buffers, trapped out of compiled kernels that had only seen warm ones (so a
     * warmed-up class recompiled them in its first epoch).
     */
    private final FloatPointer pointer;
    private final long address;

    Buf(FloatBuffer data) {
        this(data, null);
    }

    Buf(FloatBuffer data, Object owner) {
        if (!data.isDirect() || data.order() != ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException("a Buf needs a direct buffer in native byte order");
        }
        this.data = data;
        this.size = data.capacity();
        this.owner = owner;
        this.pointer = new FloatPointer(data);
        this.address = pointer.address();
    }

    /**
     * A stand-alone view with its own zero-filled memory, freed by the garbage collector: for tests,
     * tools and one-off buffers. Generated code carves views from an {@link Arena} instead.
     */
    public static Buf allocate(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
        return new Buf(ByteBuffer.allocateDirect(size * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer());
    }

    /** A stand-alone view holding a copy of {@code values}. */
    public static Buf of(float... values) {
        Buf b = allocate(values.length);
        b.data.put(0, values);
        return b;
    }

    /** The number of floats in the view. */
    public int size() {
        return size;
    }

    /** The memory as a buffer of capacity {@link #size()}; use absolute get/put only. */
    public FloatBuffer data() {
        return data;
    }

    /** Element {@code i}. */
    public float get(int i) {
        return data.get(i);
    }

    /** Sets element {@code i}. */
    public void set(int i, float value) {
        data.put(i, value);
    }

    /** Copies {@code values} into the first {@code values.length} elements. */
    public Buf copyFrom(float[] values) {
        data.put(0, values);
        return this;
    }

    /** A new array holding all elements. */
    public float[] toArray() {
        float[] out = new float[size];
        data.get(0, out);
        return out;
    }

    /**
     * A view of elements {@code [offset, offset + count)} of this one, sharing its memory: for time
     * steps, concat bands and other sub-tensors. Make these at build time, not per step.
     */
    public Buf slice(int offset, int count) {
        return new Buf(data.slice(offset, count), owner);
    }

    /**
     * A JavaCPP pointer to element 0, for native APIs that take one. Its position is never changed
     * by this package; do not change it either.
     */
    public FloatPointer pointer() {
        return pointer;
    }

    /** The native address of element 0. */
    public long address() {
        return address;
    }

    @Override
    public String toString() {
        return "Buf[" + size + " floats]";
    }
}
