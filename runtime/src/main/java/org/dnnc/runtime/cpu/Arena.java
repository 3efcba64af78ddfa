package org.dnnc.runtime.cpu;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;

/**
 * One block of off-heap memory, 64-byte aligned and zero-filled, from which fixed views are carved
 * at byte offsets chosen by the compiler's memory planner.
 *
 * <p>Generated code makes one arena per program (plus one persistent arena for parameters and
 * optimizer state) and carves every view once, when the network is built, so that a training step
 * allocates nothing. The memory is a direct {@link ByteBuffer} in native byte order: Java loops read
 * it through {@link java.nio.FloatBuffer}s and OpenBLAS reads the same bytes through a pointer, with
 * no copy in between.
 *
 * <p>{@link #close()} frees the memory at once instead of waiting for the garbage collector. Views
 * must not be used after that: their memory is gone, and touching it may crash the JVM. The code
 * that owns the arena (the generated network class) runs every call that touches its views inside
 * its {@link CpuContext} and frees the arena only after {@link CpuContext#close()} has returned,
 * when no such call can be running or start.
 *
 * <p>An arena is not thread-safe to carve; the views it returns may be read and written from any
 * thread, with the usual Java memory-model rules.
 */
public final class Arena implements AutoCloseable {

    /** Alignment of the block's start, in bytes: one cache line, and enough for any SIMD load. */
    public static final int ALIGNMENT = 64;

    /** Frees a direct buffer now; {@code null} when this JVM does not offer it (then GC frees it). */
    private static final MethodHandle INVOKE_CLEANER = findCleaner();

    private final ByteBuffer raw;
    private final ByteBuffer bytes;
    /** Volatile and set under the arena's lock: two threads may close one network at once. */
    private volatile boolean closed;

    /**
     * Allocates {@code byteSize} bytes, zero-filled.
     *
     * @throws IllegalArgumentException if {@code byteSize} is negative or larger than a direct
     *     buffer can hold (2 GiB less the alignment slack)
     */
    public Arena(long byteSize) {
        if (byteSize < 0 || byteSize > Integer.MAX_VALUE - ALIGNMENT) {
            throw new IllegalArgumentException("arena size " + byteSize + " bytes is out of range [0, "
                    + (Integer.MAX_VALUE - ALIGNMENT) + "]");
        }
        // allocateDirect only promises 8-byte alignment; over-allocate and slice to a cache line.
        raw = ByteBuffer.allocateDirect((int) byteSize + ALIGNMENT);
        ByteBuffer aligned = raw.alignedSlice(ALIGNMENT);
        bytes = aligned.limit((int) byteSize).slice().order(ByteOrder.nativeOrder());
    }

    /** Rounds {@code bytes} up to a multiple of {@link #ALIGNMENT}: what a planner adds per buffer. */
    public static long align(long bytes) {
        return (bytes + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /** The usable size in bytes. */
    public long byteSize() {
        return bytes.capacity();
    }

    /**
     * A view of {@code count} floats starting {@code byteOffset} bytes into the arena.
     *
     * @param byteOffset a multiple of 4; a multiple of {@link #ALIGNMENT} keeps BLAS and SIMD loads
     *     on cache-line boundaries, which planners should prefer
     * @throws IndexOutOfBoundsException if the view does not fit in the arena
     * @throws IllegalArgumentException if {@code byteOffset} is not a multiple of 4
     * @throws IllegalStateException if the arena is closed
     */
    public Buf floats(long byteOffset, int count) {
        return new Buf(region(byteOffset, count, Float.BYTES).asFloatBuffer());
    }

    /**
     * A view of {@code count} ints (class labels, token ids) starting {@code byteOffset} bytes into
     * the arena; read and write it with absolute {@code get(i)} / {@code put(i, v)}.
     *
     * @throws IndexOutOfBoundsException if the view does not fit in the arena
     * @throws IllegalArgumentException if {@code byteOffset} is not a multiple of 4
     * @throws IllegalStateException if the arena is closed
     */
    public IntBuffer ints(long byteOffset, int count) {
        return region(byteOffset, count, Integer.BYTES).asIntBuffer();
    }

    private ByteBuffer region(long byteOffset, int count, int elementBytes) {
        if (closed) {
            throw new IllegalStateException("arena is closed");
        }
        if (byteOffset % elementBytes != 0) {
            throw new IllegalArgumentException("byte offset " + byteOffset + " is not a multiple of "
                    + elementBytes);
        }
        long end = byteOffset + (long) count * elementBytes;
        if (byteOffset < 0 || count < 0 || end > bytes.capacity()) {
            throw new IndexOutOfBoundsException("view [" + byteOffset + ", " + end + ") bytes does not fit in an arena of "
                    + bytes.capacity() + " bytes");
        }
        return bytes.slice((int) byteOffset, (int) (end - byteOffset)).order(ByteOrder.nativeOrder());
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Frees the memory now (idempotent, from any thread). Views carved from this arena must not be
     * used afterwards.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (INVOKE_CLEANER != null) {
            try {
                INVOKE_CLEANER.invoke(raw);
            } catch (Throwable t) {
                // Freeing early is an optimisation: the garbage collector frees the buffer anyway.
            }
        }
    }

    private static MethodHandle findCleaner() {
        // sun.misc.Unsafe.invokeCleaner (module jdk.unsupported) is the one supported way to free a
        // direct buffer before it is collected; looked up reflectively so the build needs no
        // internal-API warning and a JVM without it still works.
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            var field = unsafeClass.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            Object unsafe = field.get(null);
            return MethodHandles.lookup()
                    .findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
                    .bindTo(unsafe);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
