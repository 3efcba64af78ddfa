package org.dnnc.runtime.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;

/**
 * Inverted dropout on the device ({@code dropout.cu}): twins of {@link
 * org.dnnc.runtime.cpu.Dropout}, drawing the very bits of {@link org.dnnc.runtime.cpu.Rng}, so
 * that a mask is the CPU's bit for bit. The generator's state is a 2-element device view {@code
 * rngState} (a 64-bit word, low half first, 8-byte aligned; set it with {@link #setState} to seed
 * or restore it, read it with {@link #state} for a checkpoint), advanced on the device by each
 * call, so that a captured graph draws a new mask on every replay.
 */
public final class CudaDropout {

    private static final FixedKernel FORWARD = new FixedKernel("dropout", "dropout_forward");
    private static final FixedKernel ADVANCE = new FixedKernel("dropout", "dropout_advance");

    private CudaDropout() {}

    /** Sets the generator state in {@code rngState} to {@code state} (an {@link org.dnnc.runtime.cpu.Rng#state()}). */
    public static void setState(CudaContext ctx, DevBuf rngState, long state) {
        IntBuffer words = words();
        words.put(0, (int) state).put(1, (int) (state >>> 32));
        ctx.upload(words, rngState);
    }

    /** The generator state in {@code rngState}, after the queued work (waits for it). */
    public static long state(CudaContext ctx, DevBuf rngState) {
        IntBuffer words = words();
        ctx.download(rngState, words);
        return (words.get(0) & 0xffffffffL) | ((long) words.get(1) << 32);
    }

    /** The generator state's two words, as ints: as floats a signalling-NaN pattern might not survive. */
    private static IntBuffer words() {
        return ByteBuffer.allocateDirect(2 * Integer.BYTES).order(ByteOrder.nativeOrder()).asIntBuffer();
    }

    /** Twin of {@code Dropout.mask}: {@code mask = 0} (probability {@code p}) or {@code 1 / (1 - p)}. */
    public static void mask(CudaContext ctx, DevBuf mask, int n, float p, DevBuf rngState) {
        draw(ctx, null, null, mask, n, p, rngState);
    }

    /** Twin of {@code Dropout.forward}: a fresh mask and {@code y = x * mask} ({@code y} may be {@code x}). */
    public static void forward(CudaContext ctx, DevBuf x, DevBuf y, DevBuf mask, int n, float p, DevBuf rngState) {
        draw(ctx, x, y, mask, n, p, rngState);
    }

    /** Twin of {@code Dropout.backward}: {@code dx = dy * mask}. */
    public static void backward(CudaContext ctx, DevBuf dy, DevBuf mask, DevBuf dx, int n) {
        CudaElementwise.mul(ctx, dy, mask, dx, n);
    }

    private static void draw(CudaContext ctx, DevBuf x, DevBuf y, DevBuf mask, int n, float p, DevBuf rngState) {
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        if (rngState.size() != 2 || (rngState.address() & 7) != 0) {
            throw new IllegalArgumentException("the dropout generator state must be 2 floats at an 8-byte aligned address, got "
                    + rngState);
        }
        float scale = 1f / (1f - p);
        int threshold = (int) Math.round(p * (double) (1 << 24));
        ctx.launch(ctx.kernel(FORWARD), (n + 1L) / 2, ctx.args().ptr(x).ptr(y).ptr(mask).i(n).f(scale).i(threshold)
                .ptr(rngState));
        ctx.launch(ctx.kernel(ADVANCE), 1, 1, 1, 0, ctx.args().ptr(rngState).i(n));
    }
}
