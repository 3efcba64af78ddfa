package org.dnnc.runtime.cpu;

import java.nio.FloatBuffer;

/**
 * Parameter updates, in place, over {@code n} elements of a parameter view {@code p}, its gradient
 * {@code g} and the optimizer's state views (zero-filled before the first step, as an {@link Arena}
 * is). The formulas and their order of operations are PyTorch's ({@code torch.optim}, single-tensor
 * form), so that training moves like it does there.
 *
 * <p>The learning rate is passed on every step: schedules are computed by the caller. Every
 * optimizer takes {@code weightDecay} (L2: {@code g + weightDecay * p}, PyTorch's {@code
 * weight_decay}) and {@code l1} ({@code g + l1 * sign(p)}); the gradient view itself is left
 * untouched. {@code step} counts from 1.
 *
 * <p>If the memory planner lays out all parameters, their gradients and each state contiguously and
 * in the same order, one call updates the whole network. Each call runs over chunks staged in heap
 * arrays, where HotSpot vectorises the arithmetic (see {@code Chunks}). In a {@link CpuContext} of
 * two threads, {@link #adam} updates a large view in two halves side by side; every element is
 * computed alone, so the result is the same.
 *
 * <p>The CUDA twins ({@code org.dnnc.runtime.cuda.CudaOptimizers}) read the learning rate and the
 * step's values from device memory, which the step's gate fills on the device, and take the gate's
 * flag: where a CPU step skips these calls (a non-finite loss or gradient), the device's run and
 * change nothing.
 */
public final class Optimizers {

    private static final int CHUNK = Chunks.SIZE;

    /** The fewest parameters for which {@link #adam} splits its update over two threads. */
    private static final int SPLIT_MIN = 1 << 15;

    private static final ThreadLocal<AdamJob> ADAM = ThreadLocal.withInitial(AdamJob::new);

    private Optimizers() {}

    /** Plain SGD: {@code p -= lr * g}. */
    public static void sgd(Buf p, Buf g, int n, float lr, float weightDecay, float l1) {
        Chunks s = Chunks.get();
        float[] ps = s.a;
        float[] gs = s.b;
        for (int start = 0; start < n; start += CHUNK) {
            int len = Math.min(CHUNK, n - start);
            p.data.get(start, ps, 0, len);
            g.data.get(start, gs, 0, len);
            regularize(ps, gs, len, weightDecay, l1);
            for (int i = 0; i < len; i++) {
                ps[i] -= lr * gs[i];
            }
            p.data.put(start, ps, 0, len);
        }
    }

    /**
     * Plain SGD, {@code p -= lr * g}, on the rows of an embedding table {@code p [vocab, dim]} that
     * {@code rows} lists, whose gradients are the first rows of {@code g} (see {@link
     * Embedding#backwardRows}); every other row is left as it is, as {@link #sgd} with their zero
     * gradient would leave it. Each element is computed as there, so the rows are bit for bit
     * {@link #sgd}'s. After {@link EmbeddingRows#expand} it is {@link #sgd} on the whole table.
     */
    public static void sgdRows(Buf p, Buf g, EmbeddingRows rows, int vocab, int dim, float lr) {
        if (rows.dense()) {
            sgd(p, g, vocab * dim, lr, 0f, 0f);
            return;
        }
        FloatBuffer ps = p.data;
        FloatBuffer gs = g.data;
        for (int k = 0; k < rows.count(); k++) {
            int to = rows.row(k) * dim;
            int from = k * dim;
            for (int j = 0; j < dim; j++) {
                ps.put(to + j, ps.get(to + j) - lr * gs.get(from + j));
            }
        }
    }

    /**
     * SGD with momentum, PyTorch's convention: {@code buf = g} on step 1, then {@code buf = momentum
     * * buf + (1 - dampening) * g}; {@code p -= lr * (nesterov ? g + momentum * buf : buf)}.
     */
    public static void momentum(Buf p, Buf g, Buf velocity, int n, float lr, float momentum,
            float dampening, boolean nesterov, float weightDecay, float l1, long step) {
        Chunks s = Chunks.get();
        float[] ps = s.a;
        float[] gs = s.b;
        float[] bs = s.c;
        boolean first = step <= 1;
        float keep = 1f - dampening;
        for (int start = 0; start < n; start += CHUNK) {
            int len = Math.min(CHUNK, n - start);
            p.data.get(start, ps, 0, len);
            g.data.get(start, gs, 0, len);
            regularize(ps, gs, len, weightDecay, l1);
            if (first) {
                System.arraycopy(gs, 0, bs, 0, len);
            } else {
                velocity.data.get(start, bs, 0, len);
                for (int i = 0; i < len; i++) {
                    bs[i] = momentum * bs[i] + keep * gs[i];
                }
            }
            if (nesterov) {
                for (int i = 0; i < len; i++) {
                    ps[i] -= lr * (gs[i] + momentum * bs[i]);
                }
            } else {
                for (int i = 0; i < len; i++) {
                    ps[i] -= lr * bs[i];
                }
            }
            p.data.put(start, ps, 0, len);
            velocity.data.put(start, bs, 0, len);
        }
    }

