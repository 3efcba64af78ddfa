package org.dnnc.runtime.cpu;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.dnnl_a;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_backward_data_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_backward_weights_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_direct;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_forward_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_format_tag_any;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_equal;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_get_memory_desc;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_set_data_handle;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nChw16c;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nchw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_oihw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_execute;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_dst_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_src_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_weights_md;
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
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;

/**
 * {@link ConvAlgorithm#ONEDNN}: oneDNN's convolution passes on dnnc's views. Activations lie in
 * the {@link Layout} the compiler gave them (NCHW, or oneDNN's own {@code nChw16c} between the
 * layers of a training program), kernels in OIHW; where the primitive reads or writes another
 * layout than a view's, the call reorders into or out of a buffer in that layout. The bias and the
 * activation of a forward pass run inside oneDNN's kernel.
 *
 * <p>The primitives and their buffers are made on a context's first call for a pass, shape,
 * batch and layouts, kept for the last {@link OneDnnCache#CACHED} (every pass of a network's layers, and of a
 * short last batch), outside the planned arena, and freed when evicted or when the context closes.
 */
final class OneDnnConv {

    /** The convolution's passes. */
    enum Kind { FORWARD, INPUT_GRADIENT, KERNEL_GRADIENT }

    private OneDnnConv() {}

    /**
     * {@code y = act(conv(x, w) + bias)} for {@code batch} examples ({@code bias} may be {@code
     * null}), or {@code false} without touching {@code y} when oneDNN may not run it: outside an
     * entered context or in one of another size than OpenMP's team ({@link OneDnn#usable}), or for
     * an empty batch.
     */
    static boolean forward(ConvGeometry g, Buf x, Buf w, Buf bias, Buf y, int batch, Activation act, float param) {
        return forward(g, x, w, bias, y, batch, act, param, Layout.NCHW, Layout.NCHW);
    }

    /** {@link #forward(ConvGeometry, Buf, Buf, Buf, Buf, int, Activation, float)} with x in {@code in}, y in {@code out}. */
    static boolean forward(ConvGeometry g, Buf x, Buf w, Buf bias, Buf y, int batch, Activation act, float param,
            Layout in, Layout out) {
        return run(Kind.FORWARD, g, batch, act, param, bias != null, in, out, x, w, bias, y);
    }

    /** {@code dx = conv_transpose(dz, w)} with dx in {@code in} and dz in {@code out}, or {@code false} as {@link #forward}. */
    static boolean inputGradient(ConvGeometry g, Buf dz, Buf w, Buf dx, int batch, Layout in, Layout out) {
        return run(Kind.INPUT_GRADIENT, g, batch, Activation.IDENTITY, 0f, false, in, out, dz, w, dx, null);
    }

    /** {@code dw = sum_n dz_n col(x_n)^T} with x in {@code in} and dz in {@code out}, or {@code false} as {@link #forward}. */
    static boolean kernelGradient(ConvGeometry g, Buf dz, Buf x, Buf dw, int batch, Layout in, Layout out) {
        return run(Kind.KERNEL_GRADIENT, g, batch, Activation.IDENTITY, 0f, false, in, out, x, dz, dw, null);
    }

    /** One pass on its views in {@link Call#run}'s order, or {@code false} as {@link #forward}. */
    private static boolean run(Kind kind, ConvGeometry g, int batch, Activation act, float param, boolean hasBias,
            Layout in, Layout out, Buf a, Buf b, Buf c, Buf d) {
        OneDnnCache cache = OneDnnCache.of(batch);
        if (cache == null) {
            return false;
        }
        cache.conv(kind, g, batch, act, param, hasBias, in, out).run(a, b, c, d);
        return true;
    }

    /**
     * One pass's primitive for a shape, batch and layouts, the reorders around it and the memories
     * they run on. Its views, in {@link #run}'s order: forward x, w, bias, y; input gradient dz, w,
     * dx; kernel gradient x, dz, dw.
     */
    static final class Call extends OneDnnPrimitives {
        private final Kind kind;
        private final ConvGeometry g;
        private final int batch;
        private final Activation act;
        private final float param;
        private final boolean hasBias;
        private final Layout in;
        private final Layout out;
        private final OneDnn.Step[] steps;

