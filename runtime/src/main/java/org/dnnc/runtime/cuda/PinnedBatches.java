package org.dnnc.runtime.cuda;

import static org.bytedeco.cuda.global.cudart.cudaEventCreateWithFlags;
import static org.bytedeco.cuda.global.cudart.cudaEventDestroy;
import static org.bytedeco.cuda.global.cudart.cudaEventDisableTiming;
import static org.bytedeco.cuda.global.cudart.cudaEventRecord;
import static org.bytedeco.cuda.global.cudart.cudaEventSynchronize;
import static org.bytedeco.cuda.global.cudart.cudaFreeHost;
import static org.bytedeco.cuda.global.cudart.cudaMallocHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToDevice;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreateWithFlags;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamNonBlocking;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;
import static org.bytedeco.cuda.global.cudart.cudaStreamWaitEvent;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Double-buffered batch uploads: while the device computes on one batch, the next one is copied
 * from pinned host memory on a separate copy stream.
 *
 * <p>A batch is a fixed list of tensors (for example the images and the labels), their element
 * counts given at construction. There are two slots; each has a pinned host block (from {@code
 * cudaMallocHost}, so copies are truly asynchronous) and a device staging block, both laid out as
 * the tensors one after another at {@link DeviceArena#ALIGNMENT}-byte offsets. A step goes:
 *
 * <ol>
 *   <li>{@link #awaitHostFree(int)}, then fill the slot's {@link #floats}/{@link #ints} views;
 *   <li>{@link #upload(int)}: queues the host-to-device copy on the copy stream, after the compute
 *       stream has finished reading the slot's previous batch;
 *   <li>{@link #deliver(int, DevBuf...)}: makes the compute stream wait for that copy and then copy
 *       the batch into the network's fixed input views (a device-to-device copy of a few
 *       microseconds, which keeps the inputs at the addresses a {@link CudaGraph} captured).
 * </ol>
 *
 * <p>Slot {@code s+1}'s steps 1 and 2 run while the step that delivered slot {@code s} computes.
 *
 * <p>On a {@link CudaContext#recording} context the slots are plain direct memory and each
 * operation is recorded ({@code "fill 0"}, {@code "upload 0"}, {@code "deliver 0"}), not done.
 */
public final class PinnedBatches implements AutoCloseable {

    private static final int SLOTS = 2;

    private final CudaContext ctx;
    private final int[] counts;
    private final long[] offsets;
    private final long slotBytes;
    private final CUstream_st copyStream = new CUstream_st();
    private final Pointer[] host = new Pointer[SLOTS];
    private final ByteBuffer[] hostBytes = new ByteBuffer[SLOTS];
    private final DeviceArena staging;
    private final CUevent_st[] uploaded = new CUevent_st[SLOTS];
    private final CUevent_st[] consumed = new CUevent_st[SLOTS];
    private boolean closed;

    /**
     * Two slots for batches of tensors of {@code elementCounts} 4-byte elements each.
     *
     * @throws IllegalArgumentException if no tensor is given or a count is negative
     */
    public PinnedBatches(CudaContext ctx, int... elementCounts) {
        this.ctx = ctx;
        if (elementCounts.length == 0) {
            throw new IllegalArgumentException("a batch needs at least one tensor");
        }
        counts = elementCounts.clone();
        offsets = layout(counts);
        slotBytes = offsets[counts.length];
        staging = ctx.arena(slotBytes * SLOTS);
        if (ctx.recording()) {
            // No device: plain direct memory, and every operation recorded instead.
            for (int s = 0; s < SLOTS; s++) {
                hostBytes[s] = ByteBuffer.allocateDirect((int) Math.max(slotBytes, 1)).order(ByteOrder.nativeOrder());
            }
            return;
        }
        Check.cuda(cudaStreamCreateWithFlags(copyStream, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
        for (int s = 0; s < SLOTS; s++) {
            host[s] = new Pointer();
            Check.cuda(cudaMallocHost(host[s], Math.max(slotBytes, 1)), "cudaMallocHost(" + slotBytes + " bytes)");
            hostBytes[s] = new BytePointer(host[s]).capacity(slotBytes).limit(slotBytes).asByteBuffer()
                    .order(ByteOrder.nativeOrder());
            uploaded[s] = event();
            consumed[s] = event();
        }
    }

    /** Byte offsets of each tensor in a slot, each aligned, and the slot's size last. */
    static long[] layout(int[] counts) {
        long[] offsets = new long[counts.length + 1];
        long at = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] < 0) {
                throw new IllegalArgumentException("tensor " + i + " of a batch has a negative size " + counts[i]);
            }
            offsets[i] = at;
            at = DeviceArena.align(at + (long) counts[i] * Float.BYTES);
        }
        offsets[counts.length] = at;
        return offsets;
    }

    private static CUevent_st event() {
        CUevent_st e = new CUevent_st();
        Check.cuda(cudaEventCreateWithFlags(e, cudaEventDisableTiming), "cudaEventCreateWithFlags");
        return e;
    }

    /** The number of slots (2). */
    public int slots() {
        return SLOTS;
    }

    /** Tensor {@code tensor} of slot {@code slot} in pinned host memory, as floats; fill it after {@link #awaitHostFree}. */
    public FloatBuffer floats(int slot, int tensor) {
        return region(slot, tensor).asFloatBuffer();
    }

    /** Tensor {@code tensor} of slot {@code slot} in pinned host memory, as ints (labels, token ids). */
    public IntBuffer ints(int slot, int tensor) {
        return region(slot, tensor).asIntBuffer();
    }

    private ByteBuffer region(int slot, int tensor) {
        checkOpen();
        return hostBytes[slot].slice((int) offsets[tensor], counts[tensor] * Float.BYTES).order(ByteOrder.nativeOrder());
    }

    /** Blocks until the last upload from slot {@code slot}'s host memory has finished, so it may be refilled. */
    public void awaitHostFree(int slot) {
        checkOpen();
        if (ctx.recording()) {
            ctx.record("fill " + slot);
            return;
        }
        Check.cuda(cudaEventSynchronize(uploaded[slot]), "cudaEventSynchronize");
    }

    /**
     * Queues the copy of slot {@code slot} to its device staging block on the copy stream, once the
     * compute stream no longer reads the batch delivered from it before.
     */
    public void upload(int slot) {
        checkOpen();
        if (ctx.recording()) {
            ctx.record("upload " + slot);
            return;
        }
        Check.cuda(cudaStreamWaitEvent(copyStream, consumed[slot], 0), "cudaStreamWaitEvent");
        Check.cuda(cudaMemcpyAsync(DevicePointers.at(stagingAddress(slot)), host[slot], slotBytes, cudaMemcpyHostToDevice,
                copyStream), "cudaMemcpyAsync (batch upload, " + slotBytes + " bytes)");
        Check.cuda(cudaEventRecord(uploaded[slot], copyStream), "cudaEventRecord");
    }

    /**
     * On the compute stream: waits for slot {@code slot}'s upload, then copies its tensors into
     * {@code destinations} (one per tensor, each of the tensor's size).
     *
     * @throws IllegalArgumentException if the destinations do not match the tensors
     */
    public void deliver(int slot, DevBuf... destinations) {
        checkOpen();
        if (destinations.length != counts.length) {
            throw new IllegalArgumentException("a batch has " + counts.length + " tensors, " + destinations.length
                    + " destinations given");
        }
        for (int t = 0; t < counts.length; t++) {
            if (destinations[t].size() != counts[t]) {
                throw new IllegalArgumentException("batch tensor " + t + " has " + counts[t] + " elements, its destination "
                        + destinations[t].size());
            }
        }
        if (ctx.recording()) {
            ctx.record("deliver " + slot);
            return;
        }
        Check.cuda(cudaStreamWaitEvent(ctx.stream(), uploaded[slot], 0), "cudaStreamWaitEvent");
        for (int t = 0; t < counts.length; t++) {
            Check.cuda(cudaMemcpyAsync(DevicePointers.at(destinations[t].address()),
                    DevicePointers.at(stagingAddress(slot) + offsets[t]), destinations[t].bytes(), cudaMemcpyDeviceToDevice,
                    ctx.stream()), "cudaMemcpyAsync (batch delivery)");
        }
        Check.cuda(cudaEventRecord(consumed[slot], ctx.stream()), "cudaEventRecord");
    }

    private long stagingAddress(int slot) {
        return staging.floats(slot * slotBytes, 0).address();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the pinned batches are closed");
        }
    }

    /** Waits for both streams and frees the pinned memory, events and stream (idempotent). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (ctx.recording()) {
            staging.close();
            return;
        }
        // Both streams may still read the pinned or staging memory.
        cudaStreamSynchronize(copyStream);
        ctx.synchronize();
        for (int s = 0; s < SLOTS; s++) {
            cudaFreeHost(host[s]);
            cudaEventDestroy(uploaded[s]);
            cudaEventDestroy(consumed[s]);
        }
        staging.close();
        cudaStreamDestroy(copyStream);
    }
}
