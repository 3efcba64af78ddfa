package org.dnnc.runtime.cpu;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SCALE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC_1;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_MEAN;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SCALE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_0;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_1;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_VARIANCE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WORKSPACE;
import static org.bytedeco.dnnl.global.dnnl.dnnl_a;
import static org.bytedeco.dnnl.global.dnnl.dnnl_backward;
import static org.bytedeco.dnnl.global.dnnl.dnnl_batch_normalization_backward_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_batch_normalization_forward_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_binary_add;
import static org.bytedeco.dnnl.global.dnnl.dnnl_binary_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_backward_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_forward_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_relu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_relu_use_dst_for_bwd;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_fuse_norm_relu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nChw16c;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_append_eltwise;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_set_post_ops;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_workspace_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_use_scale;
import static org.bytedeco.dnnl.global.dnnl.dnnl_use_shift;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;

/**
 * Training batch normalization on activations in {@link Layout#NCHW16C} through oneDNN, for one
 * layer at one batch size: the forward pass ({@code y = bn(x)}, with oneDNN's ReLU, or residual
 * add and ReLU, fused in) and the backward pass (the batch norm's gradients of x, gamma and beta,
 * through the ReLU). Keeping these in oneDNN keeps a training step in OpenMP's team from one
 * convolution to the next: dnnc's own two-thread kernels between them ran slower while OpenMP's
 * workers spun.
 *
 * <p>Without a residual, the ReLU is oneDNN's fused one, which records which values it let through
 * in a workspace that the backward pass reads, so the workspace belongs to the layer: a normalization with a ReLU is cached under its
 * {@code saved} view (the planner's buffer for its statistics, live from the forward call to the
 * gradients' call and no other layer's meanwhile), and the backward pass runs here only where it
 * finds the entry its forward pass made; elsewhere it runs in {@link BatchNorm}'s kernels, which
 * read the ReLU off {@code y}.
 *
 * <p>The statistics stay {@link BatchNorm}'s: the forward pass saves the batch mean and {@code 1
 * / sqrt(var + eps)} in {@code saved [2, C]} and updates the running averages in Java, from
 * oneDNN's mean and biased variance; the backward pass hands oneDNN the variance back from the
 * saved {@code invStd}. So either pass may run here or in dnnc's kernels whatever the other did.
 * The variance, the workspace and the outputs a caller does not want live in buffers of this
 * object, outside the planned arena.
 */
final class OneDnnNorm extends OneDnnPrimitives {
    private static final int X = 0;
    private static final int Y = 1;
    private static final int GAMMA = 2;
    private static final int BETA = 3;
    private static final int MEAN = 4;
    private static final int RESIDUAL = 5;
    private static final int DY = 6;
    private static final int DX = 7;
    private static final int DGAMMA = 8;
    private static final int DBETA = 9;

    private final int batch;
    private final int channels;
    private final int spatial;
    private final float eps;
    private final boolean relu;
    private final boolean residual;
    private final long layer;
    private final boolean fused;
    private final Buf variance;
    private final Buf ownMean;
    private Buf spareInput;
    /** Whether a forward pass has filled the ReLU's workspace. */
    private boolean forwardRan;
    private Buf spareParams;
    private final OneDnn.Step[] forward;
    private final OneDnn.Step[] backward;

