// Gradient clipping. CPU twin: org.dnnc.runtime.cpu.GradientClipping. The global norm over several
// gradient buffers is summed in double in a fixed order: clip_partial runs once per buffer on a
// fixed grid of CLIP_BLOCKS blocks, each adding its buffer's share to its own partial sum, and
// clip_finish adds the partials in order, so the norm is the same on every run.

#define CLIP_BLOCKS 64

// partials[blockIdx.x] += sum of g^2 over this block's share of g (partials: CLIP_BLOCKS doubles,
// zeroed before the first buffer).
extern "C" __global__ void clip_partial(const float* g, int n, double* partials) {
    __shared__ double shared[256];
    double sum = 0.0;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        sum += (double) g[i] * g[i];
    }
    // A tree over the block's 256 threads, in a fixed order.
    shared[threadIdx.x] = sum;
    __syncthreads();
    for (int half = blockDim.x / 2; half > 0; half >>= 1) {
        if (threadIdx.x < half) {
            shared[threadIdx.x] += shared[threadIdx.x + half];
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        partials[blockIdx.x] += shared[0];
    }
}

// result[0] = the global norm; result[1] = the factor maxNorm / (norm + 1e-6) when it is below 1
// (or NaN, as on the CPU a NaN norm poisons the gradients), else 1. One thread.
extern "C" __global__ void clip_finish(const double* partials, float maxNorm, float* result) {
    double sum = 0.0;
    for (int b = 0; b < CLIP_BLOCKS; b++) {
        sum += partials[b];
    }
    double norm = sqrt(sum);
    double coef = maxNorm / (norm + 1e-6);
    result[0] = (float) norm;
    result[1] = coef >= 1.0 ? 1.0f : (float) coef;
}

// g *= result[1] when clipping is needed, and the step's update applies (apply: opt_step_gate's flag,
// or null; the CPU twin clips only in a step that updates).
extern "C" __global__ void clip_scale(float* g, int n, const float* result, const int* apply) {
    float scale = result[1];
    if (scale == 1.0f || (apply != nullptr && *apply == 0)) {
        return;
    }
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        g[i] *= scale;
    }
}

// GradientClipping.clipValue on one buffer: g = clamp(g, -limit, limit), when the step's update applies
// (apply as for clip_scale).
extern "C" __global__ void clip_value(float* g, int n, float limit, const int* apply) {
    if (apply != nullptr && *apply == 0) {
        return;
    }
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        g[i] = fmaxf(-limit, fminf(limit, g[i]));
    }
}
