// Softmax, log-softmax and softmax cross-entropy, one warp per row (rows = blockIdx.x * 8 + warp,
// 256-thread blocks). CPU twins: org.dnnc.runtime.cpu.Softmax and Losses.softmaxCrossEntropy /
// countCorrect. Row sums are kept in double, as there.

__device__ float dnnc_warp_max(float v) {
    for (int offset = 16; offset > 0; offset >>= 1) {
        v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
    }
    return v;
}

__device__ double dnnc_warp_sum(double v) {
    for (int offset = 16; offset > 0; offset >>= 1) {
        v += __shfl_xor_sync(0xffffffffu, v, offset);
    }
    return v;
}

// The largest value's first index: ties go to the smaller index, as the CPU's scan from the left.
__device__ void dnnc_warp_argmax(float* value, int* index) {
    for (int offset = 16; offset > 0; offset >>= 1) {
        float v = __shfl_xor_sync(0xffffffffu, *value, offset);
        int i = __shfl_xor_sync(0xffffffffu, *index, offset);
        if (v > *value || (v == *value && i < *index)) {
            *value = v;
            *index = i;
        }
    }
}

// Softmax.forward: y = exp(x - max) / sum(exp(x - max)) per row.
extern "C" __global__ void softmax_forward(const float* x, float* y, int rows, int cols) {
    int row = blockIdx.x * 8 + (threadIdx.x >> 5);
    int lane = threadIdx.x & 31;
    if (row >= rows) {
        return;
    }
    const float* xr = x + (long) row * cols;
    float* yr = y + (long) row * cols;
    float max = -__int_as_float(0x7f800000);
    for (int c = lane; c < cols; c += 32) {
        max = fmaxf(max, xr[c]);
    }
    max = dnnc_warp_max(max);
    double sum = 0.0;
    for (int c = lane; c < cols; c += 32) {
        float e = (float) exp((double) (xr[c] - max));
        yr[c] = e;
        sum += e;
    }
    float inv = (float) (1.0 / dnnc_warp_sum(sum));
    for (int c = lane; c < cols; c += 32) {
        yr[c] *= inv;
    }
}

// Softmax.backward: dx = y * (dy - sum(dy * y)) per row.
extern "C" __global__ void softmax_backward(const float* y, const float* dy, float* dx, int rows, int cols) {
    int row = blockIdx.x * 8 + (threadIdx.x >> 5);
    int lane = threadIdx.x & 31;
    if (row >= rows) {
        return;
    }
    long o = (long) row * cols;
    double dot = 0.0;
    for (int c = lane; c < cols; c += 32) {
        dot += (double) dy[o + c] * y[o + c];
    }
    float d = (float) dnnc_warp_sum(dot);
    for (int c = lane; c < cols; c += 32) {
        dx[o + c] = y[o + c] * (dy[o + c] - d);
    }
}

// Softmax.logForward: y = x - max - log(sum(exp(x - max))) per row.
extern "C" __global__ void log_softmax_forward(const float* x, float* y, int rows, int cols) {
    int row = blockIdx.x * 8 + (threadIdx.x >> 5);
    int lane = threadIdx.x & 31;
    if (row >= rows) {
        return;
    }
    long o = (long) row * cols;
    float max = -__int_as_float(0x7f800000);
    for (int c = lane; c < cols; c += 32) {
        max = fmaxf(max, x[o + c]);
    }
    max = dnnc_warp_max(max);
    double sum = 0.0;
    for (int c = lane; c < cols; c += 32) {
        sum += exp((double) (x[o + c] - max));
    }
    float shift = max + (float) log(dnnc_warp_sum(sum));
    for (int c = lane; c < cols; c += 32) {
        y[o + c] = x[o + c] - shift;
    }
}

// Softmax.logBackward: dx = dy - exp(y) * sum(dy) per row.
extern "C" __global__ void log_softmax_backward(const float* y, const float* dy, float* dx, int rows, int cols) {
    int row = blockIdx.x * 8 + (threadIdx.x >> 5);
    int lane = threadIdx.x & 31;
    if (row >= rows) {
        return;
    }
    long o = (long) row * cols;
    double sum = 0.0;
    for (int c = lane; c < cols; c += 32) {
        sum += dy[o + c];
    }
    float s = (float) dnnc_warp_sum(sum);
    for (int c = lane; c < cols; c += 32) {
        dx[o + c] = dy[o + c] - (float) exp((double) y[o + c]) * s;
    }
}

