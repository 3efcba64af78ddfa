package org.dnnc.runtime.cuda;

import static org.bytedeco.cuda.global.cudart.cudaEventCreateWithFlags;
import static org.bytedeco.cuda.global.cudart.cudaEventDestroy;
import static org.bytedeco.cuda.global.cudart.cudaEventDisableTiming;
import static org.bytedeco.cuda.global.cudart.cudaEventRecord;
import static org.bytedeco.cuda.global.cudart.cudaEventSynchronize;
import static org.bytedeco.cuda.global.cudart.cudaFreeHost;
import static org.bytedeco.cuda.global.cudart.cudaMallocHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Results read back without stopping the device: {@link #queue} puts an asynchronous copy of some
 * device views into a slot of pinned host memory at the end of the work queued so far, and {@link
 * #await} waits for that copy only (an event), not for work queued after it. A training step reads
 * back its loss, counts and flags this way, once, so the host can prepare the next step meanwhile;
 * an inference pass its outputs.
 *
 * <p>On a {@link CudaContext#recording} context the slots are plain direct memory and each
 * operation is recorded ({@code "read back 0"}, {@code "await read-back 0"}), not done.
 */
public final class PinnedReadback implements AutoCloseable {

    private final CudaContext ctx;
    private final int floats;
    private final Pointer[] host;
    private final FloatBuffer[] views;
    private final CUevent_st[] copied;
    private boolean closed;

    /**
     * {@code slots} slots of {@code floats} floats each.
     *
     * @throws IllegalArgumentException if there is no slot or {@code floats} is not positive
     */
    public PinnedReadback(CudaContext ctx, int slots, int floats) {
        if (slots < 1 || floats < 1) {
            throw new IllegalArgumentException("a read-back needs slots and floats, got " + slots + " slots of " + floats);
        }
        this.ctx = ctx;
        this.floats = floats;
        host = new Pointer[slots];
        views = new FloatBuffer[slots];
        copied = new CUevent_st[slots];
        long bytes = (long) floats * Float.BYTES;
        for (int s = 0; s < slots; s++) {
            if (ctx.recording()) {
                views[s] = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder()).asFloatBuffer();
                continue;
            }
            host[s] = new Pointer();
            Check.cuda(cudaMallocHost(host[s], bytes), "cudaMallocHost(" + bytes + " bytes)");
            views[s] = new BytePointer(host[s]).capacity(bytes).limit(bytes).asByteBuffer()
                    .order(ByteOrder.nativeOrder()).asFloatBuffer();
            copied[s] = new CUevent_st();
            Check.cuda(cudaEventCreateWithFlags(copied[s], cudaEventDisableTiming), "cudaEventCreateWithFlags");
        }
    }

    /** The number of slots. */
    public int slots() {
        return views.length;
    }

    /**
     * Queues on the context's stream the copy of {@code sources}, one after the other, into slot
     * {@code slot}, and an event after it. Refill a slot only after {@link #await} of its last copy.
     *
     * @throws IllegalArgumentException if the sources hold more than a slot
     */
    public void queue(int slot, DevBuf... sources) {
        checkOpen();
        long total = 0;
        for (DevBuf d : sources) {
            total += d.size();
        }
        if (total > floats) {
            throw new IllegalArgumentException("a read-back slot holds " + floats + " floats, " + total + " queued");
        }
        if (ctx.recording()) {
            ctx.record("read back " + slot);
            return;
        }
        long at = host[slot].address();
        for (DevBuf d : sources) {
            Check.cuda(cudaMemcpyAsync(DevicePointers.at(at), DevicePointers.at(d.address()), d.bytes(),
                    cudaMemcpyDeviceToHost, ctx.stream()), "cudaMemcpyAsync (read-back, " + d.bytes() + " bytes)");
            at += d.bytes();
        }
        Check.cuda(cudaEventRecord(copied[slot], ctx.stream()), "cudaEventRecord");
    }

    /** Waits for slot {@code slot}'s last queued copy (only), then returns the slot's floats. */
    public FloatBuffer await(int slot) {
        checkOpen();
        if (ctx.recording()) {
            ctx.record("await read-back " + slot);
        } else {
            Check.cuda(cudaEventSynchronize(copied[slot]), "cudaEventSynchronize (read-back)");
        }
        return views[slot];
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the read-back is closed");
        }
    }

    /** Waits for the queued copies and frees the pinned memory and events (idempotent). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (ctx.recording()) {
            return;
        }
        for (int s = 0; s < host.length; s++) {
            cudaEventSynchronize(copied[s]);
            cudaEventDestroy(copied[s]);
            cudaFreeHost(host[s]);
        }
    }
}
