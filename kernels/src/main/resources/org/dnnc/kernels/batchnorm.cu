// Batch normalization over x [N, C, spatial] per channel, PyTorch's numerics. CPU twin:
// org.dnnc.runtime.cpu.BatchNorm. Per-channel sums are one 256-thread block per channel, in double;
// the per-element passes read per-channel coefficients from a scratch array "coef":
// forward: coef[c] = scale, coef[C + c] = shift; backward: coef[c] = k, coef[C + c] = a,
// coef[2C + c] = b, coef[3C + c] = invStd (the inference backward's).

__device__ double dnnc_block_sum(double v, double* shared) {
    shared[threadIdx.x] = v;
    __syncthreads();
    for (int half = blockDim.x / 2; half > 0; half >>= 1) {
        if (threadIdx.x < half) {
            shared[threadIdx.x] += shared[threadIdx.x + half];
        }
        __syncthreads();
    }
    double total = shared[0];
    __syncthreads();
    return total;
}

// Training statistics of channel blockIdx.x: mean and biased variance from sums of (x - first
// value of the channel), as the CPU; saves mean and invStd (when not null), updates the running
// statistics (when not null; the variance with the unbiased estimate) and writes scale and shift
// (when gamma is not null: a backward that recomputes the statistics needs only them).
extern "C" __global__ void bn_stats(const float* x, const float* gamma, const float* beta, float* runningMean,
        float* runningVar, float* saveMean, float* saveInvStd, float* coef, int batch, int channels, int spatial,
        float momentum, float eps) {
    __shared__ double shared[256];
    int c = blockIdx.x;
    float first = x[(long) c * spatial];
    long count = (long) batch * spatial;
    double sum = 0.0;
    double squares = 0.0;
    for (long i = threadIdx.x; i < count; i += blockDim.x) {
        long n = i / spatial;
        long p = i % spatial;
        float d = x[(n * channels + c) * spatial + p] - first;
        sum += d;
        squares += (double) d * d;
    }
    sum = dnnc_block_sum(sum, shared);
    squares = dnnc_block_sum(squares, shared);
    if (threadIdx.x == 0) {
        double m = sum / (double) count;
        double var = fmax(squares / (double) count - m * m, 0.0);
        float mean = (float) (first + m);
        float invStd = (float) (1.0 / sqrt(var + eps));
        if (saveMean != nullptr) {
            saveMean[c] = mean;
        }
        if (saveInvStd != nullptr) {
            saveInvStd[c] = invStd;
        }
        if (runningMean != nullptr) {
            runningMean[c] = (1.0f - momentum) * runningMean[c] + momentum * mean;
        }
        if (runningVar != nullptr) {
            float unbiased = (float) (var * count / (count - 1));
            runningVar[c] = (1.0f - momentum) * runningVar[c] + momentum * unbiased;
        }
        if (gamma != nullptr) {
            float scale = invStd * gamma[c];
            coef[c] = scale;
            coef[channels + c] = beta[c] - mean * scale;
        }
    }
}

// Inference coefficients from the running statistics, one thread per channel.
extern "C" __global__ void bn_inference_coef(const float* gamma, const float* beta, const float* runningMean,
        const float* runningVar, float* coef, int channels, float eps) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c < channels) {
        float invStd = (float) (1.0 / sqrt(runningVar[c] + (double) eps));
        float scale = invStd * gamma[c];
        coef[c] = scale;
        coef[channels + c] = beta[c] - runningMean[c] * scale;
    }
}

// BatchNorm.backwardInputInference's coefficients: scale = gamma / sqrt(var + eps), shift = 0.
extern "C" __global__ void bn_input_inference_coef(const float* gamma, const float* runningVar, float* coef,
        int channels, float eps) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c < channels) {
        coef[c] = (float) (gamma[c] / sqrt(runningVar[c] + (double) eps));
        coef[channels + c] = 0.0f;
    }
}

// y = x * scale[c] + shift[c] (+ residual), then max(., 0) when relu; y may be x.
extern "C" __global__ void bn_affine(const float* x, const float* residual, float* y, const float* coef, int batch,
        int channels, int spatial, int relu) {
    long n = (long) batch * channels * spatial;
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < n; i += (long) gridDim.x * blockDim.x) {
        int c = (int) ((i / spatial) % channels);
        float t = x[i] * coef[c] + coef[channels + c];
        if (residual != nullptr) {
            t += residual[i];
        }
        y[i] = relu ? fmaxf(t, 0.0f) : t;
    }
}

