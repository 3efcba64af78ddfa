package org.dnnc.runtime.cuda;

/**
 * Parameter updates on the device ({@code optimizer.cu}): twins of {@link
 * org.dnnc.runtime.cpu.Optimizers}, with one difference that CUDA graphs need: what changes from
 * step to step (the learning rate under a schedule, Adam's bias corrections, momentum's first
 * step) is read from a small device view {@code scalars} rather than passed by value, so a captured
 * step replays with each step's values. Fill it with the host arrays of {@link #sgdScalars}, {@link
 * #momentumScalars} and {@link #adamScalars} (uploaded before the step, for example with the batch),
 * which compute those values exactly as the CPU twins do.
 */
public final class CudaOptimizers {

    private static final FixedKernel SGD = new FixedKernel("optimizer", "opt_sgd");
    private static final FixedKernel MOMENTUM = new FixedKernel("optimizer", "opt_momentum");
    private static final FixedKernel ADAGRAD = new FixedKernel("optimizer", "opt_adagrad");
    private static final FixedKernel RMSPROP = new FixedKernel("optimizer", "opt_rmsprop");
    private static final FixedKernel ADAM = new FixedKernel("optimizer", "opt_adam");

    private CudaOptimizers() {}

    /** The scalars of SGD, Adagrad and RMSprop: {@code {lr}}. */
    public static float[] sgdScalars(float lr) {
        return new float[] {lr};
    }

    /** The scalars of {@link #momentum}: {@code {lr, 1 on step 1 else 0}} (steps count from 1). */
    public static float[] momentumScalars(float lr, long step) {
        return new float[] {lr, step <= 1 ? 1f : 0f};
    }

    /**
     * The scalars of {@link #adam} at {@code step} (from 1): {@code {-lr / (1 - beta1^step), 1 /
     * sqrt(1 - beta2^step)}} in double, rounded once, as {@code Optimizers.adam}.
     *
     * @throws IllegalArgumentException if {@code step < 1}
     */
    public static float[] adamScalars(float lr, float beta1, float beta2, long step) {
        if (step < 1) {
            throw new IllegalArgumentException("adam step counts from 1, got " + step);
        }
        return new float[] {(float) (-lr / (1 - Math.pow(beta1, step))), (float) (1 / Math.sqrt(1 - Math.pow(beta2, step)))};
    }

    /** Twin of {@code Optimizers.sgd}: {@code p -= lr * g}; {@code scalars} as {@link #sgdScalars}. */
    public static void sgd(CudaContext ctx, DevBuf p, DevBuf g, int n, DevBuf scalars, float weightDecay, float l1) {
        ctx.launch(ctx.kernel(SGD), n, ctx.args().ptr(p).ptr(g).i(n).ptr(scalars).f(weightDecay).f(l1));
    }

    /** Twin of {@code Optimizers.momentum}; {@code scalars} as {@link #momentumScalars}. */
    public static void momentum(CudaContext ctx, DevBuf p, DevBuf g, DevBuf velocity, int n, DevBuf scalars,
            float momentum, float dampening, boolean nesterov, float weightDecay, float l1) {
        ctx.launch(ctx.kernel(MOMENTUM), n, ctx.args().ptr(p).ptr(g).ptr(velocity).i(n).ptr(scalars).f(momentum)
                .f(dampening).i(nesterov ? 1 : 0).f(weightDecay).f(l1));
    }

    /** Twin of {@code Optimizers.adagrad}; {@code scalars} as {@link #sgdScalars}. */
    public static void adagrad(CudaContext ctx, DevBuf p, DevBuf g, DevBuf sum, int n, DevBuf scalars, float eps,
            float weightDecay, float l1) {
        ctx.launch(ctx.kernel(ADAGRAD), n, ctx.args().ptr(p).ptr(g).ptr(sum).i(n).ptr(scalars).f(eps).f(weightDecay).f(l1));
    }

    /** Twin of {@code Optimizers.rmsprop}; {@code scalars} as {@link #sgdScalars}. */
    public static void rmsprop(CudaContext ctx, DevBuf p, DevBuf g, DevBuf meanSquare, int n, DevBuf scalars,
            float alpha, float eps, float weightDecay, float l1) {
        ctx.launch(ctx.kernel(RMSPROP), n, ctx.args().ptr(p).ptr(g).ptr(meanSquare).ptr(null).i(n).ptr(scalars)
                .f(alpha).f(eps).f(0f).f(weightDecay).f(l1));
    }

    /** Twin of {@code Optimizers.rmspropMomentum}; {@code scalars} as {@link #sgdScalars}. */
    public static void rmspropMomentum(CudaContext ctx, DevBuf p, DevBuf g, DevBuf meanSquare, DevBuf momentumBuffer,
            int n, DevBuf scalars, float alpha, float eps, float momentum, float weightDecay, float l1) {
        ctx.launch(ctx.kernel(RMSPROP), n, ctx.args().ptr(p).ptr(g).ptr(meanSquare).ptr(momentumBuffer).i(n)
                .ptr(scalars).f(alpha).f(eps).f(momentum).f(weightDecay).f(l1));
    }

    /** Twin of {@code Optimizers.adam}; {@code scalars} as {@link #adamScalars} for the step. */
    public static void adam(CudaContext ctx, DevBuf p, DevBuf g, DevBuf m, DevBuf v, int n, DevBuf scalars,
            float beta1, float beta2, float eps, float weightDecay, float l1) {
        ctx.launch(ctx.kernel(ADAM), n, ctx.args().ptr(p).ptr(g).ptr(m).ptr(v).i(n).ptr(scalars).f(beta1).f(beta2)
                .f(eps).f(weightDecay).f(l1));
    }
}
