package org.dnnc.runtime.cuda;

/**
 * Batch normalization on the device ({@code batchnorm.cu}): twins of {@link
 * org.dnnc.runtime.cpu.BatchNorm}, the same arguments after the context plus a {@code scratch}
 * view of {@link #scratchSize(int)} floats for per-channel coefficients. Per-channel sums run one
 * block per channel in double, in a fixed order (no atomics).
 *
 * <p>As on the CPU, {@link #backward} reads the mean and {@code invStd} that the training forward
 * saved or, given none, recomputes them from x (a pass over x) into the scratch.
 */
public final class CudaBatchNorm {

    private static final FixedKernel STATS = new FixedKernel("batchnorm", "bn_stats");
    private static final FixedKernel INFERENCE_COEF = new FixedKernel("batchnorm", "bn_inference_coef");
    private static final FixedKernel INPUT_INFERENCE_COEF = new FixedKernel("batchnorm", "bn_input_inference_coef");
    private static final FixedKernel AFFINE = new FixedKernel("batchnorm", "bn_affine");
    private static final FixedKernel BACKWARD_SUMS = new FixedKernel("batchnorm", "bn_backward_sums");
    private static final FixedKernel BACKWARD_INPUT = new FixedKernel("batchnorm", "bn_backward_input");
    private static final FixedKernel RUNNING_INV_STD = new FixedKernel("batchnorm", "bn_running_inv_std");
    private static final FixedKernel FOLD_WEIGHT = new FixedKernel("batchnorm", "bn_fold_weight");
    private static final FixedKernel FOLD_BIAS = new FixedKernel("batchnorm", "bn_fold_bias");

    private CudaBatchNorm() {}

    /**
     * The scratch floats every method here needs for {@code channels} channels: four coefficients a
     * channel, and the mean and {@code invStd} that a backward without saved statistics recomputes.
     */
    public static int scratchSize(int channels) {
        return 6 * channels;
    }

    /** Twin of {@code BatchNorm.forwardTraining} without a residual. */
    public static void forwardTraining(CudaContext ctx, DevBuf x, DevBuf gamma, DevBuf beta, DevBuf runningMean,
            DevBuf runningVar, DevBuf y, DevBuf saveMean, DevBuf saveInvStd, int batch, int channels, int spatial,
            float momentum, float eps, boolean relu, DevBuf scratch) {
        forwardTraining(ctx, x, gamma, beta, runningMean, runningVar, y, saveMean, saveInvStd, null, batch, channels,
                spatial, momentum, eps, relu, scratch);
    }

    /**
     * Twin of {@code BatchNorm.forwardTraining} with {@code y = bn(x) + residual} (then ReLU);
     * {@code residual}, the running statistics and the saved ones may be null.
     *
     * @throws IllegalArgumentException if a channel has fewer than two values, as on the CPU
     */
    public static void forwardTraining(CudaContext ctx, DevBuf x, DevBuf gamma, DevBuf beta, DevBuf runningMean,
            DevBuf runningVar, DevBuf y, DevBuf saveMean, DevBuf saveInvStd, DevBuf residual, int batch, int channels,
            int spatial, float momentum, float eps, boolean relu, DevBuf scratch) {
        long count = (long) batch * spatial;
        if (count < 2) {
            throw new IllegalArgumentException("batch normalization in training needs more than one value per channel, got "
                    + count + " (batch " + batch + " x " + spatial + ")");
        }
        checkScratch(scratch, channels);
        ctx.launch(ctx.kernel(STATS), channels, 1, 256, 0, ctx.args().ptr(x).ptr(gamma).ptr(beta).ptr(runningMean)
                .ptr(runningVar).ptr(saveMean).ptr(saveInvStd).ptr(scratch).i(batch).i(channels).i(spatial)
                .f(momentum).f(eps));
        affine(ctx, x, residual, y, scratch, batch, channels, spatial, relu);
    }

    /** Twin of {@code BatchNorm.forwardInference}: normalization with the running statistics. */
    public static void forwardInference(CudaContext ctx, DevBuf x, DevBuf gamma, DevBuf beta, DevBuf runningMean,
            DevBuf runningVar, DevBuf y, int batch, int channels, int spatial, float eps, boolean relu, DevBuf scratch) {
        checkScratch(scratch, channels);
        ctx.launch(ctx.kernel(INFERENCE_COEF), channels, ctx.args().ptr(gamma).ptr(beta).ptr(runningMean)
                .ptr(runningVar).ptr(scratch).i(channels).f(eps));
        affine(ctx, x, null, y, scratch, batch, channels, spatial, relu);
    }

    /** Twin of {@code BatchNorm.backwardInputInference}: {@code dx = dy * gamma / sqrt(runningVar + eps)}. */
    public static void backwardInputInference(CudaContext ctx, DevBuf dy, DevBuf gamma, DevBuf runningVar, DevBuf dx,
            int batch, int channels, int spatial, float eps, DevBuf scratch) {
        checkScratch(scratch, channels);
        ctx.launch(ctx.kernel(INPUT_INFERENCE_COEF), channels, ctx.args().ptr(gamma).ptr(runningVar).ptr(scratch)
                .i(channels).f(eps));
        affine(ctx, dy, null, dx, scratch, batch, channels, spatial, false);
    }

