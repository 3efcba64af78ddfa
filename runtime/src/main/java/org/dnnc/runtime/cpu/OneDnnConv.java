package org.dnnc.runtime.cpu;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.dnnl_a;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_direct;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_forward_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_elu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_logistic;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_relu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_tanh;
import static org.bytedeco.dnnl.global.dnnl.dnnl_format_tag_any;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_equal;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_get_memory_desc;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_set_data_handle;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nchw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_oihw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_append_eltwise;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_set_post_ops;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_execute;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_dst_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_src_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_weights_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_reorder_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_wait;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;

/**
 * {@link ConvAlgorithm#ONEDNN}'s forward pass: oneDNN's convolution on the NCHW views, with the
 * input and the kernel reordered into the blocked layouts that oneDNN's AVX-512 kernels read, and
 * the output back, on every call; the bias and the activation run inside oneDNN's kernel. The
 * primitives and their blocked buffers are made on a context's first call for a shape and batch,
 * kept for the last {@link #CACHED} (a network's layers, and a short last batch), outside the
 * planned arena, and freed when evicted or when the context closes.
 */
final class OneDnnConv {

    /** Shapes and batches kept per context. */
    static final int CACHED = 24;

    private OneDnnConv() {}

    /**
     * {@code y = act(conv(x, w) + bias)} for {@code batch} examples ({@code bias} may be {@code
     * null}), or {@code false} without touching {@code y} when oneDNN may not run it: outside an
     * entered context or in one of another size than OpenMP's team ({@link OneDnn#usable}), or for
     * an empty batch.
     */
    static boolean forward(ConvGeometry g, Buf x, Buf w, Buf bias, Buf y, int batch, Activation act, float param) {
        CpuContext context = CpuContext.current();
        if (batch == 0 || !OneDnn.usable(context)) {
            return false;
        }
        Cache cache = context.oneDnn();
        if (cache == null) {
            return false;
        }
        // Its OpenMP team needs both cores; a helper still spinning after dnnc's last kernel would
        // take one.
        context.restHelper();
        cache.forward(g, batch, act, param, bias != null).run(x, w, bias, y);
        return true;
    }

    /** A context's engine, stream and forward primitives, most recently made first. */
    static final class Cache implements AutoCloseable {
        private final OneDnn dnn = new OneDnn();
        private final Forward[] entries = new Forward[CACHED];

        Forward forward(ConvGeometry g, int batch, Activation act, float param, boolean hasBias) {
            for (Forward f : entries) {
                if (f != null && f.matches(g, batch, act, param, hasBias)) {
                    return f;
                }
            }
            Forward made = new Forward(dnn, g, batch, act, param, hasBias);
            if (entries[CACHED - 1] != null) {
                entries[CACHED - 1].close();
            }
            System.arraycopy(entries, 0, entries, 1, CACHED - 1);
            entries[0] = made;
            return made;
        }

        /** How many shapes it holds, for tests. */
        int size() {
            int n = 0;
            for (Forward f : entries) {
                n += f == null ? 0 : 1;
            }
            return n;
        }

        @Override
        public void close() {
            for (int i = 0; i < CACHED; i++) {
                if (entries[i] != null) {
                    entries[i].close();
                    entries[i] = null;
                }
            }
            dnn.close();
        }
    }

    /** One shape's forward primitive, the reorders around it and the memories they run on. */
    private static final class Forward implements AutoCloseable {
        private final ConvGeometry g;
        private final int batch;
        private final Activation act;
        private final float param;
        private final boolean hasBias;
        private final OneDnn dnn;
        private final dnnl_memory userSrc;
        private final dnnl_memory userWeights;
        private final dnnl_memory userDst;
        private final dnnl_memory userBias;
        private final List<dnnl_memory> memories = new ArrayList<>();
        private final Step[] steps;
        private final OneDnn.Address address = new OneDnn.Address();

