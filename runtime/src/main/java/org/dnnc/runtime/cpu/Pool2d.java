package org.dnnc.runtime.cpu;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Max and average pooling over {@code x [N, C, H, W]} to {@code y [N, C, oh, ow]}, forward and
 * backward, with the window, strides and symmetric padding of a {@link PoolGeometry}. Each plane is
 * staged on the heap, pooled there and written back whole; nothing is allocated per call and no
 * scratch view is needed.
 *
 * <p>Max pooling follows PyTorch: padding never wins (it counts as {@code -inf}), the first maximum
 * in row-major window order wins ties, and a NaN wins over any number. (The 2x2 forward loop takes
 * {@link Math#max}, which differs only in returning {@code +0.0} for a window of {@code -0.0} and
 * {@code +0.0}, and its backward loop sends the gradient of a window whose maximum is NaN to the
 * window's last pixel rather than to its last NaN.) The backward pass
 * <em>recomputes</em> each window's winner from the saved input instead of reading indices recorded
 * by the forward pass: the input is alive anyway (it is the previous layer's saved output), the
 * recomputation is one more read of it, and it spares the planner an int buffer per pooling layer
 * as large as the output. It finds the same winners, so the gradient is PyTorch's.
 *
 * <p>Average pooling divides by the window's size including padding ({@code count_include_pad},
 * PyTorch's default) or, with {@code countIncludePad = false}, by the number of input pixels under
 * the window (Keras' convention for {@code same} pooling).
 *
 * <p>{@code maxpool(2)} has loops of its own, forward and backward. On planes at least 14 wide they
 * take each window's maximum from a vectorised pass over the plane ({@code pairMaxes}): one scalar
 * {@link Math#max} per window instead of three; the rest (the stride-2 reads and writes, the
 * winner's masks) stays scalar, since HotSpot 17 vectorises neither strided accesses nor float
 * compares. Measured by {@code MaxPool2x2Bench} (one thread, a batch of 64, minimum of 21 rounds,
 * load average about 2 on a shared two-core machine; before -> after, microseconds per batch):
 * forward 16x28x28 508 -> 306, 32x28x28 1017 -> 614, 32x14x14 280 -> 219, 64x14x14 565 -> 432;
 * backward 16x28x28 1011 -> 844, 32x28x28 2030 -> 1691, 32x14x14 542 -> 495, 64x14x14 1088 -> 997.
 * Narrower planes keep the per-window loops: 64x7x7, 128x8x8 and 256x4x4 measured 1-6% slower
 * forward (the same loop as before, behind one more test) and the same backward.
 */
public final class Pool2d {

    private static final int IN = 0;
    private static final int OUT = 1;
    private static final int GRAD = 2;
    private static final int PAIRS = 3;

    /**
     * The narrowest plane for which the 2x2 loops take their window maxima from {@link #pairMaxes}:
     * its fixed cost (a copy and a loop over the plane) is repaid from about this width on (measured
     * on 14x14 planes; 8x8 planes were slower with it).
     */
    private static final int PAIR_PASS_MIN_WIDTH = 14;

    private static final int MAX_FORWARD = 0;
    private static final int MAX_BACKWARD = 1;
    private static final int AVG_FORWARD = 2;
    private static final int AVG_BACKWARD = 3;

    private static final ThreadLocal<Job> JOB = ThreadLocal.withInitial(Job::new);

    private Pool2d() {}

    /** {@code y = maxpool(x)}. */
    public static void maxForward(PoolGeometry g, Buf x, Buf y, int batch) {
        run(MAX_FORWARD, g, x, null, y, batch, false, false);
    }

    /**
     * {@code dx} from {@code dy}: each window's gradient goes to the input pixel that won its maximum
     * ({@code dx +=} when {@code accumulate}). {@code x} is the forward pass's input.
     */
    public static void maxBackward(PoolGeometry g, Buf x, Buf dy, Buf dx, int batch, boolean accumulate) {
        run(MAX_BACKWARD, g, x, dy, dx, batch, false, accumulate);
    }

    /** {@code y = avgpool(x)}, dividing as {@code countIncludePad} says (see the class comment). */
    public static void avgForward(PoolGeometry g, Buf x, Buf y, int batch, boolean countIncludePad) {
        run(AVG_FORWARD, g, x, null, y, batch, countIncludePad, false);
    }

    /** {@code dx} from {@code dy}, each window's gradient spread over it ({@code dx +=} when {@code accumulate}). */
    public static void avgBackward(PoolGeometry g, Buf dy, Buf dx, int batch, boolean countIncludePad,
            boolean accumulate) {
        run(AVG_BACKWARD, g, null, dy, dx, batch, countIncludePad, accumulate);
    }

    /**
     * Runs one kernel over every plane, split in two halves over two threads when {@link Workers}
     * allows it (planes are independent, and each thread stages them in its own arrays).
     */
    private static void run(int kind, PoolGeometry g, Buf x, Buf dy, Buf out, int batch, boolean countIncludePad,
            boolean accumulate) {
        int planes = batch * g.channels();
        if (Workers.threads() >= 2 && batch >= 2) {
            Job job = JOB.get();
            job.set(kind, g, x, dy, out, planes, countIncludePad, accumulate);
            try {
                Workers.runTwo(job);
            } finally {
                job.clear();
            }
        } else {
            planes(kind, g, x, dy, out, countIncludePad, accumulate, 0, planes);
        }
    }

    private static void planes(int kind, PoolGeometry g, Buf x, Buf dy, Buf out, boolean countIncludePad,
            boolean accumulate, int from, int to) {
        switch (kind) {
            case MAX_FORWARD -> maxForwardPlanes(g, x, out, from, to);
            case MAX_BACKWARD -> maxBackwardPlanes(g, x, dy, out, accumulate, from, to);
            case AVG_FORWARD -> avgForwardPlanes(g, x, out, countIncludePad, from, to);
            default -> avgBackwardPlanes(g, dy, out, countIncludePad, accumulate, from, to);
        }
    }

    /** One call's arguments, preallocated per calling thread so that splitting allocates nothing. */
    private static final class Job implements Workers.Parts {
        private int kind;
        private PoolGeometry g;
        private Buf x;
        private Buf dy;
        private Buf out;
        private int planes;
        private boolean countIncludePad;
        private boolean accumulate;

        void set(int kind, PoolGeometry g, Buf x, Buf dy, Buf out, int planes, boolean countIncludePad,
                boolean accumulate) {
            this.kind = kind;
            this.g = g;
            this.x = x;
            this.dy = dy;
            this.out = out;
            this.planes = planes;
            this.countIncludePad = countIncludePad;
            this.accumulate = accumulate;
        }

        void clear() {
            set(0, null, null, null, null, 0, false, false);
        }

        @Override
        public void run(int part, int parts) {
            // Split on example boundaries, so that each half is whole examples.
            int examples = planes / g.channels();
            int from = examples * part / parts * g.channels();
            int to = examples * (part + 1) / parts * g.channels();
            planes(kind, g, x, dy, out, countIncludePad, accumulate, from, to);
        }
    }

    /** {@link #maxForward} over the planes {@code [from, to)} of the batch. */
    private static void maxForwardPlanes(PoolGeometry g, Buf x, Buf y, int from, int to) {
        int height = g.height();
        int width = g.width();
        int oh = g.outHeight();
        int ow = g.outWidth();
        Staging s = Staging.get();
        float[] in = s.floats(IN, height * width);
        float[] out = s.floats(OUT, oh * ow);
        float[] pairs = s.floats(PAIRS, height * width);
        FloatBuffer xs = x.data;
        FloatBuffer ys = y.data;
        for (int plane = from; plane < to; plane++) {
            xs.get(plane * height * width, in, 0, height * width);
            maxPlane(g, in, out, pairs);
            ys.put(plane * oh * ow, out, 0, oh * ow);
        }
    }

    /** {@link #maxBackward} over the planes {@code [from, to)} of the batch. */
    private static void maxBackwardPlanes(PoolGeometry g, Buf x, Buf dy, Buf dx, boolean accumulate, int from, int to) {
        int height = g.height();
        int width = g.width();
        int oh = g.outHeight();
        int ow = g.outWidth();
        Staging s = Staging.get();
        float[] in = s.floats(IN, height * width);
        float[] grad = s.floats(OUT, oh * ow);
        float[] acc = s.floats(GRAD, height * width);
        float[] pairs = s.floats(PAIRS, height * width);
        FloatBuffer xs = x.data;
        FloatBuffer dys = dy.data;
        FloatBuffer dxs = dx.data;
        boolean assign = !accumulate && tiles(g);
        for (int plane = from; plane < to; plane++) {
            int inOffset = plane * height * width;
            xs.get(inOffset, in, 0, height * width);
            dys.get(plane * oh * ow, grad, 0, oh * ow);
            if (accumulate) {
                dxs.get(inOffset, acc, 0, height * width);
            } else if (!assign) {
                Arrays.fill(acc, 0, height * width, 0f);
            }
            maxPlaneBackward(g, in, grad, acc, assign, false, pairs);
            dxs.put(inOffset, acc, 0, height * width);
        }
    }

    /**
     * Max-pools one plane staged in {@code in} ({@code height x width}) into {@code out} ({@code oh x
     * ow}); {@code pairs} is scratch of the plane's size for {@link #pairMaxes}.
     */
    static void maxPlane(PoolGeometry g, float[] in, float[] out, float[] pairs) {
        int height = g.height();
        int width = g.width();
        int oh = g.outHeight();
        int ow = g.outWidth();
        if (isTwoByTwo(g)) {
            if (width >= PAIR_PASS_MIN_WIDTH && oh > 0) {
                pairMaxes(g, in, pairs);
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0, i = 2 * oy * width, o = oy * ow; ox < ow; ox++, i += 2, o++) {
                        out[o] = Math.max(pairs[i], pairs[i + width]);
                    }
                }
                return;
            }
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0, i = 2 * oy * width, o = oy * ow; ox < ow; ox++, i += 2, o++) {
                    // Math.max is branch-free: on ReLU outputs a compare-and-branch per pixel
                    // is mispredicted so often that this loop ran 4x slower with it.
                    out[o] = Math.max(Math.max(in[i], in[i + 1]), Math.max(in[i + width], in[i + width + 1]));
                }
            }
        } else {
            for (int oy = 0; oy < oh; oy++) {
                int y0 = oy * g.strideH() - g.padH();
                int y1 = Math.min(y0 + g.kernelH(), height);
                y0 = Math.max(y0, 0);
                for (int ox = 0; ox < ow; ox++) {
                    int x0 = ox * g.strideW() - g.padW();
                    int x1 = Math.min(x0 + g.kernelW(), width);
                    x0 = Math.max(x0, 0);
                    out[oy * ow + ox] = in[argmax(in, width, y0, y1, x0, x1)];
                }
            }
        }
    }

    /**
     * Sends each window's gradient {@code grad} ({@code oh x ow}) to the pixel of the plane {@code
     * in} that won its maximum, in {@code acc} ({@code height x width}): added to it, or with {@code
     * assign} (only where {@link #tiles}) written over it. With {@code relu}, {@code in} holds ReLU
     * outputs and a window sends {@link #reluGate}'s {@code +0} where its winner is not positive:
     * what {@link BatchNorm#reluMask} over the plane afterwards gives, bit for bit, since only
     * winners receive anything, at a test per window instead of per pixel. {@code pairs} is scratch
     * of the plane's size for {@link #pairMaxes}.
     */
    static void maxPlaneBackward(PoolGeometry g, float[] in, float[] grad, float[] acc, boolean assign, boolean relu,
            float[] pairs) {
        int height = g.height();
        int width = g.width();
        int oh = g.outHeight();
        int ow = g.outWidth();
        if (isTwoByTwo(g)) {
            if (width >= PAIR_PASS_MIN_WIDTH && oh > 0) {
                pairMaxes(g, in, pairs);
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0, i = 2 * oy * width, o = oy * ow; ox < ow; ox++, i += 2, o++) {
                        float max = Math.max(pairs[i], pairs[i + width]);
                        sendToWinner(in, acc, i, width, max, relu ? gate(in, i, width, max, grad[o]) : grad[o],
                                assign);
                    }
                }
                return;
            }
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0, i = 2 * oy * width, o = oy * ow; ox < ow; ox++, i += 2, o++) {
                    float max = Math.max(Math.max(in[i], in[i + 1]), Math.max(in[i + width], in[i + width + 1]));
                    sendToWinner(in, acc, i, width, max, relu ? gate(in, i, width, max, grad[o]) : grad[o], assign);
                }
            }
        } else {
            for (int oy = 0; oy < oh; oy++) {
                int y0 = oy * g.strideH() - g.padH();
                int y1 = Math.min(y0 + g.kernelH(), height);
                y0 = Math.max(y0, 0);
                for (int ox = 0; ox < ow; ox++) {
                    int x0 = ox * g.strideW() - g.padW();
                    int x1 = Math.min(x0 + g.kernelW(), width);
                    x0 = Math.max(x0, 0);
                    int winner = argmax(in, width, y0, y1, x0, x1);
                    acc[winner] += relu ? reluGate(in[winner], grad[oy * ow + ox]) : grad[oy * ow + ox];
                }
            }
        }
    }

    /**
     * {@link #reluGate} by the value of the 2x2 window at {@code i}'s winner (see {@link #sendToWinner}):
     * its maximum, or where that is NaN (no pixel equals it), the last pixel.
     */
    private static float gate(float[] in, int i, int width, float max, float grad) {
        return reluGate(max == max ? max : in[i + width + 1], grad);
    }

    /**
     * {@code grad} where {@code y}'s bits are a positive int ({@code y > 0}, or a positive NaN), else
     * {@code +0}: {@link BatchNorm#reluMask}'s test for one value. A winner equal to its window's
     * maximum but for the sign of a zero gets the same answer, as neither zero is positive.
     */
    static float reluGate(float y, float grad) {
        int b = Float.floatToRawIntBits(y);
        return Float.intBitsToFloat(Float.floatToRawIntBits(grad) & ((-b & ~b) >> 31));
    }

    /**
     * Sends {@code grad} to the first pixel of the 2x2 window at {@code i} that equals its maximum
     * {@code max} ({@code d} when {@code max} is NaN, as no pixel equals it), {@code +0.0} to the
     * others: added to {@code acc} or with {@code assign} written over it. Branch-free (2.5x faster
     * on ReLU outputs than compare-and-branch), the winner chosen by bit masks; C2 inlines it and
     * unswitches the callers' loops on {@code assign}.
     */
    private static void sendToWinner(float[] in, float[] acc, int i, int width, float max, float grad,
            boolean assign) {
        int gradBits = Float.floatToRawIntBits(grad);
        int ea = in[i] == max ? -1 : 0;
        int eb = (in[i + 1] == max ? -1 : 0) & ~ea;
        int ec = (in[i + width] == max ? -1 : 0) & ~(ea | eb);
        int ed = ~(ea | eb | ec);
        if (assign) {
            acc[i] = Float.intBitsToFloat(gradBits & ea);
            acc[i + 1] = Float.intBitsToFloat(gradBits & eb);
            acc[i + width] = Float.intBitsToFloat(gradBits & ec);
            acc[i + width + 1] = Float.intBitsToFloat(gradBits & ed);
        } else {
            acc[i] += Float.intBitsToFloat(gradBits & ea);
            acc[i + 1] += Float.intBitsToFloat(gradBits & eb);
            acc[i + width] += Float.intBitsToFloat(gradBits & ec);
            acc[i + width + 1] += Float.intBitsToFloat(gradBits & ed);
        }
    }

    /**
     * {@code pairs[k] = max(in[k], in[k + 1])} for every {@code k} up to the last bottom-left pixel of
     * a 2x2 window, so that a window at {@code i} has the maximum {@code max(pairs[i], pairs[i +
     * width])}: {@code max(max(a, b), max(c, d))}, the same expression, hence the same float (NaN
     * included), as the per-window loop computes. A window then costs one scalar {@link Math#max}
     * instead of three (C2's scalar float max is several instructions, for NaN and signed zeros),
     * because this loop is vectorised: it reads two arrays at one index. A loop reading one array at two
     * offsets ({@code in[k]}, {@code in[k + 1]}) is not vectorised by HotSpot 17's SuperWord, which
     * is why the plane is first copied shifted by one pixel into {@code pairs}.
     */
    private static void pairMaxes(PoolGeometry g, float[] in, float[] pairs) {
        int n = (2 * g.outHeight() - 1) * g.width() + 2 * g.outWidth() - 1;
        System.arraycopy(in, 1, pairs, 0, n);
        for (int k = 0; k < n; k++) {
            pairs[k] = Math.max(in[k], pairs[k]);
        }
    }

    /**
     * Whether the 2x2 windows of stride 2 tile the plane (even height and width): then each pixel is
     * written once by {@link #maxPlaneBackward}, and the plane need not be cleared first.
     */
    static boolean tiles(PoolGeometry g) {
        return isTwoByTwo(g) && 2 * g.outHeight() == g.height() && 2 * g.outWidth() == g.width();
    }

    /** {@link #avgForward} over the planes {@code [from, to)} of the batch. */
    private static void avgForwardPlanes(PoolGeometry g, Buf x, Buf y, boolean countIncludePad, int from, int to) {
        int height = g.height();
        int width = g.width();
        int oh = g.outHeight();
        int ow = g.outWidth();
        Staging s = Staging.get();
        float[] in = s.floats(IN, height * width);
        float[] out = s.floats(OUT, oh * ow);
        FloatBuffer xs = x.data;
        FloatBuffer ys = y.data;
        for (int plane = from; plane < to; plane++) {
            xs.get(plane * height * width, in, 0, height * width);
            for (int oy = 0; oy < oh; oy++) {
                int y0 = oy * g.strideH() - g.padH();
                int y1 = Math.min(y0 + g.kernelH(), height + g.padH());
                int rows = y1 - y0;
                y0 = Math.max(y0, 0);
                y1 = Math.min(y1, height);
                for (int ox = 0; ox < ow; ox++) {
                    int x0 = ox * g.strideW() - g.padW();
                    int x1 = Math.min(x0 + g.kernelW(), width + g.padW());
                    int cols = x1 - x0;
                    x0 = Math.max(x0, 0);
                    x1 = Math.min(x1, width);
                    float sum = 0f;
                    for (int iy = y0; iy < y1; iy++) {
                        for (int ix = x0; ix < x1; ix++) {
                            sum += in[iy * width + ix];
                        }
                    }
                    int divisor = countIncludePad ? rows * cols : (y1 - y0) * (x1 - x0);
                    out[oy * ow + ox] = sum / divisor;
                }
            }
            ys.put(plane * oh * ow, out, 0, oh * ow);
        }
    }

    /** {@link #avgBackward} over the planes {@code [from, to)} of the batch. */
    private static void avgBackwardPlanes(PoolGeometry g, Buf dy, Buf dx, boolean countIncludePad,
            boolean accumulate, int from, int to) {
        int height = g.height();
        int width = g.width();
        int oh = g.outHeight();
        int ow = g.outWidth();
        Staging s = Staging.get();
        float[] grad = s.floats(OUT, oh * ow);
        float[] acc = s.floats(GRAD, height * width);
        FloatBuffer dys = dy.data;
        FloatBuffer dxs = dx.data;
        for (int plane = from; plane < to; plane++) {
            int inOffset = plane * height * width;
            dys.get(plane * oh * ow, grad, 0, oh * ow);
            if (accumulate) {
                dxs.get(inOffset, acc, 0, height * width);
            } else {
                Arrays.fill(acc, 0, height * width, 0f);
            }
            for (int oy = 0; oy < oh; oy++) {
                int y0 = oy * g.strideH() - g.padH();
                int y1 = Math.min(y0 + g.kernelH(), height + g.padH());
                int rows = y1 - y0;
                y0 = Math.max(y0, 0);
                y1 = Math.min(y1, height);
                for (int ox = 0; ox < ow; ox++) {
                    int x0 = ox * g.strideW() - g.padW();
                    int x1 = Math.min(x0 + g.kernelW(), width + g.padW());
                    int cols = x1 - x0;
                    x0 = Math.max(x0, 0);
                    x1 = Math.min(x1, width);
                    int divisor = countIncludePad ? rows * cols : (y1 - y0) * (x1 - x0);
                    float share = grad[oy * ow + ox] / divisor;
                    for (int iy = y0; iy < y1; iy++) {
                        for (int ix = x0; ix < x1; ix++) {
                            acc[iy * width + ix] += share;
                        }
                    }
                }
            }
            dxs.put(inOffset, acc, 0, height * width);
        }
    }

    /** Whether this is {@code maxpool(2)}: 2x2 windows, stride 2, no padding, with its own loop. */
    static boolean isTwoByTwo(PoolGeometry g) {
        return g.kernelH() == 2 && g.kernelW() == 2 && g.strideH() == 2 && g.strideW() == 2 && g.padH() == 0
                && g.padW() == 0;
    }

    /** The index in {@code plane} of the window's maximum, PyTorch's way (first wins; NaN wins). */
    private static int argmax(float[] plane, int width, int y0, int y1, int x0, int x1) {
        int best = y0 * width + x0;
        float max = Float.NEGATIVE_INFINITY;
        for (int iy = y0; iy < y1; iy++) {
            for (int ix = x0, i = iy * width + x0; ix < x1; ix++, i++) {
                float v = plane[i];
                if (v > max || Float.isNaN(v)) {
                    max = v;
                    best = i;
                }
            }
        }
        return best;
    }
}
