// Activations and the dense layer's bias epilogues. CPU twins: org.dnnc.runtime.cpu.Activations and
// Dense.backwardBias. The activation code is the ordinal of org.dnnc.runtime.cpu.Activation:
// 0 identity, 1 relu, 2 leaky_relu (param = slope), 3 elu (param = alpha), 4 sigmoid, 5 tanh.
// Sigmoid, tanh and elu are computed in double and rounded once, as the CPU twins do.

__device__ float dnnc_act(int act, float param, float t) {
    switch (act) {
        case 1: return fmaxf(t, 0.0f);
        case 2: return t > 0.0f ? t : param * t;
        case 3: return t > 0.0f ? t : param * (float) expm1((double) t);
        case 4: return t >= 0.0f ? (float) (1.0 / (1.0 + exp(-(double) t))) : (float) (exp((double) t) / (1.0 + exp((double) t)));
        case 5: return (float) tanh((double) t);
        default: return t;
    }
}

// The derivative at the input whose output is y.
__device__ float dnnc_act_derivative(int act, float param, float y) {
    switch (act) {
        case 1: return y > 0.0f ? 1.0f : 0.0f;
        case 2: return y > 0.0f ? 1.0f : param;
        case 3: return y > 0.0f ? 1.0f : y + param;
        case 4: return y * (1.0f - y);
        case 5: return 1.0f - y * y;
        default: return 1.0f;
    }
}

// Activations.forward: y = act(x).
extern "C" __global__ void act_forward(int act, float param, const float* x, float* y, int n) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        y[i] = dnnc_act(act, param, x[i]);
    }
}

// Activations.backward: dx = dy * act'(y).
extern "C" __global__ void act_backward(int act, float param, const float* y, const float* dy, float* dx, int n) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        dx[i] = dy[i] * dnnc_act_derivative(act, param, y[i]);
    }
}

// Activations.biasForward: y[r, c] = act(y[r, c] + bias[c]) in place.
extern "C" __global__ void act_bias_forward(int act, float param, float* y, const float* bias, int rows, int cols) {
    int n = rows * cols;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        y[i] = dnnc_act(act, param, y[i] + bias[i % cols]);
    }
}

// The first half of Activations.biasBackward: dz = dy * act'(y) (dz may be dy).
// The bias gradient is bias_grad over dz, as the CPU twin sums dz by columns.
extern "C" __global__ void act_bias_backward_dz(int act, float param, const float* y, const float* dy, float* dz,
        int rows, int cols) {
    int n = rows * cols;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        dz[i] = dy[i] * dnnc_act_derivative(act, param, y[i]);
    }
}

// Dense.backwardBias: db[c] = sum_r dz[r, c] (db += ... when accumulate). One block of 256 threads
// per 32 columns: 8 row groups of 32 lanes, summed in double, then combined in shared memory, so
// the sum does not depend on the launch and needs no atomics.
extern "C" __global__ void bias_grad(const float* dz, float* db, int rows, int cols, int accumulate) {
    __shared__ double partial[8][32];
    int lane = threadIdx.x & 31;
    int group = threadIdx.x >> 5;
    int c = blockIdx.x * 32 + lane;
    double sum = 0.0;
    if (c < cols) {
        for (int r = group; r < rows; r += 8) {
            sum += dz[(long) r * cols + c];
        }
    }
    partial[group][lane] = sum;
    __syncthreads();
    if (group == 0 && c < cols) {
        double total = 0.0;
        for (int g = 0; g < 8; g++) {
            total += partial[g][lane];
        }
        db[c] = accumulate ? db[c] + (float) total : (float) total;
    }
}