// The backward sums of channel blockIdx.x with g = dy (masked by y > 0 when relu): sumG and
// sumGX = sum g (x - mean). Writes dbeta (+)= sumG and dgamma (+)= sumGX * invStd (either may be
// null), and the input gradient's coefficients: training: k = gamma invStd, a = sumG / M,
// b = sumGX invStd^2 / M (PyTorch's batch_norm_backward); inference (training = 0): k = gamma invStd,
// a = b = 0. mean and invStd are the saved batch statistics, or the running ones in inference.
extern "C" __global__ void bn_backward_sums(const float* x, const float* y, const float* dy, const float* gamma,
        const float* mean, const float* invStd, float* dgamma, float* dbeta, float* coef, int batch, int channels,
        int spatial, int relu, int training, int accumulateParams) {
    __shared__ double shared[256];
    int c = blockIdx.x;
    float m = mean[c];
    long count = (long) batch * spatial;
    double sumG = 0.0;
    double sumGX = 0.0;
    for (long i = threadIdx.x; i < count; i += blockDim.x) {
        long at = ((i / spatial) * channels + c) * spatial + i % spatial;
        float g = dy[at];
        if (relu && !(y[at] > 0.0f)) {
            g = 0.0f;
        }
        sumG += g;
        sumGX += (double) g * (x[at] - m);
    }
    sumG = dnnc_block_sum(sumG, shared);
    sumGX = dnnc_block_sum(sumGX, shared);
    if (threadIdx.x == 0) {
        float is = invStd[c];
        if (dgamma != nullptr) {
            float v = (float) (sumGX * is);
            dgamma[c] = accumulateParams ? dgamma[c] + v : v;
        }
        if (dbeta != nullptr) {
            float v = (float) sumG;
            dbeta[c] = accumulateParams ? dbeta[c] + v : v;
        }
        if (gamma != nullptr) {
            coef[c] = gamma[c] * is;
            coef[channels + c] = training ? (float) (sumG / (double) count) : 0.0f;
            coef[2 * channels + c] = training ? (float) (sumGX * is * is / (double) count) : 0.0f;
        }
    }
}

// dx = k (g - a - (x - mean) b) (+= when accumulate), g = dy masked by y > 0 when relu; dx may be dy.
extern "C" __global__ void bn_backward_input(const float* x, const float* y, const float* dy, float* dx,
        const float* mean, const float* coef, int batch, int channels, int spatial, int relu, int accumulate) {
    long n = (long) batch * channels * spatial;
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < n; i += (long) gridDim.x * blockDim.x) {
        int c = (int) ((i / spatial) % channels);
        float g = dy[i];
        if (relu && !(y[i] > 0.0f)) {
            g = 0.0f;
        }
        float v = coef[c] * (g - coef[channels + c] - (x[i] - mean[c]) * coef[2 * channels + c]);
        dx[i] = accumulate ? dx[i] + v : v;
    }
}

// invStd = 1 / sqrt(runningVar + eps) into coef[3C + c], for the inference backward.
extern "C" __global__ void bn_running_inv_std(const float* runningVar, float* coef, int channels, float eps) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c < channels) {
        coef[3 * channels + c] = (float) (1.0 / sqrt(runningVar[c] + (double) eps));
    }
}

// BatchNorm.foldWeight: out[o, i] = w[o, i] * gamma[o] / sqrt(runningVar[o] + eps), the scale in double
// and rounded to float once, as on the CPU; out must not overlap w.
extern "C" __global__ void bn_fold_weight(const float* w, const float* gamma, const float* runningVar, float* out,
        int channels, int perChannel, float eps) {
    long long total = (long long) channels * perChannel;
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < total;
            i += (long long) gridDim.x * blockDim.x) {
        int o = (int) (i / perChannel);
        float scale = (float) (gamma[o] / sqrt(runningVar[o] + (double) eps));
        out[i] = w[i] * scale;
    }
}

// BatchNorm.foldBias: out[c] = beta[c] + (bias[c] - runningMean[c]) * gamma[c] / sqrt(runningVar[c] + eps) in
// double; a null bias counts as 0.
extern "C" __global__ void bn_fold_bias(const float* bias, const float* gamma, const float* beta,
        const float* runningMean, const float* runningVar, float* out, int channels, float eps) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c < channels) {
        double scale = gamma[c] / sqrt(runningVar[c] + (double) eps);
        double b = bias == 0 ? 0.0 : bias[c];
        out[c] = (float) (beta[c] + (b - runningMean[c]) * scale);
    }
}
