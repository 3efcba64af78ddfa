// Parameter updates over n floats. CPU twins: org.dnnc.runtime.cpu.Optimizers. The values that
// change from step to step (learning rate, Adam's bias corrections, momentum's first step) are read
// from device memory ("scalars"), so that a captured CUDA graph replays the update with each step's
// values; the constant hyper-parameters are arguments.

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
extern "C" __global__ void opt_sgd(float* p, const float* g, int n, const float* scalars, float weightDecay, float l1) {
    float lr = scalars[0];
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        float pi = p[i];
        p[i] = pi - lr * dnnc_regularized(g[i], pi, weightDecay, l1);
    }
}

// Optimizers.momentum; scalars = {lr, 1 on the first step else 0}.
extern "C" __global__ void opt_momentum(float* p, const float* g, float* velocity, int n, const float* scalars,
        float momentum, float dampening, int nesterov, float weightDecay, float l1) {
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
extern "C" __global__ void opt_adagrad(float* p, const float* g, float* sum, int n, const float* scalars, float eps,
        float weightDecay, float l1) {
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
        const float* scalars, float alpha, float eps, float momentum, float weightDecay, float l1) {
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
extern "C" __global__ void opt_adam(float* p, const float* g, float* m, float* v, int n, const float* scalars,
        float beta1, float beta2, float eps, float weightDecay, float l1) {
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
