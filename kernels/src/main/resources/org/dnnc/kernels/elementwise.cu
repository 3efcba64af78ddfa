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
