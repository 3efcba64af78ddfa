package org.dnnc.runtime.cpu;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The bias and activation after a convolution's GEMM, {@code y[o, p] = act(y[o, p] + bias[o])},
 * one example at a time while its output is still in cache ({@link Conv2d}'s forward pass).
 *
 * <p>On maps of {@link #CHANNEL_FROM} positions or more it runs channel by channel: a copy in, a
 * loop with the channel's bias in a register, a copy out. On smaller maps those per-channel fixed
 * costs outweighed the arithmetic, so it stages about {@link #GROUP_FLOATS} floats of whole channels
 * at a time and adds a bias per position ({@link #biasRow}), in one loop that vectorises. 64
 * examples, one thread, per channel against grouped: 128 channels of 7x7 223 to 88 us, 256 of 4x4
 * 305 to 57; but 64 of 14x14 157 to 172 and 16 of 28x28 135 to 172. The same floats either way,
 * each adding the same bias.
 */
final class ConvEpilogue {

    // Staging slots, clear of Im2col's (0 to 2), which the same example's forward pass uses.
    private static final int BLOCK = 3;
    private static final int BIAS_ROW = 5;

    /** About how many floats a grouped call stages at a time: with the bias row, within L1. */
    private static final int GROUP_FLOATS = 4096;

    /** Positions per channel from which the epilogue runs channel by channel. */
    private static final int CHANNEL_FROM = 128;

    private ConvEpilogue() {}

    /**
     * This thread's per-position bias for {@link #apply} over {@code filters} channels of {@code
     * spatial} positions ({@code bias[o]} repeated, 0 without a bias, which adds as the per-channel
     * loop's {@code + 0f} does), or {@code null} where the epilogue runs channel by channel. Made once
     * per call of the forward pass, before its examples.
     */
    static float[] biasRow(Buf bias, int filters, int spatial) {
        if (spatial >= CHANNEL_FROM) {
            return null;
        }
        float[] row = Staging.get().floats(BIAS_ROW, filters * spatial);
        for (int o = 0; o < filters; o++) {
            Arrays.fill(row, o * spatial, (o + 1) * spatial, bias == null ? 0f : bias.data.get(o));
        }
        return row;
    }

    /**
     * The epilogue of one example's {@code [filters, spatial]} output at {@code offset}: grouped with
     * {@code biasRow} from {@link #biasRow}, else channel by channel with {@code bias} (which may be
     * {@code null}).
     */
    static void apply(Activation act, float param, Buf y, int offset, Buf bias, float[] biasRow, int filters,
            int spatial) {
        if (biasRow != null) {
            grouped(act, param, y, offset, biasRow, filters * spatial, spatial);
        } else {
            perChannel(act, param, y, offset, bias, filters, spatial);
        }
    }

    private static void perChannel(Activation act, float param, Buf y, int offset, Buf bias, int rows, int cols) {
        float[] row = Staging.get().floats(BLOCK, cols);
        FloatBuffer ys = y.data;
        for (int r = 0, o = offset; r < rows; r++, o += cols) {
            float b = bias == null ? 0f : bias.data.get(r);
            ys.get(o, row, 0, cols);
            Activations.applyWithBias(act, param, row, cols, b);
            ys.put(o, row, 0, cols);
        }
    }

    private static void grouped(Activation act, float param, Buf y, int offset, float[] biasRow, int length,
            int cols) {
        int group = Math.max(1, GROUP_FLOATS / cols) * cols;
        // Staged at the bias row's indices: the loop vectorises only with one index for both arrays.
        float[] block = Staging.get().floats(BLOCK, length);
        FloatBuffer ys = y.data;
        for (int from = 0; from < length; from += group) {
            int count = Math.min(group, length - from);
            ys.get(offset + from, block, from, count);
            Activations.applyWithBiasRow(act, param, block, biasRow, from, from + count);
            ys.put(offset + from, block, from, count);
        }
    }
}
