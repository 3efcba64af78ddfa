// Regression losses over n elements with PyTorch's mean reduction. CPU twins:
// org.dnnc.runtime.cpu.Losses.mse and Losses.bceWithLogits. The value is one 256-thread block that
// sums in double in a fixed order (so it is the same on every run) and writes the mean into loss[0];
// the gradients are a grid-stride pass each, scaled by upstream[0] when upstream is not null (a
// weighted loss's dloss, which stays on the device), else by 1 as the CPU twins assume.

__device__ double dnnc_loss_block_sum(double v, double* shared) {
    shared[threadIdx.x] = v;
    __syncthreads();
    for (int half = blockDim.x / 2; half > 0; half >>= 1) {
        if (threadIdx.x < half) {
            shared[threadIdx.x] += shared[threadIdx.x + half];
        }
        __syncthreads();
    }
    return shared[0];
}

// Losses.mse's value: loss[0] = mean((pred - target)^2).
extern "C" __global__ void mse_value(const float* pred, const float* target, float* loss, int n) {
    __shared__ double shared[256];
    double total = 0.0;
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        float d = pred[i] - target[i];
        total += (double) d * d;
    }
    total = dnnc_loss_block_sum(total, shared);
    if (threadIdx.x == 0) {
        loss[0] = (float) (total / n);
    }
}

// Losses.mse's gradients: dpred = 2 (pred - target) / n, dtarget = -dpred (either may be null).
extern "C" __global__ void mse_grad(const float* pred, const float* target, float* dpred, float* dtarget,
        const float* upstream, int n) {
    float k = 2.0f / n;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        float d = pred[i] - target[i];
        if (dpred != nullptr) {
            float g = k * d;
            dpred[i] = upstream != nullptr ? g * upstream[0] : g;
        }
        if (dtarget != nullptr) {
            float g = -k * d;
            dtarget[i] = upstream != nullptr ? g * upstream[0] : g;
        }
    }
}

// Losses.bceWithLogits's value: loss[0] = mean(max(x, 0) - x t + log(1 + exp(-|x|))).
extern "C" __global__ void bce_value(const float* logits, const float* target, float* loss, int n) {
    __shared__ double shared[256];
    double total = 0.0;
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        float x = logits[i];
        total += fmaxf(x, 0.0f) - (double) x * target[i] + log1p(exp(-fabs((double) x)));
    }
    total = dnnc_loss_block_sum(total, shared);
    if (threadIdx.x == 0) {
        loss[0] = (float) (total / n);
    }
}

// Losses.bceWithLogits's gradients: dlogits = (sigmoid(x) - t) / n, dtarget = -x / n (either may be
// null); the sigmoid in double, rounded once, as Activations.sigmoid.
extern "C" __global__ void bce_grad(const float* logits, const float* target, float* dlogits, float* dtarget,
        const float* upstream, int n) {
    float invN = 1.0f / n;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        float x = logits[i];
        if (dlogits != nullptr) {
            float s = x >= 0.0f ? (float) (1.0 / (1.0 + exp(-(double) x)))
                                : (float) (exp((double) x) / (1.0 + exp((double) x)));
            float g = (s - target[i]) * invN;
            dlogits[i] = upstream != nullptr ? g * upstream[0] : g;
        }
        if (dtarget != nullptr) {
            float g = -x * invN;
            dtarget[i] = upstream != nullptr ? g * upstream[0] : g;
        }
    }
}
