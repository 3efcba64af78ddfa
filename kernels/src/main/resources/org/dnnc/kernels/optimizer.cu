// Parameter updates over n floats. CPU twins: org.dnnc.runtime.cpu.Optimizers. The values that
// change from step to step (learning rate, Adam's bias corrections, momentum's first step) are read
// from device memory ("scalars"), so that a captured CUDA graph replays the update with each step's
// values; the constant hyper-parameters are arguments. Each update also reads the flag "apply" that
// opt_step_gate writes (null: always apply) and returns at once when it is 0: where the CPU's step
// skips its update calls (a non-finite loss or gradient), the device's runs them and they do nothing,
// so that the step needs no decision on the host.

// Float.isFinite: NaN fails the comparison, infinity exceeds the largest float.
__device__ bool dnnc_finite(float x) {
    return fabsf(x) <= 3.402823466e38f;
}

// Whether an update runs: the step gate's flag, or always when there is none.
__device__ bool dnnc_applies(const int* apply) {
    return apply == nullptr || *apply != 0;
}

// The CPU's regularize: g + weightDecay p + l1 sign(p).
__device__ float dnnc_regularized(float g, float p, float weightDecay, float l1) {
    if (weightDecay != 0.0f) {
        g += weightDecay * p;
    }
    if (l1 != 0.0f) {
        g += l1 * (p > 0.0f ? 1.0f : p < 0.0f ? -1.0f : p);
    }
    return g;
}

// Optimizers.sgd: p -= lr g; scalars = {lr}.
extern "C" __global__ void opt_sgd(float* p, const float* g, int n, const float* scalars, const int* apply, float weightDecay, float l1) {
    if (!dnnc_applies(apply)) {
        return;
    }
    float lr = scalars[0];
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        float pi = p[i];
        p[i] = pi - lr * dnnc_regularized(g[i], pi, weightDecay, l1);
    }
}

// Optimizers.momentum; scalars = {lr, 1 on the first step else 0}.
extern "C" __global__ void opt_momentum(float* p, const float* g, float* velocity, int n, const float* scalars, const int* apply,
        float momentum, float dampening, int nesterov, float weightDecay, float l1) {
    if (!dnnc_applies(apply)) {
        return;
    }
    float lr = scalars[0];
    bool first = scalars[1] != 0.0f;
    float keep = 1.0f - dampening;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        float pi = p[i];
        float gi = dnnc_regularized(g[i], pi, weightDecay, l1);
        float b = first ? gi : momentum * velocity[i] + keep * gi;
        velocity[i] = b;
        p[i] = nesterov ? pi - lr * (gi + momentum * b) : pi - lr * b;
    }
}

// Optimizers.adagrad; scalars = {lr}.
extern "C" __global__ void opt_adagrad(float* p, const float* g, float* sum, int n, const float* scalars, const int* apply, float eps,
        float weightDecay, float l1) {
    if (!dnnc_applies(apply)) {
        return;
    }
    float negLr = -scalars[0];
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        float pi = p[i];
        float gi = dnnc_regularized(g[i], pi, weightDecay, l1);
        float si = sum[i] + gi * gi;
        sum[i] = si;
        p[i] = pi + negLr * (gi / (sqrtf(si) + eps));
    }
}

// Optimizers.rmsprop, and rmspropMomentum when momentumBuffer is not null; scalars = {lr}.
extern "C" __global__ void opt_rmsprop(float* p, const float* g, float* meanSquare, float* momentumBuffer, int n,
        const float* scalars, const int* apply, float alpha, float eps, float momentum, float weightDecay, float l1) {
    if (!dnnc_applies(apply)) {
        return;
    }
    float negLr = -scalars[0];
    float oneMinusAlpha = 1.0f - alpha;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        float pi = p[i];
        float gi = dnnc_regularized(g[i], pi, weightDecay, l1);
        float vi = meanSquare[i] * alpha + oneMinusAlpha * gi * gi;
        meanSquare[i] = vi;
        if (momentumBuffer != nullptr) {
            float bi = momentum * momentumBuffer[i] + gi / (sqrtf(vi) + eps);
            momentumBuffer[i] = bi;
            p[i] = pi + negLr * bi;
        } else {
            p[i] = pi + negLr * (gi / (sqrtf(vi) + eps));
        }
    }
}

// Optimizers.adam; scalars = {-lr / (1 - beta1^t), 1 / sqrt(1 - beta2^t)}, computed on the host in
// double as the CPU does.
extern "C" __global__ void opt_adam(float* p, const float* g, float* m, float* v, int n, const float* scalars, const int* apply,
        float beta1, float beta2, float eps, float weightDecay, float l1) {
    if (!dnnc_applies(apply)) {
        return;
    }
    float negStepSize = scalars[0];
    float invCorrection2Sqrt = scalars[1];
    float oneMinusBeta1 = 1.0f - beta1;
    float oneMinusBeta2 = 1.0f - beta2;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        float pi = p[i];
        float gi = dnnc_regularized(g[i], pi, weightDecay, l1);
        float mi = m[i] + oneMinusBeta1 * (gi - m[i]);
        float vi = v[i] * beta2 + oneMinusBeta2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = pi + negStepSize * (mi / (sqrtf(vi) * invCorrection2Sqrt + eps));
    }
}

// The gate of a training step, one thread, between its backward pass and its update; CPU twin: the
// checks of a generated trainStep before its update (the loss finite, GradientCheck.allFinite) and its
// steps++. state (ints): {apply, halted, policy, unused, then the step counter as a 64-bit integer};
// policy 0 skips a step with a non-finite loss or gradient, 1 skips it and latches "halted" so that no
// later step applies until the host clears it (the trainer's nan = stop), 2 applies every step.
// readback: {loss, correct, judged, gradients not finite, skipped}; this writes the last two, as the
// host's StepResult reports them (a step the latch held back reports non-finite gradients, so its
// caller stops too). norm: the gradients' global norm (clip_finish). lr: the step's learning rate,
// delivered with its batch. When the update applies, the step counter grows by one and the
// optimizer's scalars are computed from it as CudaOptimizers.*Scalars compute them on the host:
// rule 0 {lr}, 1 {lr, 1 on the first step else 0}, 2 Adam's {-lr / (1 - beta1^t), 1 / sqrt(1 -
// beta2^t)} in double, rounded once.
extern "C" __global__ void opt_step_gate(float* readback, const float* norm, const float* lr, int* state, int rule,
        float beta1, float beta2, float* scalars) {
    if (blockIdx.x != 0 || threadIdx.x != 0) {
        return;
    }
    int policy = state[2];
    bool lossFinite = dnnc_finite(readback[0]);
    bool finite = lossFinite && dnnc_finite(norm[0]);
    bool apply = policy == 2 || (finite && state[1] == 0);
    if (policy == 1 && !finite) {
        state[1] = 1;
    }
    state[0] = apply ? 1 : 0;
    readback[3] = policy != 2 && lossFinite && !apply ? 1.0f : 0.0f;
    readback[4] = apply ? 0.0f : 1.0f;
    if (!apply) {
        return;
    }
    long long* steps = (long long*) (state + 4);
    long long t = *steps + 1;
    *steps = t;
    float rate = lr[0];
    if (rule == 2) {
        scalars[0] = (float) (-(double) rate / (1.0 - pow((double) beta1, (double) t)));
        scalars[1] = (float) (1.0 / sqrt(1.0 - pow((double) beta2, (double) t)));
    } else if (rule == 1) {
        scalars[0] = rate;
        scalars[1] = t <= 1 ? 1.0f : 0.0f;
    } else {
        scalars[0] = rate;
    }
}
