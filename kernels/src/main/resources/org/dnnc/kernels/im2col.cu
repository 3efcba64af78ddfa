// Column matrices of a convolution. CPU twin: org.dnnc.runtime.cpu.Im2col. Row r = (c * kh + i) * kw + j
// of the column matrix holds, for each output position (oy, ox), the input pixel
// (c, oy * sh + i - padTop, ox * sw + j - padLeft), or 0 in the padding. Example n of a batch reads
// x[xOffset + n * xStride ..] and writes columns from col[colOffset + n * colStride], rows ldCol
// apart (colStride = oh * ow with ldCol = batch * oh * ow lays the batch side by side, for one GEMM).

extern "C" __global__ void im2col(const float* x, int xOffset, int xStride, float* col, int colOffset, int ldCol,
        int colStride, int batch, int channels, int height, int width, int kh, int kw, int sh, int sw, int padTop,
        int padLeft, int oh, int ow) {
    int spatial = oh * ow;
    long rows = (long) channels * kh * kw;
    long n = (long) batch * rows * spatial;
    for (long t = blockIdx.x * (long) blockDim.x + threadIdx.x; t < n; t += (long) gridDim.x * blockDim.x) {
        int s = (int) (t % spatial);
        long r = (t / spatial) % rows;
        int example = (int) (t / (spatial * rows));
        int j = (int) (r % kw);
        int i = (int) ((r / kw) % kh);
        int c = (int) (r / ((long) kw * kh));
        int iy = (s / ow) * sh + i - padTop;
        int ix = (s % ow) * sw + j - padLeft;
        float v = 0.0f;
        if (iy >= 0 && iy < height && ix >= 0 && ix < width) {
            v = x[xOffset + (long) example * xStride + ((long) c * height + iy) * width + ix];
        }
        col[colOffset + (long) example * colStride + r * ldCol + s] = v;
    }
}

// The adjoint: dx (+)= col2im(col), one thread per input pixel summing the column entries that
// read it, in the CPU's order of (i, j); entries in the padding are dropped.
extern "C" __global__ void col2im(const float* col, int colOffset, int ldCol, int colStride, float* dx, int xOffset,
        int xStride, int accumulate, int batch, int channels, int height, int width, int kh, int kw, int sh, int sw,
        int padTop, int padLeft, int oh, int ow) {
    long plane = (long) height * width;
    long n = (long) batch * channels * plane;
    for (long t = blockIdx.x * (long) blockDim.x + threadIdx.x; t < n; t += (long) gridDim.x * blockDim.x) {
        int x = (int) (t % width);
        int y = (int) ((t / width) % height);
        int c = (int) ((t / plane) % channels);
        int example = (int) (t / (plane * channels));
        const float* cs = col + colOffset + (long) example * colStride;
        float sum = 0.0f;
        for (int i = 0; i < kh; i++) {
            int py = y + padTop - i;
            if (py < 0 || py % sh != 0 || py / sh >= oh) {
                continue;
            }
            for (int j = 0; j < kw; j++) {
                int px = x + padLeft - j;
                if (px < 0 || px % sw != 0 || px / sw >= ow) {
                    continue;
                }
                long r = ((long) c * kh + i) * kw + j;
                sum += cs[r * ldCol + (py / sh) * ow + px / sw];
            }
        }
        long at = xOffset + (long) example * xStride + ((long) c * height + y) * width + x;
        dx[at] = accumulate ? dx[at] + sum : sum;
    }
}
