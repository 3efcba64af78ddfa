// Max and average pooling over planes of [N*C, H, W], and global average pooling. CPU twins:
// org.dnnc.runtime.cpu.Pool2d and GlobalAvgPool. Backward passes gather (one thread per input
// pixel, visiting the windows that contain it in the CPU's order), so no atomics are needed.

// Integer min and max of our own: the integer overloads come from the toolkit's headers under nvcc,
// which NVRTC need not provide.
__device__ int dnnc_min(int a, int b) {
    return a < b ? a : b;
}

__device__ int dnnc_max(int a, int b) {
    return a > b ? a : b;
}

// Element i of planes of rows x cols: its plane, row and column.
__device__ void dnnc_position(long i, int rows, int cols, long* plane, int* r, int* c) {
    *c = (int) (i % cols);
    *r = (int) ((i / cols) % rows);
    *plane = i / ((long) rows * cols);
}

// The window of output (oy, ox), clipped to the input: rows [y0, y1), columns [x0, x1).
__device__ void dnnc_window(int oy, int ox, int height, int width, int kh, int kw, int sh, int sw, int ph, int pw,
        int* y0, int* y1, int* x0, int* x1) {
    int ys = oy * sh - ph;
    int xs = ox * sw - pw;
    *y0 = dnnc_max(ys, 0);
    *y1 = dnnc_min(ys + kh, height);
    *x0 = dnnc_max(xs, 0);
    *x1 = dnnc_min(xs + kw, width);
}

// The first largest pixel of a clipped window (a NaN wins, as on the CPU).
__device__ int dnnc_window_argmax(const float* plane, int width, int y0, int y1, int x0, int x1) {
    int best = y0 * width + x0;
    float maxValue = -__int_as_float(0x7f800000);
    for (int iy = y0; iy < y1; iy++) {
        for (int ix = x0; ix < x1; ix++) {
            float v = plane[iy * width + ix];
            if (v > maxValue || v != v) {
                maxValue = v;
                best = iy * width + ix;
            }
        }
    }
    return best;
}

// Pool2d.maxForward over planes * oh * ow outputs.
extern "C" __global__ void max_pool_forward(const float* x, float* y, int planes, int height, int width, int kh, int kw,
        int sh, int sw, int ph, int pw, int oh, int ow) {
    long n = (long) planes * oh * ow;
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < n; i += (long) gridDim.x * blockDim.x) {
        long plane;
        int oy, ox;
        dnnc_position(i, oh, ow, &plane, &oy, &ox);
        const float* in = x + plane * height * width;
        int y0, y1, x0, x1;
        dnnc_window(oy, ox, height, width, kh, kw, sh, sw, ph, pw, &y0, &y1, &x0, &x1);
        y[i] = in[dnnc_window_argmax(in, width, y0, y1, x0, x1)];
    }
}

// The output rows (or columns) whose windows contain input row iy: [lo, hi].
__device__ void dnnc_covering(int iy, int k, int s, int p, int out, int* lo, int* hi) {
    int top = iy + p - k + 1;
    *lo = top <= 0 ? 0 : (top + s - 1) / s;
    *hi = dnnc_min((iy + p) / s, out - 1);
}

// Pool2d.maxBackward: dx[pixel] (+)= the gradients of the windows whose first maximum it is.
extern "C" __global__ void max_pool_backward(const float* x, const float* dy, float* dx, int planes, int height,
        int width, int kh, int kw, int sh, int sw, int ph, int pw, int oh, int ow, int accumulate) {
    long n = (long) planes * height * width;
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < n; i += (long) gridDim.x * blockDim.x) {
        long plane;
        int iy, ix;
        dnnc_position(i, height, width, &plane, &iy, &ix);
        const float* in = x + plane * height * width;
        const float* g = dy + plane * oh * ow;
        int pixel = iy * width + ix;
        int oy0, oy1, ox0, ox1;
        dnnc_covering(iy, kh, sh, ph, oh, &oy0, &oy1);
        dnnc_covering(ix, kw, sw, pw, ow, &ox0, &ox1);
        float sum = accumulate ? dx[i] : 0.0f;
        for (int oy = oy0; oy <= oy1; oy++) {
            for (int ox = ox0; ox <= ox1; ox++) {
                int y0, y1, x0, x1;
                dnnc_window(oy, ox, height, width, kh, kw, sh, sw, ph, pw, &y0, &y1, &x0, &x1);
                if (dnnc_window_argmax(in, width, y0, y1, x0, x1) == pixel) {
                    sum += g[oy * ow + ox];
                }
            }
        }
        dx[i] = sum;
    }
}

