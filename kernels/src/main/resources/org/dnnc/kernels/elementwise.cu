// Element-wise kernels over n floats with a grid-stride loop. CPU twins: org.dnnc.runtime.cpu.Elementwise.

extern "C" __global__ void ew_fill(float* dst, int n, float value) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        dst[i] = value;
    }
}

// Elementwise.scale: dst *= s.
extern "C" __global__ void ew_scale(float* dst, int n, float s) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        dst[i] *= s;
    }
}

// Elementwise.add: y = a + b (y may be a or b).
extern "C" __global__ void ew_add(const float* a, const float* b, float* y, int n) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        y[i] = a[i] + b[i];
    }
}

// Elementwise.sub: y = a - b.
extern "C" __global__ void ew_sub(const float* a, const float* b, float* y, int n) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        y[i] = a[i] - b[i];
    }
}

// Elementwise.mul: y = a * b.
extern "C" __global__ void ew_mul(const float* a, const float* b, float* y, int n) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        y[i] = a[i] * b[i];
    }
}

// Elementwise.mulBackward: da = dy * b, db = dy * a (either output may be null).
extern "C" __global__ void ew_mul_backward(const float* a, const float* b, const float* dy, float* da, float* db, int n) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        float g = dy[i];
        float av = a[i];
        float bv = b[i];
        if (da != nullptr) {
            da[i] = g * bv;
        }
        if (db != nullptr) {
            db[i] = g * av;
        }
    }
}

// Elementwise.accumulate: dst += src.
extern "C" __global__ void ew_accumulate(float* dst, const float* src, int n) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        dst[i] += src[i];
    }
}

// Elementwise.addChannelBias: y[b, c, s] = x[b, c, s] + bias[c] over batch * channels * spatial elements.
extern "C" __global__ void ew_add_channel_bias(const float* x, const float* bias, float* y, int batch, int channels,
        int spatial) {
    int n = batch * channels * spatial;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        y[i] = x[i] + bias[(i / spatial) % channels];
    }
}

// Conv2d.backwardBias: db[c] = sum over examples and positions of dz[b, c, s] (+= when accumulate).
// One 256-thread block per channel, summed in double in a fixed order (no atomics).
extern "C" __global__ void ew_channel_bias_grad(const float* dz, float* db, int batch, int channels, int spatial,
        int accumulate) {
    __shared__ double shared[256];
    int c = blockIdx.x;
    long count = (long) batch * spatial;
    double sum = 0.0;
    for (long i = threadIdx.x; i < count; i += blockDim.x) {
        sum += dz[((i / spatial) * channels + c) * spatial + i % spatial];
    }
    shared[threadIdx.x] = sum;
    __syncthreads();
    for (int half = blockDim.x / 2; half > 0; half >>= 1) {
        if (threadIdx.x < half) {
            shared[threadIdx.x] += shared[threadIdx.x + half];
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        float v = (float) shared[0];
        db[c] = accumulate ? db[c] + v : v;
    }
}