    /** Adagrad: {@code sum += g^2; p -= lr * g / (sqrt(sum) + eps)}. */
    public static void adagrad(Buf p, Buf g, Buf sum, int n, float lr, float eps, float weightDecay, float l1) {
        Chunks s = Chunks.get();
        float[] ps = s.a;
        float[] gs = s.b;
        float[] ss = s.c;
        float negLr = -lr;
        for (int start = 0; start < n; start += CHUNK) {
            int len = Math.min(CHUNK, n - start);
            p.data.get(start, ps, 0, len);
            g.data.get(start, gs, 0, len);
            sum.data.get(start, ss, 0, len);
            regularize(ps, gs, len, weightDecay, l1);
            for (int i = 0; i < len; i++) {
                float gi = gs[i];
                float si = ss[i] + gi * gi;
                ss[i] = si;
                ps[i] += negLr * (gi / ((float) Math.sqrt(si) + eps));
            }
            p.data.put(start, ps, 0, len);
            sum.data.put(start, ss, 0, len);
        }
    }

    /** RMSprop: {@code v = alpha v + (1 - alpha) g^2; p -= lr * g / (sqrt(v) + eps)}. */
    public static void rmsprop(Buf p, Buf g, Buf meanSquare, int n, float lr, float alpha, float eps,
            float weightDecay, float l1) {
        Chunks s = Chunks.get();
        float[] ps = s.a;
        float[] gs = s.b;
        float[] vs = s.c;
        float negLr = -lr;
        float oneMinusAlpha = 1f - alpha;
        for (int start = 0; start < n; start += CHUNK) {
            int len = Math.min(CHUNK, n - start);
            p.data.get(start, ps, 0, len);
            g.data.get(start, gs, 0, len);
            meanSquare.data.get(start, vs, 0, len);
            regularize(ps, gs, len, weightDecay, l1);
            for (int i = 0; i < len; i++) {
                float gi = gs[i];
                float vi = vs[i] * alpha + oneMinusAlpha * gi * gi;
                vs[i] = vi;
                ps[i] += negLr * (gi / ((float) Math.sqrt(vi) + eps));
            }
            p.data.put(start, ps, 0, len);
            meanSquare.data.put(start, vs, 0, len);
        }
    }

    /**
     * RMSprop with momentum, PyTorch's form: {@code v = alpha v + (1 - alpha) g^2; buf = momentum *
     * buf + g / (sqrt(v) + eps); p -= lr * buf}. The buffer starts at zero, so unlike SGD's momentum
     * there is no special first step.
     */
    public static void rmspropMomentum(Buf p, Buf g, Buf meanSquare, Buf momentumBuffer, int n, float lr,
            float alpha, float eps, float momentum, float weightDecay, float l1) {
        Chunks s = Chunks.get();
        float[] ps = s.a;
        float[] gs = s.b;
        float[] vs = s.c;
        float[] bs = s.d;
        float negLr = -lr;
        float oneMinusAlpha = 1f - alpha;
        for (int start = 0; start < n; start += CHUNK) {
            int len = Math.min(CHUNK, n - start);
            p.data.get(start, ps, 0, len);
            g.data.get(start, gs, 0, len);
            meanSquare.data.get(start, vs, 0, len);
            momentumBuffer.data.get(start, bs, 0, len);
            regularize(ps, gs, len, weightDecay, l1);
            for (int i = 0; i < len; i++) {
                float gi = gs[i];
                float vi = vs[i] * alpha + oneMinusAlpha * gi * gi;
                vs[i] = vi;
                float bi = momentum * bs[i] + gi / ((float) Math.sqrt(vi) + eps);
                bs[i] = bi;
                ps[i] += negLr * bi;
            }
            p.data.put(start, ps, 0, len);
            meanSquare.data.put(start, vs, 0, len);
            momentumBuffer.data.put(start, bs, 0, len);
        }
    }

