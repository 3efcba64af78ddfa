package org.dnnc.runtime.cuda;

/**
 * Parameter updates on the device ({@code optimizer.cu}): twins of {@link
 * org.dnnc.runtime.cpu.Optimizers}, with one difference that CUDA graphs need: what changes from
 * step to step (the learning rate under a schedule, Adam's bias corrections, momentum's first
 * step) is read from a small device view {@code scalars} rather than passed by value, so a captured
 * step replays with each step's values. Fill it with the host arrays of {@link #sgdScalars}, {@link
 * #momentumScalars} and {@link #adamScalars} (uploaded before the step, for example with the batch),
 * which compute those values exactly as the CPU twins do, or on the device with {@link #gate}.
 *
 * <p>Each update also takes the flag {@code apply} that {@link #gate} writes ({@link
 * #applyFlag}), or null to update unconditionally: with the flag, an update whose step found a NaN
 * or infinite loss or gradient runs and changes nothing, where the CPU's step leaves its update
 * calls out, so that a captured step never waits for the host to decide.
 */
public final class CudaOptimizers {

    private static final FixedKernel SGD = new FixedKernel("optimizer", "opt_sgd");
    private static final FixedKernel MOMENTUM = new FixedKernel("optimizer", "opt_momentum");
    private static final FixedKernel ADAGRAD = new FixedKernel("optimizer", "opt_adagrad");
    private static final FixedKernel RMSPROP = new FixedKernel("optimizer", "opt_rmsprop");
    private static final FixedKernel ADAM = new FixedKernel("optimizer", "opt_adam");

    private static final FixedKernel GATE = new FixedKernel("optimizer", "opt_step_gate");

    /** Ints of a {@link #gate}'s device state: apply, halted, policy, unused, and a 64-bit step counter. */
    public static final int GATE_STATE_INTS = 6;
    /** Floats of a step's read-back that {@link #gate} completes: loss, correct, judged, gradients not finite, skipped. */
    public static final int READBACK_FLOATS = 5;
    /** {@link #gate} policy: a step with a NaN or infinite loss or gradient does not update. */
    public static final int SKIP_NON_FINITE = 0;
    /** {@link #gate} policy: as {@link #SKIP_NON_FINITE}, and no later step updates until the state is written again. */
    public static final int STOP_AT_NON_FINITE = 1;
    /** {@link #gate} policy: every step updates. */
    public static final int APPLY_ALWAYS = 2;

    /** Which per-step scalars {@link #gate} computes, as the {@code *Scalars} method of the same name. */
    public enum StepScalars {
        /** {@link #sgdScalars}: SGD, Adagrad, RMSprop. */
        SGD,
        /** {@link #momentumScalars}. */
        MOMENTUM,
        /** {@link #adamScalars}. */
        ADAM
    }

    private CudaOptimizers() {}

    /**
     * A gate's state as the host writes it before the first step (or to clear a latched stop): the
     * flags clear, {@code policy}, and the step counter at {@code steps}.
     *
     * @throws IllegalArgumentException if the policy is none of the three or {@code steps} is negative
     */
    public static int[] gateState(int policy, long steps) {
        if (policy < SKIP_NON_FINITE || policy > APPLY_ALWAYS || steps < 0) {
            throw new IllegalArgumentException("a gate needs policy 0, 1 or 2 and a step count from 0, got policy "
                    + policy + " and " + steps + " steps");
        }
        // The counter as a little-endian 64-bit integer, the device's order.
        return new int[] {0, 0, policy, 0, (int) steps, (int) (steps >>> 32)};
    }

    /** The flag of a gate's {@code state} that the updates read: 1 when the step's update applies. */
    public static DevBuf applyFlag(DevBuf state) {
        return state.slice(0, 1);
    }

