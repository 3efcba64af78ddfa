package org.dnnc.runtime.cuda;

import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMemset;

import org.bytedeco.javacpp.Pointer;

/**
 * One block of device memory (one {@code cudaMalloc}), zero-filled, from which fixed views are
 * carved at byte offsets chosen by the compiler's memory planner: the device twin of {@link
 * org.dnnc.runtime.cpu.Arena}. Made by {@link CudaContext#arena(long)}.
 *
 * <p>{@link #close()} frees the block; views must not be used after that. Closing the context
 * closes its arenas.
 */
public final class DeviceArena implements AutoCloseable {

    /**
     * Alignment of every view the planner places, in bytes: what cuBLAS, cuDNN and vectorised
     * kernel loads prefer ({@code cudaMalloc} itself returns 256-byte aligned blocks).
     */
    public static final int ALIGNMENT = 256;

    /** The allocation; null in a recording context's arena, which has only an address. */
    private final Pointer block;
    private final long base;
    private final long byteSize;
    private boolean closed;

    DeviceArena(long byteSize) {
        if (byteSize < 0) {
            throw new IllegalArgumentException("negative device arena size " + byteSize);
        }
        this.byteSize = byteSize;
        block = new Pointer();
        // cudaMalloc of 0 bytes returns a null pointer; one alignment unit keeps views addressable.
        long allocate = Math.max(byteSize, ALIGNMENT);
        Check.cuda(cudaMalloc(block, allocate), "cudaMalloc(" + allocate + " bytes)");
        Check.cuda(cudaMemset(block, 0, allocate), "cudaMemset");
        base = block.address();
    }

    /** An arena of a {@link CudaContext#recording} context: views at fake addresses from {@code base}. */
    DeviceArena(long byteSize, long base) {
        this.byteSize = byteSize;
        this.block = null;
        this.base = base;
    }

    /** Rounds {@code bytes} up to a multiple of {@link #ALIGNMENT}: what a planner adds per buffer. */
    public static long align(long bytes) {
        return (bytes + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /** The usable size in bytes. */
    public long byteSize() {
        return byteSize;
    }

    /**
     * A view of {@code count} floats starting {@code byteOffset} bytes into the arena.
     *
     * @throws IndexOutOfBoundsException if the view does not fit in the arena
     * @throws IllegalArgumentException if {@code byteOffset} is not a multiple of 4
     * @throws IllegalStateException if the arena is closed
     */
    public DevBuf floats(long byteOffset, int count) {
        return view(byteOffset, count);
    }

    /**
     * A view of {@code count} ints (class labels, token ids) starting {@code byteOffset} bytes into
     * the arena; kernels read it as {@code const int*}.
     *
     * @throws IndexOutOfBoundsException if the view does not fit in the arena
     * @throws IllegalArgumentException if {@code byteOffset} is not a multiple of 4
     * @throws IllegalStateException if the arena is closed
     */
    public DevBuf ints(long byteOffset, int count) {
        return view(byteOffset, count);
    }

    private DevBuf view(long byteOffset, int count) {
        if (closed) {
            throw new IllegalStateException("device arena is closed");
        }
        return new DevBuf(base + Views.checkRegion(byteOffset, count, byteSize), count, this);
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** Frees the device memory now (idempotent). Views carved from this arena must not be used afterwards. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (block != null) {
            Check.cuda(cudaFree(block), "cudaFree");
        }
    }
}