    /** @param layer the {@code saved} view's address where a ReLU follows, else 0 */
    OneDnnNorm(OneDnn dnn, int batch, int channels, int spatial, float eps, boolean relu, boolean residual,
            long layer) {
        super(dnn, 10);
        this.batch = batch;
        this.channels = channels;
        this.spatial = spatial;
        this.eps = eps;
        this.relu = relu;
        this.residual = residual;
        this.layer = layer;
        this.fused = relu && !residual;
        variance = Buf.allocate(channels);
        ownMean = Buf.allocate(channels);
        dnnl_memory_desc data = keep(OneDnn.desc(new long[] {batch, channels, spatial, 1}, dnnl_nChw16c));
        dnnl_memory_desc perChannel = keep(OneDnn.desc(new long[] {channels}, dnnl_a));
        // oneDNN fuses the ReLU into its batch norm, keeping a workspace for the backward pass; it has
        // no such fusion with a residual add on this CPU (status unimplemented), so that one runs
        // as a binary add with a ReLU post-op, and ReLU's gradient from y as an eltwise primitive.
        int flags = dnnl_use_scale | dnnl_use_shift | (this.fused ? dnnl_fuse_norm_relu : 0);
        dnnl_memory x = user(X, data);
        dnnl_memory y = user(Y, data);
        dnnl_memory gamma = user(GAMMA, perChannel);
        dnnl_memory beta = user(BETA, perChannel);
        dnnl_memory mean = user(MEAN, perChannel);
        dnnl_memory var = wrapping(perChannel);
        aim(var, variance.address());

        dnnl_primitive_desc normForward = new dnnl_primitive_desc();
        OneDnn.check(dnnl_batch_normalization_forward_primitive_desc_create(normForward, dnn.engine,
                dnnl_forward_training, data, data, eps, flags, null), "a batch norm for " + this);
        dnnl_memory workspace = this.fused ? owned(dnnl_primitive_desc_query_md(normForward, dnnl_query_workspace_md, 0))
                : null;
        OneDnn.Step norm = new OneDnn.Step(normForward, args(DNNL_ARG_SRC, x, DNNL_ARG_DST, y, DNNL_ARG_SCALE, gamma,
                DNNL_ARG_SHIFT, beta, DNNL_ARG_MEAN, mean, DNNL_ARG_VARIANCE, var, DNNL_ARG_WORKSPACE, workspace));
        OneDnn.Step add = null;
        dnnl_primitive_desc reluForward = null;
        if (residual) {
            dnnl_memory r = user(RESIDUAL, data);
            dnnl_primitive_attr attr = relu ? reluPostOp() : null;
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            OneDnn.check(dnnl_binary_primitive_desc_create(pd, dnn.engine, dnnl_binary_add, data, data, data, attr),
                    "a residual add for " + this);
            add = new OneDnn.Step(pd, DNNL_ARG_SRC_0, y, DNNL_ARG_SRC_1, r, DNNL_ARG_DST, y);
            dnnl_primitive_desc_destroy(pd);
            if (attr != null) {
                dnnl_primitive_attr_destroy(attr);
            }
            if (relu) {
                reluForward = new dnnl_primitive_desc();
                OneDnn.check(dnnl_eltwise_forward_primitive_desc_create(reluForward, dnn.engine,
                        dnnl_forward_training, dnnl_eltwise_relu_use_dst_for_bwd, data, data, 0f, 0f, null),
                        "a ReLU for " + this);
            }
        }
        forward = new OneDnn.Step[] {norm, add};

        dnnl_memory dy = user(DY, data);
        dnnl_memory dx = user(DX, data);
        dnnl_memory dgamma = user(DGAMMA, perChannel);
        dnnl_memory dbeta = user(DBETA, perChannel);
        OneDnn.Step mask = null;
        dnnl_memory g = dy;
        if (reluForward != null) {
            dnnl_primitive_desc reluBackward = new dnnl_primitive_desc();
            OneDnn.check(dnnl_eltwise_backward_primitive_desc_create(reluBackward, dnn.engine,
                    dnnl_eltwise_relu_use_dst_for_bwd, data, data, data, 0f, 0f, reluForward, null),
                    "a ReLU gradient for " + this);
            g = owned(data);
            mask = new OneDnn.Step(reluBackward, DNNL_ARG_DST, y, DNNL_ARG_DIFF_DST, dy, DNNL_ARG_DIFF_SRC, g);
            dnnl_primitive_desc_destroy(reluBackward);
            dnnl_primitive_desc_destroy(reluForward);
        }
        dnnl_primitive_desc normBackward = new dnnl_primitive_desc();
        OneDnn.check(dnnl_batch_normalization_backward_primitive_desc_create(normBackward, dnn.engine, dnnl_backward,
                data, data, data, eps, flags, normForward, null), "a batch norm gradient for " + this);
        OneDnn.Step grads = new OneDnn.Step(normBackward, args(DNNL_ARG_SRC, x, DNNL_ARG_DIFF_DST, g, DNNL_ARG_MEAN,
                mean, DNNL_ARG_VARIANCE, var, DNNL_ARG_SCALE, gamma, DNNL_ARG_WORKSPACE, workspace, DNNL_ARG_DIFF_SRC,
                dx, DNNL_ARG_DIFF_SCALE, dgamma, DNNL_ARG_DIFF_SHIFT, dbeta));
        backward = new OneDnn.Step[] {mask, grads};
        dnnl_primitive_desc_destroy(normBackward);
        dnnl_primitive_desc_destroy(normForward);
        releaseDescs();
    }