    /**
     * Queues a training step's gate (one thread), after its backward pass and before its update: the
     * twin of the CPU step's checks and its {@code steps++}. It reads the loss in {@code readback[0]}
     * and the gradients' global norm {@code norm[0]} ({@link CudaClipping#norm}), decides by the
     * policy in {@code state} whether the update applies (the flag {@link #applyFlag}), writes {@code
     * readback[3]} (1: gradients not finite, or held back by a latched stop) and {@code readback[4]}
     * (1: skipped), and, when the update applies, counts the step in {@code state} and computes this
     * step's {@code scalars} from the counter and the learning rate {@code lr[0]}.
     *
     * @param state {@link #GATE_STATE_INTS} ints at an 8-byte aligned address, written first with {@link #gateState}
     * @param beta1 Adam's, for {@link StepScalars#ADAM}; otherwise unused
     * @param beta2 Adam's, for {@link StepScalars#ADAM}; otherwise unused
     * @throws IllegalArgumentException if a view is too small or {@code state} is misaligned
     */
    public static void gate(CudaContext ctx, DevBuf readback, DevBuf norm, DevBuf lr, DevBuf state, StepScalars kind,
            float beta1, float beta2, DevBuf scalars) {
        if (readback.size() < READBACK_FLOATS || state.size() < GATE_STATE_INTS || (state.address() & 7) != 0
                || scalars.size() < (kind == StepScalars.SGD ? 1 : 2)) {
            throw new IllegalArgumentException("a step gate needs " + READBACK_FLOATS + " read-back floats, "
                    + GATE_STATE_INTS + " state ints at an 8-byte aligned address and the scalars of " + kind + ", got "
                    + readback + ", " + state + ", " + scalars);
        }
        ctx.launch(ctx.kernel(GATE), 1, 1, 1, 0, ctx.args().ptr(readback).ptr(norm).ptr(lr).ptr(state)
                .i(kind.ordinal()).f(beta1).f(beta2).ptr(scalars));
    }

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

    /**
     * Twin of {@code Optimizers.sgd}: {@code p -= lr * g}; {@code scalars} as {@link #sgdScalars},
     * {@code apply} a gate's {@link #applyFlag} or null (as for every update here).
     */
    public static void sgd(CudaContext ctx, DevBuf p, DevBuf g, int n, DevBuf scalars, DevBuf apply, float weightDecay,
            float l1) {
        ctx.launch(ctx.kernel(SGD), n, ctx.args().ptr(p).ptr(g).i(n).ptr(scalars).ptr(apply).f(weightDecay).f(l1));
    }

    /** Twin of {@code Optimizers.momentum}; {@code scalars} as {@link #momentumScalars}. */
    public static void momentum(CudaContext ctx, DevBuf p, DevBuf g, DevBuf velocity, int n, DevBuf scalars,
            DevBuf apply, float momentum, float dampening, boolean nesterov, float weightDecay, float l1) {
        ctx.launch(ctx.kernel(MOMENTUM), n, ctx.args().ptr(p).ptr(g).ptr(velocity).i(n).ptr(scalars).ptr(apply).f(momentum)
                .f(dampening).i(nesterov ? 1 : 0).f(weightDecay).f(l1));
    }

    /** Twin of {@code Optimizers.adagrad}; {@code scalars} as {@link #sgdScalars}. */
    public static void adagrad(CudaContext ctx, DevBuf p, DevBuf g, DevBuf sum, int n, DevBuf scalars, DevBuf apply,
            float eps, float weightDecay, float l1) {
        ctx.launch(ctx.kernel(ADAGRAD), n, ctx.args().ptr(p).ptr(g).ptr(sum).i(n).ptr(scalars).ptr(apply).f(eps)
                .f(weightDecay).f(l1));
    }

    /** Twin of {@code Optimizers.rmsprop}; {@code scalars} as {@link #sgdScalars}. */
    public static void rmsprop(CudaContext ctx, DevBuf p, DevBuf g, DevBuf meanSquare, int n, DevBuf scalars,
            DevBuf apply, float alpha, float eps, float weightDecay, float l1) {
        ctx.launch(ctx.kernel(RMSPROP), n, ctx.args().ptr(p).ptr(g).ptr(meanSquare).ptr(null).i(n).ptr(scalars)
                .ptr(apply).f(alpha).f(eps).f(0f).f(weightDecay).f(l1));
    }

    /** Twin of {@code Optimizers.rmspropMomentum}; {@code scalars} as {@link #sgdScalars}. */
    public static void rmspropMomentum(CudaContext ctx, DevBuf p, DevBuf g, DevBuf meanSquare, DevBuf momentumBuffer,
            int n, DevBuf scalars, DevBuf apply, float alpha, float eps, float momentum, float weightDecay, float l1) {
        ctx.launch(ctx.kernel(RMSPROP), n, ctx.args().ptr(p).ptr(g).ptr(meanSquare).ptr(momentumBuffer).i(n)
                .ptr(scalars).ptr(apply).f(alpha).f(eps).f(momentum).f(weightDecay).f(l1));
    }

    /** Twin of {@code Optimizers.adam}; {@code scalars} as {@link #adamScalars} for the step. */
    public static void adam(CudaContext ctx, DevBuf p, DevBuf g, DevBuf m, DevBuf v, int n, DevBuf scalars,
            DevBuf apply, float beta1, float beta2, float eps, float weightDecay, float l1) {
        ctx.launch(ctx.kernel(ADAM), n, ctx.args().ptr(p).ptr(g).ptr(m).ptr(v).i(n).ptr(scalars).ptr(apply).f(beta1)
                .f(beta2).f(eps).f(weightDecay).f(l1));
    }
}