        Forward(OneDnn dnn, ConvGeometry g, int batch, Activation act, float param, boolean hasBias) {
            this.dnn = dnn;
            this.g = g;
            this.batch = batch;
            this.act = act;
            this.param = param;
            this.hasBias = hasBias;
            long n = batch;
            long[] srcDims = {n, g.channels(), g.height(), g.width()};
            long[] weightDims = {g.filters(), g.channels(), g.kernelH(), g.kernelW()};
            long[] dstDims = {n, g.filters(), g.outHeight(), g.outWidth()};
            List<dnnl_memory_desc> descs = new ArrayList<>();
            dnnl_memory_desc srcPlain = keep(descs, OneDnn.desc(srcDims, dnnl_nchw));
            dnnl_memory_desc weightsPlain = keep(descs, OneDnn.desc(weightDims, dnnl_oihw));
            dnnl_memory_desc dstPlain = keep(descs, OneDnn.desc(dstDims, dnnl_nchw));
            dnnl_memory_desc biasPlain = keep(descs, OneDnn.desc(new long[] {g.filters()}, dnnl_a));
            dnnl_primitive_attr attr = attributes(act, param);
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            // Forward training picks the blocked-layout kernels (jit:avx512_core); forward inference
            // picked brgemm kernels on channels-last layouts, whose reorders from NCHW cost more.
            OneDnn.check(dnnl_convolution_forward_primitive_desc_create(pd, dnn.engine, dnnl_forward_training,
                    dnnl_convolution_direct, keep(descs, OneDnn.desc(srcDims, dnnl_format_tag_any)),
                    keep(descs, OneDnn.desc(weightDims, dnnl_format_tag_any)), hasBias ? biasPlain : null,
                    keep(descs, OneDnn.desc(dstDims, dnnl_format_tag_any)), new long[] {g.strideH(), g.strideW()},
                    new long[] {0, 0}, new long[] {g.padTop(), g.padLeft()}, new long[] {g.padBottom(), g.padRight()},
                    attr), "a convolution for " + g);
            userSrc = wrapping(srcPlain);
            userWeights = wrapping(weightsPlain);
            userDst = wrapping(dstPlain);
            userBias = hasBias ? wrapping(biasPlain) : null;
            dnnl_memory src = blocked(userSrc, srcPlain, dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0));
            dnnl_memory weights = blocked(userWeights, weightsPlain,
                    dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0));
            dnnl_memory dst = blocked(userDst, dstPlain, dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0));
            Step conv = hasBias
                    ? new Step(pd, DNNL_ARG_SRC, src, DNNL_ARG_WEIGHTS, weights, DNNL_ARG_BIAS, userBias, DNNL_ARG_DST,
                            dst)
                    : new Step(pd, DNNL_ARG_SRC, src, DNNL_ARG_WEIGHTS, weights, DNNL_ARG_DST, dst);
            steps = new Step[] {
                reorder(userSrc, src), reorder(userWeights, weights), conv, reorder(dst, userDst)
            };
            // The primitives and memory objects hold what they need of these.
            dnnl_primitive_desc_destroy(pd);
            if (attr != null) {
                dnnl_primitive_attr_destroy(attr);
            }
            for (dnnl_memory_desc d : descs) {
                dnnl_memory_desc_destroy(d);
            }
        }

        boolean matches(ConvGeometry g, int batch, Activation act, float param, boolean hasBias) {
            return this.batch == batch && this.act == act && Float.compare(this.param, param) == 0
                    && this.hasBias == hasBias && this.g.equals(g);
        }

        void run(Buf x, Buf w, Buf bias, Buf y) {
            aim(userSrc, x);
            aim(userWeights, w);
            aim(userDst, y);
            if (hasBias) {
                aim(userBias, bias);
            }
            for (Step step : steps) {
                if (step != null) {
                    OneDnn.check(dnnl_primitive_execute(step.primitive, dnn.stream, step.count, step.args), "a call");
                }
            }
            OneDnn.check(dnnl_stream_wait(dnn.stream), "a call");
        }

        @Override
        public void close() {
            for (Step step : steps) {
                if (step != null) {
                    dnnl_primitive_destroy(step.primitive);
                }
            }
            for (dnnl_memory m : memories) {
                dnnl_memory_destroy(m);
            }
        }

        private void aim(dnnl_memory m, Buf view) {
            OneDnn.check(dnnl_memory_set_data_handle(m, address.aim(view.address())), "a memory object");
        }

        private dnnl_memory wrapping(dnnl_memory_desc md) {
            dnnl_memory m = dnn.wrapping(md);
            memories.add(m);
            return m;
        }

        /** {@code user} itself where the primitive reads its layout, else a buffer in the primitive's. */
        private dnnl_memory blocked(dnnl_memory user, dnnl_memory_desc plain, dnnl_memory_desc wanted) {
            if (dnnl_memory_desc_equal(plain, wanted) != 0) {
                return user;
            }
            dnnl_memory m = dnn.owned(wanted);
            memories.add(m);
            return m;
        }

        /** The reorder from {@code from} to {@code to}, or {@code null} where they are one memory. */
        private Step reorder(dnnl_memory from, dnnl_memory to) {
            if (from == to) {
                return null;
            }
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            OneDnn.check(dnnl_reorder_primitive_desc_create(pd, descOf(from), dnn.engine, descOf(to), dnn.engine, null),
                    "a reorder");
            Step step = new Step(pd, DNNL_ARG_FROM, from, DNNL_ARG_TO, to);
            dnnl_primitive_desc_destroy(pd);
            return step;
        }

        private static dnnl_memory_desc keep(List<dnnl_memory_desc> descs, dnnl_memory_desc d) {
            descs.add(d);
            return d;
        }
    }

    private static dnnl_memory_desc descOf(dnnl_memory m) {
        dnnl_memory_desc d = new dnnl_memory_desc();
        OneDnn.check(dnnl_memory_get_memory_desc(m, d), "a memory descriptor");
        return d;
    }

    /** The activation as a post-op of the convolution, or {@code null} for the identity; the caller destroys it. */
    private static dnnl_primitive_attr attributes(Activation act, float param) {
        if (act == Activation.IDENTITY) {
            return null;
        }
        dnnl_post_ops ops = new dnnl_post_ops();
        OneDnn.check(dnnl_post_ops_create(ops), "post-ops");
        int algorithm = switch (act) {
            case RELU, LEAKY_RELU -> dnnl_eltwise_relu;
            case ELU -> dnnl_eltwise_elu;
            case SIGMOID -> dnnl_eltwise_logistic;
            case TANH -> dnnl_eltwise_tanh;
            case IDENTITY -> throw new AssertionError(act);
        };
        // relu's alpha is the slope below 0 (0 for ReLU), elu's the saturation.
        float alpha = act == Activation.LEAKY_RELU || act == Activation.ELU ? param : 0f;
        OneDnn.check(dnnl_post_ops_append_eltwise(ops, algorithm, alpha, 0f), "post-ops");
        dnnl_primitive_attr attr = new dnnl_primitive_attr();
        OneDnn.check(dnnl_primitive_attr_create(attr), "attributes");
        OneDnn.check(dnnl_primitive_attr_set_post_ops(attr, ops), "attributes");
        dnnl_post_ops_destroy(ops); // the attributes keep a copy
        return attr;
    }

    /** A primitive with its arguments. */
    private static final class Step {
        final dnnl_primitive primitive = new dnnl_primitive();
        final dnnl_exec_arg_t args;
        final int count;

        Step(dnnl_primitive_desc pd, Object... argsAndMemories) {
            OneDnn.check(dnnl_primitive_create(primitive, pd), "a primitive");
            count = argsAndMemories.length / 2;
            args = new dnnl_exec_arg_t(count);
            for (int i = 0; i < count; i++) {
                args.position(i).arg((Integer) argsAndMemories[2 * i]).memory((dnnl_memory) argsAndMemories[2 * i + 1]);
            }
            args.position(0);
        }
    }
}