    /** The argument pairs whose memory is there. */
    private static Object[] args(Object... pairs) {
        List<Object> kept = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                kept.add(pairs[i]);
                kept.add(pairs[i + 1]);
            }
        }
        return kept.toArray();
    }

    /** Whether this entry is for these arguments; {@code residual} is {@code null} to match either. */
    boolean matches(int batch, int channels, int spatial, float eps, boolean relu, Boolean residual, long layer) {
        return this.batch == batch && this.channels == channels && this.spatial == spatial
                && Float.compare(this.eps, eps) == 0 && this.relu == relu && this.layer == layer
                && (residual == null || this.residual == residual);
    }

    /**
     * {@link BatchNorm#forwardTraining}'s pass on blocked views, or {@code false} where oneDNN may
     * not run it ({@link OneDnnCache#of}).
     */
    static boolean forward(Buf x, Buf gamma, Buf beta, Buf runningMean, Buf runningVar, Buf y, Buf saved,
            Buf residual, int batch, int channels, int spatial, float momentum, float eps, boolean relu) {
        OneDnnCache cache = OneDnnCache.of(batch);
        if (cache == null) {
            return false;
        }
        OneDnnNorm n = cache.norm(batch, channels, spatial, eps, relu, residual != null, layer(relu, saved));
        n.aim(X, x);
        n.aim(Y, y);
        n.aim(GAMMA, gamma);
        n.aim(BETA, beta);
        n.aim(MEAN, saved != null ? saved : n.ownMean);
        if (residual != null) {
            n.aim(RESIDUAL, residual);
        }
        n.execute(n.forward);
        n.statistics(runningMean, runningVar, saved, momentum);
        n.forwardRan = true;
        return true;
    }

    /**
     * {@link BatchNorm#backward}'s pass on blocked views from the statistics forward saved, writing
     * (not adding) its outputs, or {@code false} where oneDNN may not run it.
     */
    static boolean backward(Buf x, Buf y, Buf dy, Buf gamma, Buf saved, Buf dx, Buf dgamma, Buf dbeta, int batch,
            int channels, int spatial, float eps, boolean relu) {
        OneDnnCache cache = OneDnnCache.of(batch);
        if (cache == null) {
            return false;
        }
        OneDnnNorm n = relu ? cache.existingNorm(batch, channels, spatial, eps, layer(relu, saved))
                : cache.norm(batch, channels, spatial, eps, false, false, 0);
        if (n == null || n.fused && !n.forwardRan) {
            // The ReLU's workspace is not this layer's forward pass's.
            return false;
        }
        for (int c = 0; c < channels; c++) {
            double invStd = saved.data.get(channels + c);
            n.variance.data.put(c, (float) (1.0 / (invStd * invStd) - eps));
        }
        n.aim(X, x);
        n.aim(Y, y);
        n.aim(DY, dy);
        n.aim(GAMMA, gamma);
        n.aim(MEAN, saved);
        n.aim(DX, dx != null ? dx : n.spareInput());
        n.aim(DGAMMA, dgamma != null ? dgamma : n.spareParams().slice(0, channels));
        n.aim(DBETA, dbeta != null ? dbeta : n.spareParams().slice(channels, channels));
        n.execute(n.backward);
        return true;
    }

    /** The key of a layer's entry: its {@code saved} view where a ReLU is fused (see the class comment), else 0. */
    private static long layer(boolean relu, Buf saved) {
        return relu && saved != null ? saved.address() : 0;
    }

    /** The saved {@code invStd} and the running averages, from oneDNN's mean and biased variance. */
    private void statistics(Buf runningMean, Buf runningVar, Buf saved, float momentum) {
        Buf mean = saved != null ? saved : ownMean;
        long count = (long) batch * spatial;
        for (int c = 0; c < channels; c++) {
            float v = variance.data.get(c);
            if (saved != null) {
                saved.data.put(channels + c, (float) (1.0 / Math.sqrt(v + (double) eps)));
            }
            if (runningMean != null) {
                runningMean.data.put(c, (1f - momentum) * runningMean.data.get(c) + momentum * mean.data.get(c));
            }
            if (runningVar != null) {
                float unbiased = (float) ((double) v * count / (count - 1));
                runningVar.data.put(c, (1f - momentum) * runningVar.data.get(c) + momentum * unbiased);
            }
        }
    }

    private Buf spareInput() {
        if (spareInput == null) {
            spareInput = Buf.allocate(batch * channels * spatial);
        }
        return spareInput;
    }

    private Buf spareParams() {
        if (spareParams == null) {
            spareParams = Buf.allocate(2 * channels);
        }
        return spareParams;
    }

    @Override
    public void close() {
        destroy(forward);
        destroy(backward);
    }

    /** ReLU as a post-op; the caller destroys the attributes. */
    private static dnnl_primitive_attr reluPostOp() {
        dnnl_post_ops ops = new dnnl_post_ops();
        OneDnn.check(dnnl_post_ops_create(ops), "post-ops");
        OneDnn.check(dnnl_post_ops_append_eltwise(ops, dnnl_eltwise_relu, 0f, 0f), "post-ops");
        dnnl_primitive_attr attr = new dnnl_primitive_attr();
        OneDnn.check(dnnl_primitive_attr_create(attr), "attributes");
        OneDnn.check(dnnl_primitive_attr_set_post_ops(attr, ops), "attributes");
        dnnl_post_ops_destroy(ops);
        return attr;
    }

    @Override
    public String toString() {
        return "batch " + batch + " of " + channels + " channels x " + spatial + (relu ? " with ReLU" : "")
                + (residual ? " and a residual" : "");
    }
}