    /**
     * Twin of {@code BatchNorm.backward} (training statistics): with {@code saveMean} and {@code
     * saveInvStd} null, the batch's statistics are recomputed from {@code x} first, as on the CPU;
     * {@code dx}, {@code dgamma}, {@code dbeta} may be null.
     */
    public static void backward(CudaContext ctx, DevBuf x, DevBuf y, DevBuf dy, DevBuf gamma, DevBuf saveMean,
            DevBuf saveInvStd, DevBuf dx, DevBuf dgamma, DevBuf dbeta, int batch, int channels, int spatial, float eps,
            boolean relu, boolean accumulateInput, boolean accumulateParams, DevBuf scratch) {
        checkScratch(scratch, channels);
        DevBuf mean = saveMean;
        DevBuf invStd = saveInvStd;
        if (mean == null || invStd == null) {
            mean = scratch.slice(4 * channels, channels);
            invStd = scratch.slice(5 * channels, channels);
            ctx.launch(ctx.kernel(STATS), channels, 1, 256, 0, ctx.args().ptr(x).ptr(null).ptr(null).ptr(null).ptr(null)
                    .ptr(mean).ptr(invStd).ptr(scratch).i(batch).i(channels).i(spatial).f(0f).f(eps));
        }
        backwardPasses(ctx, x, y, dy, gamma, mean, invStd, dx, dgamma, dbeta, batch, channels, spatial, relu, true,
                accumulateInput, accumulateParams, scratch);
    }

    /** Twin of {@code BatchNorm.backwardInference} (frozen running statistics). */
    public static void backwardInference(CudaContext ctx, DevBuf x, DevBuf y, DevBuf dy, DevBuf gamma,
            DevBuf runningMean, DevBuf runningVar, DevBuf dx, DevBuf dgamma, DevBuf dbeta, int batch, int channels,
            int spatial, float eps, boolean relu, boolean accumulateInput, boolean accumulateParams, DevBuf scratch) {
        checkScratch(scratch, channels);
        ctx.launch(ctx.kernel(RUNNING_INV_STD), channels, ctx.args().ptr(runningVar).ptr(scratch).i(channels).f(eps));
        backwardPasses(ctx, x, y, dy, gamma, runningMean, scratch.slice(3 * channels, channels), dx, dgamma, dbeta,
                batch, channels, spatial, relu, false, accumulateInput, accumulateParams, scratch);
    }

    /**
     * Twin of {@code BatchNorm.foldWeight}: {@code out[o, :] = w[o, :] * gamma[o] / sqrt(runningVar[o] +
     * eps)}; {@code out} must not overlap {@code w}.
     */
    public static void foldWeight(CudaContext ctx, DevBuf w, DevBuf gamma, DevBuf runningVar, DevBuf out, int channels,
            int perChannel, float eps) {
        ctx.launch(ctx.kernel(FOLD_WEIGHT), (long) channels * perChannel, ctx.args().ptr(w).ptr(gamma).ptr(runningVar)
                .ptr(out).i(channels).i(perChannel).f(eps));
    }

    /**
     * Twin of {@code BatchNorm.foldBias}: {@code out = beta + (bias - runningMean) * gamma / sqrt(runningVar +
     * eps)}, with a null {@code bias} counting as 0.
     */
    public static void foldBias(CudaContext ctx, DevBuf bias, DevBuf gamma, DevBuf beta, DevBuf runningMean,
            DevBuf runningVar, DevBuf out, int channels, float eps) {
        ctx.launch(ctx.kernel(FOLD_BIAS), channels, ctx.args().ptr(bias).ptr(gamma).ptr(beta).ptr(runningMean)
                .ptr(runningVar).ptr(out).i(channels).f(eps));
    }

    private static void backwardPasses(CudaContext ctx, DevBuf x, DevBuf y, DevBuf dy, DevBuf gamma, DevBuf mean,
            DevBuf invStd, DevBuf dx, DevBuf dgamma, DevBuf dbeta, int batch, int channels, int spatial, boolean relu,
            boolean training, boolean accumulateInput, boolean accumulateParams, DevBuf scratch) {
        ctx.launch(ctx.kernel(BACKWARD_SUMS), channels, 1, 256, 0, ctx.args().ptr(x).ptr(y).ptr(dy)
                .ptr(dx == null ? null : gamma).ptr(mean).ptr(invStd).ptr(dgamma).ptr(dbeta).ptr(scratch).i(batch)
                .i(channels).i(spatial).i(relu ? 1 : 0).i(training ? 1 : 0).i(accumulateParams ? 1 : 0));
        if (dx != null) {
            ctx.launch(ctx.kernel(BACKWARD_INPUT), (long) batch * channels * spatial, ctx.args().ptr(x).ptr(y).ptr(dy)
                    .ptr(dx).ptr(mean).ptr(scratch).i(batch).i(channels).i(spatial).i(relu ? 1 : 0)
                    .i(accumulateInput ? 1 : 0));
        }
    }

    private static void affine(CudaContext ctx, DevBuf x, DevBuf residual, DevBuf y, DevBuf coef, int batch,
            int channels, int spatial, boolean relu) {
        ctx.launch(ctx.kernel(AFFINE), (long) batch * channels * spatial, ctx.args().ptr(x).ptr(residual).ptr(y)
                .ptr(coef).i(batch).i(channels).i(spatial).i(relu ? 1 : 0));
    }

    private static void checkScratch(DevBuf scratch, int channels) {
        if (scratch.size() < scratchSize(channels)) {
            throw new IllegalArgumentException("batch norm over " + channels + " channels needs " + scratchSize(channels)
                    + " scratch floats, got " + scratch.size());
        }
    }
}
