// Layer normalization over the last axis of rows x cols, one warp per row (rows = blockIdx.x * 8 +
// warp, 256-thread blocks). CPU twin: org.dnnc.runtime.cpu.LayerNorm: the mean and the biased
// variance (two passes) in double, rounded to float as there. Each .cu file is its own module, so
// the warp sum repeats softmax.cu's.

__device__ double ln_warp_sum(double v) {
    for (int offset = 16; offset > 0; offset >>= 1) {
        v += __shfl_xor_sync(0xffffffffu, v, offset);
    }
    return v;
}

// A row's mean and 1 / sqrt(var + eps), computed by its warp (every lane gets both).
__device__ void ln_row_stats(const float* xr, int cols, float eps, int lane, float* mean, float* invStd) {
    double sum = 0.0;
    for (int c = lane; c < cols; c += 32) {
        sum += xr[c];
    }
    float m = (float) (ln_warp_sum(sum) / cols);
    double sq = 0.0;
    for (int c = lane; c < cols; c += 32) {
        double d = xr[c] - m;
        sq += d * d;
    }
    *mean = m;
    *invStd = (float) (1.0 / sqrt(ln_warp_sum(sq) / cols + eps));
}

// A row's statistics: the saved ones when mean is not null, else computed from x.
__device__ void ln_stats(const float* x, const float* mean, const float* invStd, int row, int cols, float eps,
        int lane, float* m, float* s) {
    if (mean) {
        *m = mean[row];
        *s = invStd[row];
    } else {
        ln_row_stats(x + (long) row * cols, cols, eps, lane, m, s);
    }
}

// LayerNorm.forward: y = (x - mean) invStd gamma + beta per row; saves each row's mean and invStd
// when saveMean is not null. y may be x.
extern "C" __global__ void ln_forward(const float* x, const float* gamma, const float* beta, float* y,
        float* saveMean, float* saveInvStd, int rows, int cols, float eps) {
    int row = blockIdx.x * 8 + (threadIdx.x >> 5);
    int lane = threadIdx.x & 31;
    if (row >= rows) {
        return;
    }
    const float* xr = x + (long) row * cols;
    float* yr = y + (long) row * cols;
    float mean;
    float invStd;
    ln_row_stats(xr, cols, eps, lane, &mean, &invStd);
    if (saveMean && lane == 0) {
        saveMean[row] = mean;
        saveInvStd[row] = invStd;
    }
    for (int c = lane; c < cols; c += 32) {
        yr[c] = (xr[c] - mean) * invStd * gamma[c] + beta[c];
    }
}

// The input half of LayerNorm.backward: dx = invStd (g - mean(g) - xhat mean(g xhat)) with g = dy
// gamma, per row (+= when accumulate). Statistics saved by ln_forward when mean is not null, else
// recomputed from x. dx may be dy: a lane writes only the elements it has read.
extern "C" __global__ void ln_backward_input(const float* x, const float* dy, const float* gamma, const float* mean,
        const float* invStd, float* dx, int rows, int cols, float eps, int accumulate) {
    int row = blockIdx.x * 8 + (threadIdx.x >> 5);
    int lane = threadIdx.x & 31;
    if (row >= rows) {
        return;
    }
    const float* xr = x + (long) row * cols;
    const float* dyr = dy + (long) row * cols;
    float* dxr = dx + (long) row * cols;
    float m;
    float s;
    ln_stats(x, mean, invStd, row, cols, eps, lane, &m, &s);
    double sumG = 0.0;
    double sumGX = 0.0;
    for (int c = lane; c < cols; c += 32) {
        float gc = dyr[c] * gamma[c];
        sumG += gc;
        sumGX += gc * ((xr[c] - m) * s);
    }
    float a = (float) (ln_warp_sum(sumG) / cols);
    float b = (float) (ln_warp_sum(sumGX) / cols);
    for (int c = lane; c < cols; c += 32) {
        float v = s * (dyr[c] * gamma[c] - a - (xr[c] - m) * s * b);
        dxr[c] = accumulate ? dxr[c] + v : v;
    }
}

// The parameter half of LayerNorm.backward: dgamma = sum over rows of dy xhat, dbeta = sum over
// rows of dy (+= when accumulate; either may be null). Block b owns columns [32 b, 32 b + 32), one
// per lane; its 8 warps take every 8th row, each computing its rows' statistics, and warp 0 adds
// the 8 partial sums in a fixed order: the same sums on every run.
extern "C" __global__ void ln_backward_params(const float* x, const float* dy, const float* mean,
        const float* invStd, float* dgamma, float* dbeta, int rows, int cols, float eps, int accumulate) {
    __shared__ double partGamma[8][32];
    __shared__ double partBeta[8][32];
    int warp = threadIdx.x >> 5;
    int lane = threadIdx.x & 31;
    int c = blockIdx.x * 32 + lane;
    double sumGamma = 0.0;
    double sumBeta = 0.0;
    for (int row = warp; row < rows; row += 8) {
        float m;
        float s;
        ln_stats(x, mean, invStd, row, cols, eps, lane, &m, &s);
        if (c < cols) {
            float g = dy[(long) row * cols + c];
            sumGamma += g * ((x[(long) row * cols + c] - m) * s);
            sumBeta += g;
        }
    }
    partGamma[warp][lane] = sumGamma;
    partBeta[warp][lane] = sumBeta;
    __syncthreads();
    if (warp == 0 && c < cols) {
        double gammaTotal = 0.0;
        double betaTotal = 0.0;
        for (int w = 0; w < 8; w++) {
            gammaTotal += partGamma[w][lane];
            betaTotal += partBeta[w][lane];
        }
        if (dgamma) {
            dgamma[c] = accumulate ? dgamma[c] + (float) gammaTotal : (float) gammaTotal;
        }
        if (dbeta) {
            dbeta[c] = accumulate ? dbeta[c] + (float) betaTotal : (float) betaTotal;
        }
    }
}
