package org.dnnc.runtime.cpu;

/**
 * The dense (fully connected) layer with PyTorch's layout: {@code x [batch, in]}, {@code W [out,
 * in]}, {@code b [out]}, {@code y = act(x W^T + b) [batch, out]}. One GEMM each for forward, input
 * gradient and weight gradient; bias, activation and the bias gradient ride along in the
 * {@link Activations} epilogues.
 *
 * <p>A training step through one layer is, in order:
 *
 * <pre>{@code
 * Dense.forward(x, w, b, y, batch, in, out, act, param);           // y saved for backward
 * Activations.biasBackward(act, param, y, dy, dz, db, batch, out, false); // dz may be dy
 * Dense.backwardWeights(dz, x, dw, batch, in, out, false);
 * Dense.backwardInput(dz, w, dx, batch, in, out, false);           // skip for the first layer
 * }</pre>
 *
 * <p>The {@code accumulate} flags add to the gradient instead of overwriting it, for a weight
 * shared by two call sites or a value that feeds several layers; they cost nothing (GEMM's beta).
 *
 * <p>A call of at least {@link #ONEDNN_MIN_MACS} multiply-adds runs in oneDNN's matmul where the
 * context lets oneDNN run ({@link OneDnn#usable}); the wide MLP's layers run there up to 1.4× as
 * fast as below ({@code bench/DenseProbe.java}). Otherwise, in a {@link CpuContext} of two threads
 * a large call runs in two halves side by side, each a GEMM over the whole batch: forward and
 * weight gradient split the output features, input gradient the input features. (Halves of the
 * batch were slower: OpenBLAS runs a 32-row GEMM well below the speed of a 64-row one.) No sums
 * are split, but OpenBLAS may block a half-size GEMM differently, so results can differ in the
 * last bits, as they do when OpenBLAS's own thread count changes, or between a context where
 * oneDNN runs and one where it may not.
 */
public final class Dense {

    /**
     * The fewest multiply-adds for which a call is split over two threads ({@link Workers}): below
     * it the hand-over costs about what the second core saves.
     */
    private static final long SPLIT_MIN_MACS = 1L << 20;

    /**
     * The fewest multiply-adds for which a call runs in oneDNN's matmul whatever ran before it. Below
     * it, what oneDNN saves on the GEMM is lost to handing the cores back and forth between OpenMP's
     * team and the context's helper, which runs the element-wise kernels between the calls: with
     * every call in oneDNN, the Fashion MLP (at most 12.8 million per call) trained 20% slower.
     * {@code dnnc graph --explain} names each call's side of it.
     */
    public static final long ONEDNN_MIN_MACS = 1L << 24;

    private static final int FORWARD = 0;
    private static final int BACKWARD_INPUT = 1;
    private static final int BACKWARD_WEIGHTS = 2;

    private static final ThreadLocal<Job> JOB = ThreadLocal.withInitial(Job::new);

    private Dense() {}

    /**
     * {@code y = act(x W^T + b)}; {@code bias} may be {@code null}. {@code y} must not overlap
     * {@code x} or {@code w}.
     */
    public static void forward(Buf x, Buf w, Buf bias, Buf y, int batch, int in, int out,
            Activation act, float param) {
        if (OneDnnDense.forward(x, w, bias, y, batch, in, out, act, param)) {
            return;
        }
        if (split(out, batch, in, out)) {
            run(FORWARD, x, w, bias, y, batch, in, out, act, param, false);
        } else {
            forwardColumns(x, w, bias, y, batch, 0, out, in, out, act, param);
        }
    }

    /** {@code dx = dz W} ({@code dx += dz W} when {@code accumulate}), {@code dz [batch, out]}. */
    public static void backwardInput(Buf dz, Buf w, Buf dx, int batch, int in, int out, boolean accumulate) {
        if (OneDnnDense.inputGradient(dz, w, dx, batch, in, out, accumulate)) {
            return;
        }
        if (split(in, batch, in, out)) {
            run(BACKWARD_INPUT, dz, w, null, dx, batch, in, out, Activation.IDENTITY, 0f, accumulate);
        } else {
            backwardInputColumns(dz, w, dx, batch, 0, in, in, out, accumulate);
        }
    }