        Call(OneDnn dnn, Kind kind, ConvGeometry g, int batch, Activation act, float param, boolean hasBias,
                Layout in, Layout out) {
            super(dnn, 4);
            this.kind = kind;
            this.g = g;
            this.batch = batch;
            this.act = act;
            this.param = param;
            this.hasBias = hasBias;
            this.in = in;
            this.out = out;
            long n = batch;
            long[] srcDims = {n, g.channels(), g.height(), g.width()};
            long[] weightDims = {g.filters(), g.channels(), g.kernelH(), g.kernelW()};
            long[] dstDims = {n, g.filters(), g.outHeight(), g.outWidth()};
            dnnl_memory_desc srcPlain = keep(OneDnn.desc(srcDims, tag(in)));
            dnnl_memory_desc weightsPlain = keep(OneDnn.desc(weightDims, dnnl_oihw));
            dnnl_memory_desc dstPlain = keep(OneDnn.desc(dstDims, tag(out)));
            dnnl_memory_desc biasPlain = keep(OneDnn.desc(new long[] {g.filters()}, dnnl_a));
            // A blocked view is the layout oneDNN's kernels read, so the primitive is asked for it:
            // left to choose, the strided input gradient picked channels-last brgemm kernels and
            // reordered both activations around them. An NCHW view leaves the choice to oneDNN.
            dnnl_memory_desc srcAny = in == Layout.NCHW16C ? srcPlain
                    : keep(OneDnn.desc(srcDims, dnnl_format_tag_any));
            dnnl_memory_desc weightsAny = keep(OneDnn.desc(weightDims, dnnl_format_tag_any));
            dnnl_memory_desc dstAny = out == Layout.NCHW16C ? dstPlain
                    : keep(OneDnn.desc(dstDims, dnnl_format_tag_any));
            long[] strides = {g.strideH(), g.strideW()};
            long[] dilation = {0, 0};
            long[] padLeft = {g.padTop(), g.padLeft()};
            long[] padRight = {g.padBottom(), g.padRight()};
            dnnl_primitive_attr attr = kind == Kind.FORWARD ? OneDnn.attributes(act, param, false) : null;
            dnnl_primitive_desc forward = new dnnl_primitive_desc();
            // Forward training picks the blocked-layout kernels (jit:avx512_core); forward inference
            // picked brgemm kernels on channels-last layouts, whose reorders from NCHW cost more. The
            // gradient passes take it as their hint.
            OneDnn.check(dnnl_convolution_forward_primitive_desc_create(forward, dnn.engine, dnnl_forward_training,
                    dnnl_convolution_direct, srcAny, weightsAny, hasBias ? biasPlain : null, dstAny, strides,
                    dilation, padLeft, padRight, attr), "a convolution for " + g);
            switch (kind) {
                case FORWARD -> {
                    dnnl_memory userSrc = user(0, srcPlain);
                    dnnl_memory userWeights = user(1, weightsPlain);
                    dnnl_memory userBias = hasBias ? user(2, biasPlain) : null;
                    dnnl_memory userDst = user(3, dstPlain);
                    dnnl_memory src = blocked(userSrc, srcPlain, dnnl_primitive_desc_query_md(forward, dnnl_query_src_md, 0));
                    dnnl_memory weights = blocked(userWeights, weightsPlain,
                            dnnl_primitive_desc_query_md(forward, dnnl_query_weights_md, 0));
                    dnnl_memory dst = blocked(userDst, dstPlain, dnnl_primitive_desc_query_md(forward, dnnl_query_dst_md, 0));
                    OneDnn.Step conv = hasBias
                            ? new OneDnn.Step(forward, DNNL_ARG_SRC, src, DNNL_ARG_WEIGHTS, weights, DNNL_ARG_BIAS, userBias,
                                    DNNL_ARG_DST, dst)
                            : new OneDnn.Step(forward, DNNL_ARG_SRC, src, DNNL_ARG_WEIGHTS, weights, DNNL_ARG_DST, dst);
                    steps = new OneDnn.Step[] {reorder(userSrc, src), reorder(userWeights, weights), conv, reorder(dst, userDst)};
                }
                case INPUT_GRADIENT -> {
                    dnnl_primitive_desc pd = new dnnl_primitive_desc();
                    OneDnn.check(dnnl_convolution_backward_data_primitive_desc_create(pd, dnn.engine,
                            dnnl_convolution_direct, srcAny, weightsAny, dstAny, strides, dilation, padLeft, padRight,
                            forward, null), "a convolution's input gradient for " + g);
                    dnnl_memory userDiffDst = user(0, dstPlain);
                    dnnl_memory userWeights = user(1, weightsPlain);
                    dnnl_memory userDiffSrc = user(2, srcPlain);
                    dnnl_memory diffDst = blocked(userDiffDst, dstPlain,
                            dnnl_primitive_desc_query_md(pd, dnnl_query_diff_dst_md, 0));
                    dnnl_memory weights = blocked(userWeights, weightsPlain,
                            dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0));
                    dnnl_memory diffSrc = blocked(userDiffSrc, srcPlain,
                            dnnl_primitive_desc_query_md(pd, dnnl_query_diff_src_md, 0));
                    OneDnn.Step conv = new OneDnn.Step(pd, DNNL_ARG_DIFF_DST, diffDst, DNNL_ARG_WEIGHTS, weights, DNNL_ARG_DIFF_SRC,
                            diffSrc);
                    steps = new OneDnn.Step[] {reorder(userDiffDst, diffDst), reorder(userWeights, weights), conv,
                        reorder(diffSrc, userDiffSrc)};
                    dnnl_primitive_desc_destroy(pd);
                }
                case KERNEL_GRADIENT -> {
                    dnnl_primitive_desc pd = new dnnl_primitive_desc();
                    OneDnn.check(dnnl_convolution_backward_weights_primitive_desc_create(pd, dnn.engine,
                            dnnl_convolution_direct, srcAny, weightsAny, null, dstAny, strides, dilation, padLeft,
                            padRight, forward, null), "a convolution's kernel gradient for " + g);
                    dnnl_memory userSrc = user(0, srcPlain);
                    dnnl_memory userDiffDst = user(1, dstPlain);
                    dnnl_memory userDiffWeights = user(2, weightsPlain);
                    dnnl_memory src = blocked(userSrc, srcPlain, dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0));
                    dnnl_memory diffDst = blocked(userDiffDst, dstPlain,
                            dnnl_primitive_desc_query_md(pd, dnnl_query_diff_dst_md, 0));
                    dnnl_memory diffWeights = blocked(userDiffWeights, weightsPlain,
                            dnnl_primitive_desc_query_md(pd, dnnl_query_diff_weights_md, 0));
                    OneDnn.Step conv = new OneDnn.Step(pd, DNNL_ARG_SRC, src, DNNL_ARG_DIFF_DST, diffDst, DNNL_ARG_DIFF_WEIGHTS,
                            diffWeights);
                    steps = new OneDnn.Step[] {reorder(userSrc, src), reorder(userDiffDst, diffDst), conv,
                        reorder(diffWeights, userDiffWeights)};
                    dnnl_primitive_desc_destroy(pd);
                }
                default -> throw new AssertionError(kind);
            }
            // The primitives and memory objects hold what they need of these.
            dnnl_primitive_desc_destroy(forward);
            if (attr != null) {
                dnnl_primitive_attr_destroy(attr);
            }
            releaseDescs();
        }

        boolean matches(Kind kind, ConvGeometry g, int batch, Activation act, float param, boolean hasBias,
                Layout in, Layout out) {
            return this.kind == kind && this.batch == batch && this.act == act
                    && Float.compare(this.param, param) == 0 && this.hasBias == hasBias && this.in == in
                    && this.out == out && this.g.equals(g);
        }

        /** Runs the pass on these views, in the order of the class comment ({@code d} may be {@code null}). */
        void run(Buf a, Buf b, Buf c, Buf d) {
            aim(0, a);
            aim(1, b);
            aim(2, c);
            aim(3, d);
            execute(steps);
        }

        @Override
        public void close() {
            destroy(steps);
        }
    }

    /** oneDNN's format tag for an activation in {@code layout}. */
    private static int tag(Layout layout) {
        return layout == Layout.NCHW16C ? dnnl_nChw16c : dnnl_nchw;
    }
}
