package org.dnnc.runtime.cpu;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SCALE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_MEAN;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SCALE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_0;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_1;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_VARIANCE;
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
import static org.bytedeco.dnnl.global.dnnl.dnnl_nChw16c;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_append_eltwise;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_set_post_ops;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_use_scale;
import static org.bytedeco.dnnl.global.dnnl.dnnl_use_shift;

import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;

/**
 * Training batch normalization on activations in {@link Layout#NCHW16C} through oneDNN, for one
 * batch, channel count, plane size, epsilon and activation: the forward pass ({@code y = bn(x)},
 * then {@code + residual} and ReLU where asked, as oneDNN's binary add with a ReLU post-op or an
 * in-place ReLU) and the backward pass (ReLU's gradient from {@code y}, then the batch norm's
 * gradients of x, gamma and beta). Keeping these in oneDNN keeps a training step in OpenMP's team
 * from one convolution to the next: dnnc's own two-thread kernels between them ran slower while
 * OpenMP's workers spun.
 *
 * <p>The statistics stay {@link BatchNorm}'s: the forward pass saves the batch mean and {@code 1
 * / sqrt(var + eps)} in {@code saved [2, C]} and updates the running averages in Java, from
 * oneDNN's mean and biased variance; the backward pass hands oneDNN the variance back from the
 * saved {@code invStd}. So either pass may run here or in {@link BatchNorm}'s own kernels whatever
 * the other did. The variance, the masked gradient and the outputs a caller does not want live in
 * buffers of this object, outside the planned arena.
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
    private final Buf variance;
    private final Buf ownMean;
    private Buf spareInput;
    private Buf spareParams;
    private final OneDnn.Step[] forward;
    private final OneDnn.Step[] backward;

    OneDnnNorm(OneDnn dnn, int batch, int channels, int spatial, float eps, boolean relu, boolean residual) {
        super(dnn, 10);
        this.batch = batch;
        this.channels = channels;
        this.spatial = spatial;
        this.eps = eps;
        this.relu = relu;
        this.residual = residual;
        variance = Buf.allocate(channels);
        ownMean = Buf.allocate(channels);
        dnnl_memory_desc data = keep(OneDnn.desc(new long[] {batch, channels, spatial, 1}, dnnl_nChw16c));
        dnnl_memory_desc perChannel = keep(OneDnn.desc(new long[] {channels}, dnnl_a));
        int flags = dnnl_use_scale | dnnl_use_shift;
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
        OneDnn.Step norm = new OneDnn.Step(normForward, DNNL_ARG_SRC, x, DNNL_ARG_DST, y, DNNL_ARG_SCALE, gamma,
                DNNL_ARG_SHIFT, beta, DNNL_ARG_MEAN, mean, DNNL_ARG_VARIANCE, var);
        OneDnn.Step after = null;
        if (residual) {
            dnnl_memory r = user(RESIDUAL, data);
            dnnl_primitive_attr attr = relu ? reluPostOp() : null;
            dnnl_primitive_desc add = new dnnl_primitive_desc();
            OneDnn.check(dnnl_binary_primitive_desc_create(add, dnn.engine, dnnl_binary_add, data, data, data, attr),
                    "a residual add for " + this);
            after = new OneDnn.Step(add, DNNL_ARG_SRC_0, y, DNNL_ARG_SRC_1, r, DNNL_ARG_DST, y);
            dnnl_primitive_desc_destroy(add);
            if (attr != null) {
                dnnl_primitive_attr_destroy(attr);
            }
        }
        dnnl_primitive_desc reluForward = null;
        if (relu) {
            reluForward = new dnnl_primitive_desc();
            OneDnn.check(dnnl_eltwise_forward_primitive_desc_create(reluForward, dnn.engine, dnnl_forward_training,
                    dnnl_eltwise_relu_use_dst_for_bwd, data, data, 0f, 0f, null), "a ReLU for " + this);
            if (!residual) {
                after = new OneDnn.Step(reluForward, DNNL_ARG_SRC, y, DNNL_ARG_DST, y);
            }
        }
        forward = new OneDnn.Step[] {norm, after};

        dnnl_memory dy = user(DY, data);
        dnnl_memory dx = user(DX, data);
        dnnl_memory dgamma = user(DGAMMA, perChannel);
        dnnl_memory dbeta = user(DBETA, perChannel);
        OneDnn.Step mask = null;
        dnnl_memory g = dy;
        if (relu) {
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
        OneDnn.Step grads = new OneDnn.Step(normBackward, DNNL_ARG_SRC, x, DNNL_ARG_DIFF_DST, g, DNNL_ARG_MEAN, mean,
                DNNL_ARG_VARIANCE, var, DNNL_ARG_SCALE, gamma, DNNL_ARG_DIFF_SRC, dx, DNNL_ARG_DIFF_SCALE, dgamma,
                DNNL_ARG_DIFF_SHIFT, dbeta);
        backward = new OneDnn.Step[] {mask, grads};
        dnnl_primitive_desc_destroy(normBackward);
        dnnl_primitive_desc_destroy(normForward);
        releaseDescs();
    }

    boolean matches(int batch, int channels, int spatial, float eps, boolean relu, boolean residual) {
        return this.batch == batch && this.channels == channels && this.spatial == spatial
                && Float.compare(this.eps, eps) == 0 && this.relu == relu && this.residual == residual;
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
        OneDnnNorm n = cache.norm(batch, channels, spatial, eps, relu, residual != null);
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
        OneDnnNorm n = cache.norm(batch, channels, spatial, eps, relu, false);
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
    public void close() {
        destroy(forward);
        destroy(backward);
    }

    @Override
    public String toString() {
        return "batch " + batch + " of " + channels + " channels x " + spatial + (relu ? " with ReLU" : "")
                + (residual ? " and a residual" : "");
    }
}
