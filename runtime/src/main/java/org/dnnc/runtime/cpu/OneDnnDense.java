package org.dnnc.runtime.cpu;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.dnnl_ab;
import static org.bytedeco.dnnl.global.dnnl.dnnl_ba;
import static org.bytedeco.dnnl.global.dnnl.dnnl_matmul_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_destroy;

import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;

/**
 * {@link Dense}'s three GEMMs as oneDNN matmuls on dnnc's views, in their row-major layouts: no
 * reorder, the transposes as strides. The bias and activation of a forward pass, and the
 * accumulation of a gradient, run inside oneDNN's kernel as post-ops.
 *
 * <p>On this project's 2-core machine ({@code bench/DenseProbe.java}) oneDNN ran the wide MLP's
 * 64×4096×4096 forward pass at 169–173 against OpenBLAS's 123–124 GFLOP/s split over two threads,
 * its input gradient at 153–157 against 128–129 and its weight gradient about even (156–163
 * against 161–162); the inference batch's 256×4096×4096 forward at 210 against 173–174.
 *
 * <p>Like {@link OneDnnConv}'s calls, the primitives are made on a context's first call for a pass,
 * shape and batch, kept for the last {@link OneDnnCache#CACHED}, and freed when evicted or when the
 * context closes.
 */
final class OneDnnDense {

    /** The dense layer's passes. */
    enum Kind { FORWARD, INPUT_GRADIENT, WEIGHT_GRADIENT }

    private OneDnnDense() {}

    /**
     * {@code y = act(x W^T + b)}, or {@code false} without touching {@code y} when oneDNN does not
     * run it: a call not {@link #worth} it, or one that {@link OneDnnCache#of} refuses.
     */
    static boolean forward(Buf x, Buf w, Buf bias, Buf y, int batch, int in, int out, Activation act, float param) {
        return run(Kind.FORWARD, x, w, bias, y, batch, in, out, act, param, false);
    }

    /** {@code dx = dz W} ({@code +=} when {@code accumulate}), or {@code false} as {@link #forward}. */
    static boolean inputGradient(Buf dz, Buf w, Buf dx, int batch, int in, int out, boolean accumulate) {
        return run(Kind.INPUT_GRADIENT, dz, w, null, dx, batch, in, out, Activation.IDENTITY, 0f, accumulate);
    }

    /** {@code dW = dz^T x} ({@code +=} when {@code accumulate}), or {@code false} as {@link #forward}. */
    static boolean weightGradient(Buf dz, Buf x, Buf dw, int batch, int in, int out, boolean accumulate) {
        return run(Kind.WEIGHT_GRADIENT, dz, x, null, dw, batch, in, out, Activation.IDENTITY, 0f, accumulate);
    }

    /** One pass on its views in {@link Call#run}'s order, or {@code false} as {@link #forward}. */
    private static boolean run(Kind kind, Buf a, Buf b, Buf bias, Buf c, int batch, int in, int out, Activation act,
            float param, boolean accumulate) {
        OneDnnCache cache = worth(batch, in, out) ? OneDnnCache.of(batch) : null;
        if (cache == null) {
            return false;
        }
        cache.dense(kind, batch, in, out, act, param, bias != null, accumulate).run(a, b, bias, c);
        return true;
    }

    /**
     * Whether a call is worth handing to oneDNN: it has at least {@link Dense#ONEDNN_MIN_MACS}
     * multiply-adds. The size alone decides, never what ran before, so that a step computes the same
     * after a prediction, a validation pass or a resume as it would otherwise.
     */
    private static boolean worth(int batch, int in, int out) {
        return (long) batch * in * out >= Dense.ONEDNN_MIN_MACS;
    }

    /**
     * One pass's matmul for a shape and batch. Its views, in {@link #run}'s order: forward x, W,
     * bias, y; input gradient dz, W, -, dx; weight gradient dz, x, -, dW.
     */
    static final class Call extends OneDnnPrimitives {
        private final Kind kind;
        private final int batch;
        private final int in;
        private final int out;
        private final Activation act;
        private final float param;
        private final boolean hasBias;
        private final boolean accumulate;
        private final OneDnn.Step step;

        Call(OneDnn dnn, Kind kind, int batch, int in, int out, Activation act, float param, boolean hasBias,
                boolean accumulate) {
            super(dnn, 4);
            this.kind = kind;
            this.batch = batch;
            this.in = in;
            this.out = out;
            this.act = act;
            this.param = param;
            this.hasBias = hasBias;
            this.accumulate = accumulate;
            long n = batch;
            // matmul computes dst[M, N] = src[M, K] weights[K, N]; a "ba" tag reads a row-major
            // [N, K] (or [K, M]) view as its transpose.
            dnnl_memory_desc src;
            dnnl_memory_desc weights;
            dnnl_memory_desc dst;
            switch (kind) {
                case FORWARD -> {
                    src = keep(OneDnn.desc(new long[] {n, in}, dnnl_ab));
                    weights = keep(OneDnn.desc(new long[] {in, out}, dnnl_ba));
                    dst = keep(OneDnn.desc(new long[] {n, out}, dnnl_ab));
                }
                case INPUT_GRADIENT -> {
                    src = keep(OneDnn.desc(new long[] {n, out}, dnnl_ab));
                    weights = keep(OneDnn.desc(new long[] {out, in}, dnnl_ab));
                    dst = keep(OneDnn.desc(new long[] {n, in}, dnnl_ab));
                }
                case WEIGHT_GRADIENT -> {
                    src = keep(OneDnn.desc(new long[] {out, n}, dnnl_ba));
                    weights = keep(OneDnn.desc(new long[] {n, in}, dnnl_ab));
                    dst = keep(OneDnn.desc(new long[] {out, in}, dnnl_ab));
                }
                default -> throw new AssertionError(kind);
            }
            dnnl_memory_desc bias = hasBias ? keep(OneDnn.desc(new long[] {1, out}, dnnl_ab)) : null;
            dnnl_primitive_attr attr = OneDnn.attributes(act, param, accumulate);
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            OneDnn.check(dnnl_matmul_primitive_desc_create(pd, dnn.engine, src, weights, bias, dst, attr),
                    "a matmul for the dense " + kind + " of " + batch + "x" + in + "x" + out);
            step = hasBias
                    ? new OneDnn.Step(pd, DNNL_ARG_SRC, user(0, src), DNNL_ARG_WEIGHTS, user(1, weights),
                            DNNL_ARG_BIAS, user(2, bias), DNNL_ARG_DST, user(3, dst))
                    : new OneDnn.Step(pd, DNNL_ARG_SRC, user(0, src), DNNL_ARG_WEIGHTS, user(1, weights),
                            DNNL_ARG_DST, user(3, dst));
            dnnl_primitive_desc_destroy(pd);
            if (attr != null) {
                dnnl_primitive_attr_destroy(attr);
            }
            releaseDescs();
        }

        boolean matches(Kind kind, int batch, int in, int out, Activation act, float param, boolean hasBias,
                boolean accumulate) {
            return this.kind == kind && this.batch == batch && this.in == in && this.out == out && this.act == act
                    && Float.compare(this.param, param) == 0 && this.hasBias == hasBias
                    && this.accumulate == accumulate;
        }

        /** Runs the pass on these views, in the order of the class comment. */
        void run(Buf a, Buf b, Buf c, Buf d) {
            aim(0, a);
            aim(1, b);
            aim(2, c);
            aim(3, d);
            execute(step);
        }

        @Override
        public void close() {
            destroy(step);
        }
    }
}