// The divisor of an average window: with countIncludePad the window clipped to the padded input.
__device__ int dnnc_avg_divisor(int oy, int ox, int height, int width, int kh, int kw, int sh, int sw, int ph, int pw,
        int countIncludePad) {
    int ys = oy * sh - ph;
    int xs = ox * sw - pw;
    if (countIncludePad) {
        int rows = dnnc_min(ys + kh, height + ph) - ys;
        int cols = dnnc_min(xs + kw, width + pw) - xs;
        return rows * cols;
    }
    return (dnnc_min(ys + kh, height) - dnnc_max(ys, 0)) * (dnnc_min(xs + kw, width) - dnnc_max(xs, 0));
}

// Pool2d.avgForward.
extern "C" __global__ void avg_pool_forward(const float* x, float* y, int planes, int height, int width, int kh, int kw,
        int sh, int sw, int ph, int pw, int oh, int ow, int countIncludePad) {
    long n = (long) planes * oh * ow;
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < n; i += (long) gridDim.x * blockDim.x) {
        long plane;
        int oy, ox;
        dnnc_position(i, oh, ow, &plane, &oy, &ox);
        const float* in = x + plane * height * width;
        int y0, y1, x0, x1;
        dnnc_window(oy, ox, height, width, kh, kw, sh, sw, ph, pw, &y0, &y1, &x0, &x1);
        float sum = 0.0f;
        for (int iy = y0; iy < y1; iy++) {
            for (int ix = x0; ix < x1; ix++) {
                sum += in[iy * width + ix];
            }
        }
        y[i] = sum / dnnc_avg_divisor(oy, ox, height, width, kh, kw, sh, sw, ph, pw, countIncludePad);
    }
}

// Pool2d.avgBackward: dx[pixel] (+)= the shares of the windows containing it.
extern "C" __global__ void avg_pool_backward(const float* dy, float* dx, int planes, int height, int width, int kh,
        int kw, int sh, int sw, int ph, int pw, int oh, int ow, int countIncludePad, int accumulate) {
    long n = (long) planes * height * width;
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < n; i += (long) gridDim.x * blockDim.x) {
        long plane;
        int iy, ix;
        dnnc_position(i, height, width, &plane, &iy, &ix);
        const float* g = dy + plane * oh * ow;
        int oy0, oy1, ox0, ox1;
        dnnc_covering(iy, kh, sh, ph, oh, &oy0, &oy1);
        dnnc_covering(ix, kw, sw, pw, ow, &ox0, &ox1);
        float sum = accumulate ? dx[i] : 0.0f;
        for (int oy = oy0; oy <= oy1; oy++) {
            for (int ox = ox0; ox <= ox1; ox++) {
                sum += g[oy * ow + ox] / dnnc_avg_divisor(oy, ox, height, width, kh, kw, sh, sw, ph, pw, countIncludePad);
            }
        }
        dx[i] = sum;
    }
}

// GlobalAvgPool.forward: y[plane] = mean(x[plane, :]), summed in double, one thread per plane.
extern "C" __global__ void global_avg_pool_forward(const float* x, float* y, int planes, int spatial) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < planes; i += gridDim.x * blockDim.x) {
        const float* in = x + (long) i * spatial;
        double sum = 0.0;
        for (int p = 0; p < spatial; p++) {
            sum += in[p];
        }
        y[i] = (float) (sum * (1.0 / spatial));
    }
}

// GlobalAvgPool.backward: dx[plane, :] (+)= dy[plane] / spatial.
extern "C" __global__ void global_avg_pool_backward(const float* dy, float* dx, int planes, int spatial,
        int accumulate) {
    long n = (long) planes * spatial;
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < n; i += (long) gridDim.x * blockDim.x) {
        float share = dy[i / spatial] / spatial;
        dx[i] = accumulate ? dx[i] + share : share;
    }
}