// The sum of v over a 256-thread block, in every thread (batchnorm.cu has the same helper: each
// family is compiled on its own, and NVRTC has no includes to share it).
__device__ double dnnc_block_sum(double v) {
    __shared__ double shared[256];
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

// Step 1 of softmax cross-entropy: result[2] = how many labels count (not ignore), as Losses.judged.
// One block of 256 threads.
extern "C" __global__ void xent_count(const int* labels, int batch, int ignoring, int ignore, float* result) {
    double count = 0.0;
    for (int r = threadIdx.x; r < batch; r += blockDim.x) {
        if (!ignoring || labels[r] != ignore) {
            count += 1.0;
        }
    }
    count = dnnc_block_sum(count);
    if (threadIdx.x == 0) {
        result[2] = (float) count;
    }
}

// Step 2: per row, rowLoss = logsumexp - logit[label], rowCorrect = (argmax == label), and
// dlogits = (softmax - onehot) / counted (dlogits may be logits, or null). Ignored rows get zero
// loss, zero gradient and are not counted correct. A label outside [0, classes) cannot throw here
// as the CPU twin does: its row's loss and gradient become NaN, which the loss read back shows.
extern "C" __global__ void xent_rows(const float* logits, const int* labels, float* dlogits, float* rowLoss,
        float* rowCorrect, const float* result, int batch, int classes, int ignoring, int ignore) {
    int row = blockIdx.x * 8 + (threadIdx.x >> 5);
    int lane = threadIdx.x & 31;
    if (row >= batch) {
        return;
    }
    long o = (long) row * classes;
    int label = labels[row];
    if (ignoring && label == ignore) {
        if (dlogits != nullptr) {
            for (int c = lane; c < classes; c += 32) {
                dlogits[o + c] = 0.0f;
            }
        }
        if (lane == 0) {
            rowLoss[row] = 0.0f;
            rowCorrect[row] = 0.0f;
        }
        return;
    }
    float nan = __int_as_float(0x7fc00000);
    bool valid = label >= 0 && label < classes;
    float counted = result[2];
    float invCounted = counted == 0.0f ? 0.0f : 1.0f / counted;
    float max = -__int_as_float(0x7f800000);
    int best = 0x7fffffff;
    for (int c = lane; c < classes; c += 32) {
        float v = logits[o + c];
        if (v > max || best == 0x7fffffff) {
            max = v;
            best = c;
        }
    }
    dnnc_warp_argmax(&max, &best);
    double sum = 0.0;
    for (int c = lane; c < classes; c += 32) {
        sum += exp((double) (logits[o + c] - max));
    }
    sum = dnnc_warp_sum(sum);
    float picked = valid ? logits[o + label] : nan;
    __syncwarp();
    if (lane == 0) {
        rowLoss[row] = valid ? (float) (max + log(sum) - picked) : nan;
        rowCorrect[row] = best == label ? 1.0f : 0.0f;
    }
    if (dlogits != nullptr) {
        float inv = (float) (1.0 / sum);
        for (int c = lane; c < classes; c += 32) {
            float p = (float) exp((double) (logits[o + c] - max)) * inv;
            dlogits[o + c] = valid ? (c == label ? p - 1.0f : p) * invCounted : nan;
        }
    }
}

// Step 3: result[0] = sum(rowLoss) / counted (0 when nothing counts), result[1] = sum(rowCorrect).
// One block of 256 threads, summed in double.
extern "C" __global__ void xent_reduce(const float* rowLoss, const float* rowCorrect, float* result, int batch) {
    double loss = 0.0;
    double correct = 0.0;
    for (int r = threadIdx.x; r < batch; r += blockDim.x) {
        loss += rowLoss[r];
        correct += rowCorrect[r];
    }
    loss = dnnc_block_sum(loss);
    correct = dnnc_block_sum(correct);
    if (threadIdx.x == 0) {
        float counted = result[2];
        result[0] = counted == 0.0f ? 0.0f : (float) (loss / counted);
        result[1] = (float) correct;
    }
}