    /** {@code dW = dz^T x} ({@code dW += dz^T x} when {@code accumulate}), {@code dW [out, in]}. */
    public static void backwardWeights(Buf dz, Buf x, Buf dw, int batch, int in, int out, boolean accumulate) {
        if (OneDnnDense.weightGradient(dz, x, dw, batch, in, out, accumulate)) {
            return;
        }
        if (split(out, batch, in, out)) {
            run(BACKWARD_WEIGHTS, dz, x, null, dw, batch, in, out, Activation.IDENTITY, 0f, accumulate);
        } else {
            backwardWeightsRows(dz, x, dw, 0, out, batch, in, out, accumulate);
        }
    }

    /**
     * {@code db[c] = sum_r dz[r, c]} ({@code +=} when {@code accumulate}), for a layer without a
     * fused activation; with one, {@link Activations#biasBackward} computes it in the same pass.
     */
    public static void backwardBias(Buf dz, Buf db, int batch, int out, boolean accumulate) {
        Activations.biasBackward(Activation.IDENTITY, 0f, dz, dz, dz, db, batch, out, accumulate);
    }

    /** Whether to split a call whose split dimension is {@code length} long. */
    private static boolean split(int length, int batch, int in, int out) {
        return Workers.threads() >= 2 && length >= 2 && (long) batch * in * out >= SPLIT_MIN_MACS;
    }

    private static void run(int kind, Buf a, Buf b, Buf bias, Buf c, int batch, int in, int out, Activation act,
            float param, boolean accumulate) {
        Job job = JOB.get();
        job.set(kind, a, b, bias, c, batch, in, out, act, param, accumulate);
        try {
            Workers.runTwo(job);
        } finally {
            job.set(0, null, null, null, null, 0, 0, 0, null, 0f, false);
        }
    }

    /** Output features {@code [from, to)} of every example: those rows of {@code W}, then their epilogue. */
    private static void forwardColumns(Buf x, Buf w, Buf bias, Buf y, int batch, int from, int to, int in, int out,
            Activation act, float param) {
        Blas.sgemm(false, true, batch, to - from, in, 1f, x, 0, in, w, from * in, in, 0f, y, from, out);
        if (bias != null || act != Activation.IDENTITY) {
            Activations.biasForwardColumns(act, param, y, bias, batch, from, to, out);
        }
    }

    /** Input features {@code [from, to)} of every example's {@code dx}: those columns of {@code W}. */
    private static void backwardInputColumns(Buf dz, Buf w, Buf dx, int batch, int from, int to, int in, int out,
            boolean accumulate) {
        Blas.sgemm(false, false, batch, to - from, out, 1f, dz, 0, out, w, from, in, accumulate ? 1f : 0f,
                dx, from, in);
    }

    /** Rows {@code [from, to)} of {@code dW}: those output features' columns of {@code dz} times {@code x}. */
    private static void backwardWeightsRows(Buf dz, Buf x, Buf dw, int from, int to, int batch, int in, int out,
            boolean accumulate) {
        Blas.sgemm(true, false, to - from, in, batch, 1f, dz, from, out, x, 0, in, accumulate ? 1f : 0f,
                dw, from * in, in);
    }

    /** One call split in two, handed to {@link Workers} through this per-caller object. */
    private static final class Job implements Workers.Parts {
        private int kind;
        private Buf a;
        private Buf b;
        private Buf bias;
        private Buf c;
        private int batch;
        private int in;
        private int out;
        private Activation act;
        private float param;
        private boolean accumulate;

        void set(int kind, Buf a, Buf b, Buf bias, Buf c, int batch, int in, int out, Activation act, float param,
                boolean accumulate) {
            this.kind = kind;
            this.a = a;
            this.b = b;
            this.bias = bias;
            this.c = c;
            this.batch = batch;
            this.in = in;
            this.out = out;
            this.act = act;
            this.param = param;
            this.accumulate = accumulate;
        }

        @Override
        public void run(int part, int parts) {
            int length = kind == BACKWARD_INPUT ? in : out;
            int from = (int) ((long) length * part / parts);
            int to = (int) ((long) length * (part + 1) / parts);
            switch (kind) {
                case FORWARD -> forwardColumns(a, b, bias, c, batch, from, to, in, out, act, param);
                case BACKWARD_INPUT -> backwardInputColumns(a, b, c, batch, from, to, in, out, accumulate);
                case BACKWARD_WEIGHTS -> backwardWeightsRows(a, b, c, from, to, batch, in, out, accumulate);
                default -> throw new AssertionError(kind);
            }
        }
    }
}