    /**
     * Adam with bias correction (PyTorch's {@code Adam}, where weight decay is L2 added to the
     * gradient, not AdamW): {@code m += (1 - b1)(g - m); v = b2 v + (1 - b2) g^2; p -= lr / (1 -
     * b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)}.
     */
    public static void adam(Buf p, Buf g, Buf m, Buf v, int n, float lr, float beta1, float beta2,
            float eps, float weightDecay, float l1, long step) {
        if (step < 1) {
            throw new IllegalArgumentException("adam step counts from 1, got " + step);
        }
        // Scalars in double as PyTorch computes them in Python, then rounded once.
        float negStepSize = (float) (-lr / (1 - Math.pow(beta1, step)));
        float invCorrection2Sqrt = (float) (1 / Math.sqrt(1 - Math.pow(beta2, step)));
        if (Workers.threads() >= 2 && n >= SPLIT_MIN) {
            AdamJob job = ADAM.get();
            job.set(p, g, m, v, n, negStepSize, invCorrection2Sqrt, beta1, beta2, eps, weightDecay, l1);
            try {
                Workers.runTwo(job);
            } finally {
                job.set(null, null, null, null, 0, 0f, 0f, 0f, 0f, 0f, 0f, 0f);
            }
        } else {
            adamRange(p, g, m, v, 0, n, negStepSize, invCorrection2Sqrt, beta1, beta2, eps, weightDecay, l1);
        }
    }

    private static void adamRange(Buf p, Buf g, Buf m, Buf v, int from, int to, float negStepSize,
            float invCorrection2Sqrt, float beta1, float beta2, float eps, float weightDecay, float l1) {
        Chunks s = Chunks.get();
        float[] ps = s.a;
        float[] gs = s.b;
        float[] ms = s.c;
        float[] vs = s.d;
        float oneMinusBeta1 = 1f - beta1;
        float oneMinusBeta2 = 1f - beta2;
        FloatBuffer pb = p.data;
        FloatBuffer gb = g.data;
        FloatBuffer mb = m.data;
        FloatBuffer vb = v.data;
        for (int start = from; start < to; start += CHUNK) {
            int len = Math.min(CHUNK, to - start);
            pb.get(start, ps, 0, len);
            gb.get(start, gs, 0, len);
            mb.get(start, ms, 0, len);
            vb.get(start, vs, 0, len);
            regularize(ps, gs, len, weightDecay, l1);
            for (int i = 0; i < len; i++) {
                float gi = gs[i];
                float mi = ms[i] + oneMinusBeta1 * (gi - ms[i]);
                float vi = vs[i] * beta2 + oneMinusBeta2 * gi * gi;
                ms[i] = mi;
                vs[i] = vi;
                ps[i] += negStepSize * (mi / ((float) Math.sqrt(vi) * invCorrection2Sqrt + eps));
            }
            pb.put(start, ps, 0, len);
            mb.put(start, ms, 0, len);
            vb.put(start, vs, 0, len);
        }
    }

    /** An Adam update split in two ranges of whole chunks, handed to {@link Workers}. */
    private static final class AdamJob implements Workers.Parts {
        private Buf p;
        private Buf g;
        private Buf m;
        private Buf v;
        private int n;
        private float negStepSize;
        private float invCorrection2Sqrt;
        private float beta1;
        private float beta2;
        private float eps;
        private float weightDecay;
        private float l1;

        void set(Buf p, Buf g, Buf m, Buf v, int n, float negStepSize, float invCorrection2Sqrt, float beta1,
                float beta2, float eps, float weightDecay, float l1) {
            this.p = p;
            this.g = g;
            this.m = m;
            this.v = v;
            this.n = n;
            this.negStepSize = negStepSize;
            this.invCorrection2Sqrt = invCorrection2Sqrt;
            this.beta1 = beta1;
            this.beta2 = beta2;
            this.eps = eps;
            this.weightDecay = weightDecay;
            this.l1 = l1;
        }

        @Override
        public void run(int part, int parts) {
            int chunks = (n + CHUNK - 1) / CHUNK;
            int from = Math.min(n, chunks * part / parts * CHUNK);
            int to = Math.min(n, chunks * (part + 1) / parts * CHUNK);
            adamRange(p, g, m, v, from, to, negStepSize, invCorrection2Sqrt, beta1, beta2, eps, weightDecay, l1);
        }
    }

    /** Adds the regularization terms to the staged gradient. */
    private static void regularize(float[] ps, float[] gs, int len, float weightDecay, float l1) {
        if (weightDecay != 0f) {
            for (int i = 0; i < len; i++) {
                gs[i] += weightDecay * ps[i];
            }
        }
        if (l1 != 0f) {
            for (int i = 0; i < len; i++) {
                gs[i] += l1 * Math.signum(ps[i]);
            }
        }
    }
}
