package org.dnnc.runtime.cpu;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

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
 * <p>The block comes from the C allocator (through JavaCPP), not from
 * {@code ByteBuffer.allocateDirect}: a direct buffer can only be freed early through
 * {@code sun.misc.Unsafe}, which Java 24 and later warn about. An arena that is never closed is
 * freed once it is unreachable; the float views it hands out keep it reachable.
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

    private static final Cleaner CLEANER = Cleaner.create();

    private final ByteBuffer bytes;
    private final Cleaner.Cleanable free;
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
        // malloc only promises 16-byte alignment; over-allocate and start at a cache line.
        long total = byteSize + ALIGNMENT;
        Pointer block = Pointer.malloc(total);
        if (block == null || block.isNull()) {
            throw new OutOfMemoryError("cannot allocate an arena of " + byteSize + " bytes");
        }
        Pointer.memset(block, 0, total);
        free = CLEANER.register(this, new Free(block));
        long skip = -block.address() & (ALIGNMENT - 1);
        // JavaCPP widens an empty range to one byte; the limit and slice bring it back to byteSize.
        BytePointer start = new BytePointer(block).capacity(total).getPointer(skip);
        bytes = start.limit(byteSize).asByteBuffer().limit((int) byteSize).slice().order(ByteOrder.nativeOrder());
    }

    /** Frees the block; holds no reference to the arena, so that the arena can become unreachable. */
    private record Free(Pointer block) implements Runnable {
        @Override
        public void run() {
            Pointer.free(block);
        }
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
        return new Buf(region(byteOffset, count, Float.BYTES).asFloatBuffer(), this);
    }

    /**
     * A view of {@code count} ints (class labels, token ids) starting {@code byteOffset} bytes into
     * the arena; read and write it with absolute {@code get(i)} / {@code put(i, v)}. Unlike a
     * float view, it does not keep the arena reachable: its owner must hold the arena.
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
        free.clean();
    }
}
