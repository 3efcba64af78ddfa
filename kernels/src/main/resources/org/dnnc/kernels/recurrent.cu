// The point-wise arithmetic of the recurrent cells for a batch of examples at one step; the GEMMs
// around them are cuBLAS. CPU twins: the cells of org.dnnc.runtime.cpu.Recurrent (Rnn, Lstm, Gru:
// same formulas, gate order i, f, g, o for the LSTM and r, z, n for the GRU as PyTorch). Every row
// argument is a pointer to example 0's row and a stride (floats) to the next example's; xg holds
// W_ih x + b_ih and hg holds W_hh h. Thread (b, j) handles unit j of example b.
// Sigmoid and tanh are computed in double and rounded once, as the CPU twins do.
//
// The cells' arithmetic is in __device__ functions over one example's rows, shared by the cell
// kernels (a batch at one step, rows at a fixed stride) and by the time loop's step kernels
// (recurrent_step_*, CPU twin: Recurrent.forward/backward), whose rows move with each example's
// length and direction.

__device__ float dnnc_sigmoid(float v) {
    return (float) (1.0 / (1.0 + exp(-(double) v)));
}

__device__ float dnnc_tanh(float v) {
    return (float) tanh((double) v);
}

// Rnn.forward for unit j of one example: h' = act(x + h + b_hh) into the saved activation and h'.
__device__ void rnn_cell_forward(const float* x, const float* h, const float* bHh, float* a, float* hCur, int j,
        int relu) {
    float v = x[j] + h[j] + bHh[j];
    float out = relu ? fmaxf(v, 0.0f) : dnnc_tanh(v);
    a[j] = out;
    hCur[j] = out;
}

// Rnn.backward for unit j: d = dh act' over the saved activation and into dx; dh is cleared.
__device__ void rnn_cell_backward(float* a, float* dh, float* dx, int j, int relu) {
    float v = a[j];
    float d = dh[j] * (relu ? (v > 0.0f ? 1.0f : 0.0f) : 1.0f - v * v);
    a[j] = d;
    dx[j] = d;
    dh[j] = 0.0f;
}

// Lstm.forward for unit j: gates, c' = f c + i g, h' = o tanh(c'); saves the four gates and c'.
__device__ void lstm_cell_forward(const float* x, const float* h, const float* bHh, float* a, const float* cPrev,
        float* cCur, float* hCur, int hidden, int j) {
    float i = dnnc_sigmoid(x[j] + h[j] + bHh[j]);
    float f = dnnc_sigmoid(x[hidden + j] + h[hidden + j] + bHh[hidden + j]);
    float g = dnnc_tanh(x[2 * hidden + j] + h[2 * hidden + j] + bHh[2 * hidden + j]);
    float o = dnnc_sigmoid(x[3 * hidden + j] + h[3 * hidden + j] + bHh[3 * hidden + j]);
    float c = f * cPrev[j] + i * g;
    a[j] = i;
    a[hidden + j] = f;
    a[2 * hidden + j] = g;
    a[3 * hidden + j] = o;
    cCur[j] = c;
    hCur[j] = o * dnnc_tanh(c);
}

// Lstm.backward for unit j: the gates' pre-activation gradients over the saved gates and into dx;
// dc becomes dct f; dh is cleared.
__device__ void lstm_cell_backward(float* a, const float* cPrev, const float* cCur, float* dh, float* dc,
        float* dx, int hidden, int j) {
    float i = a[j];
    float f = a[hidden + j];
    float g = a[2 * hidden + j];
    float o = a[3 * hidden + j];
    float tc = dnnc_tanh(cCur[j]);
    float dhj = dh[j];
    float dct = dc[j] + dhj * o * (1.0f - tc * tc);
    float di = dct * g * i * (1.0f - i);
    float df = dct * cPrev[j] * f * (1.0f - f);
    float dg = dct * i * (1.0f - g * g);
    float dout = dhj * tc * o * (1.0f - o);
    a[j] = di;
    a[hidden + j] = df;
    a[2 * hidden + j] = dg;
    a[3 * hidden + j] = dout;
    dx[j] = di;
    dx[hidden + j] = df;
    dx[2 * hidden + j] = dg;
    dx[3 * hidden + j] = dout;
    dc[j] = dct * f;
    dh[j] = 0.0f;
}

// Gru.forward for unit j: r, z, n = tanh(x_n + r (h_n + b_hn)), h' = (1 - z) n + z h; saves r, z, n
// and h_n + b_hn.
__device__ void gru_cell_forward(const float* x, const float* h, const float* bHh, float* a, float* hn,
        const float* hPrev, float* hCur, int hidden, int j) {
    float r = dnnc_sigmoid(x[j] + h[j] + bHh[j]);
    float z = dnnc_sigmoid(x[hidden + j] + h[hidden + j] + bHh[hidden + j]);
    float hidNew = h[2 * hidden + j] + bHh[2 * hidden + j];
    float nn = dnnc_tanh(x[2 * hidden + j] + r * hidNew);
    a[j] = r;
    a[hidden + j] = z;
    a[2 * hidden + j] = nn;
    hn[j] = hidNew;
    hCur[j] = (1.0f - z) * nn + z * hPrev[j];
}

// Gru.backward for unit j: pre-activation gradients into dx and over the saved gates (the n block
// times r there); dh becomes dh z.
__device__ void gru_cell_backward(float* a, const float* hn, const float* hPrev, float* dh, float* dx, int hidden,
        int j) {
    float r = a[j];
    float z = a[hidden + j];
    float nn = a[2 * hidden + j];
    float dhj = dh[j];
    float dnPre = dhj * (1.0f - z) * (1.0f - nn * nn);
    float drPre = dnPre * hn[j] * r * (1.0f - r);
    float dzPre = dhj * (hPrev[j] - nn) * z * (1.0f - z);
    dx[j] = drPre;
    dx[hidden + j] = dzPre;
    dx[2 * hidden + j] = dnPre;
    a[j] = drPre;
    a[hidden + j] = dzPre;
    a[2 * hidden + j] = dnPre * r;
    dh[j] = dhj * z;
}

// The cell kernels: unit j of example b, every row argument at example 0's row plus b times its stride.

extern "C" __global__ void rnn_forward(const float* xg, int xgS, const float* hg, int hgS, const float* bHh,
        float* act, int actS, float* hCur, int hS, int batch, int hidden, int relu) {
    for (int t = blockIdx.x * blockDim.x + threadIdx.x; t < batch * hidden; t += gridDim.x * blockDim.x) {
        long b = t / hidden;
        int j = t % hidden;
        rnn_cell_forward(xg + b * xgS, hg + b * hgS, bHh, act + b * actS, hCur + b * hS, j, relu);
    }
}

extern "C" __global__ void rnn_backward(float* act, int actS, float* dh, int dhS, float* dxg, int dxgS, int batch,
        int hidden, int relu) {
    for (int t = blockIdx.x * blockDim.x + threadIdx.x; t < batch * hidden; t += gridDim.x * blockDim.x) {
        long b = t / hidden;
        int j = t % hidden;
        rnn_cell_backward(act + b * actS, dh + b * dhS, dxg + b * dxgS, j, relu);
    }
}

extern "C" __global__ void lstm_forward(const float* xg, int xgS, const float* hg, int hgS, const float* bHh,
        float* act, int actS, const float* cPrev, int cPrevS, float* cCur, int cCurS, float* hCur, int hS, int batch,
        int hidden) {
    for (int t = blockIdx.x * blockDim.x + threadIdx.x; t < batch * hidden; t += gridDim.x * blockDim.x) {
        long b = t / hidden;
        int j = t % hidden;
        lstm_cell_forward(xg + b * xgS, hg + b * hgS, bHh, act + b * actS, cPrev + b * cPrevS, cCur + b * cCurS,
                hCur + b * hS, hidden, j);
    }
}

extern "C" __global__ void lstm_backward(float* act, int actS, const float* cPrev, int cPrevS, const float* cCur,
        int cCurS, float* dh, int dhS, float* dc, int dcS, float* dxg, int dxgS, int batch, int hidden) {
    for (int t = blockIdx.x * blockDim.x + threadIdx.x; t < batch * hidden; t += gridDim.x * blockDim.x) {
        long b = t / hidden;
        int j = t % hidden;
        lstm_cell_backward(act + b * actS, cPrev + b * cPrevS, cCur + b * cCurS, dh + b * dhS, dc + b * dcS,
                dxg + b * dxgS, hidden, j);
    }
}

extern "C" __global__ void gru_forward(const float* xg, int xgS, const float* hg, int hgS, const float* bHh,
        float* act, int actS, float* hn, int hnS, const float* hPrev, int hPrevS, float* hCur, int hS, int batch,
        int hidden) {
    for (int t = blockIdx.x * blockDim.x + threadIdx.x; t < batch * hidden; t += gridDim.x * blockDim.x) {
        long b = t / hidden;
        int j = t % hidden;
        gru_cell_forward(xg + b * xgS, hg + b * hgS, bHh, act + b * actS, hn + b * hnS, hPrev + b * hPrevS,
                hCur + b * hS, hidden, j);
    }
}

extern "C" __global__ void gru_backward(float* act, int actS, const float* hn, int hnS, const float* hPrev,
        int hPrevS, float* dh, int dhS, float* dxg, int dxgS, int batch, int hidden) {
    for (int t = blockIdx.x * blockDim.x + threadIdx.x; t < batch * hidden; t += gridDim.x * blockDim.x) {
        long b = t / hidden;
        int j = t % hidden;
        gru_cell_backward(act + b * actS, hn + b * hnS, hPrev + b * hPrevS, dh + b * dhS, dxg + b * dxgS, hidden, j);
    }
}

// The cell codes of the step kernels (CudaRecurrent passes them).
#define DNNC_RNN_TANH 0
#define DNNC_RNN_RELU 1
#define DNNC_LSTM 2
#define DNNC_GRU 3

// Example b's length: lengths[b], or every step without lengths; -1 when outside [0, steps].
__device__ int dnnc_length(const int* lengths, long b, int steps) {
    int length = lengths ? lengths[b] : steps;
    return length >= 0 && length <= steps ? length : -1;
}

// One step s of Recurrent.forward over a workspace laid out as the CPU's (offsets in floats): the
// input projections [N*T, G*H] at 0, step s's saved gates (rows b) at act, the states [T+1][N, H] at
// states, the LSTM's cell states [T+1][N, H] or the GRU's saved h_n [T][N, H] at aux, and
// W_hh h_s [N, G*H] at hg (the GEMM before this launch). Past its length an example's state stands
// still and its output is zero; a reverse layer starts from its last valid step. y is null unless
// the layer returns sequences; its rows (b, t) are yStride apart (hidden, or more where y holds
// more than the states, as the attention decoder's output). A length outside [0, steps] (the CPU throws) makes the example's
// states NaN.
extern "C" __global__ void recurrent_step_forward(float* ws, int xgAt, int hgAt, int actAt, int statesAt, int auxAt,
        const float* bHh, float* y, int yStride, const int* lengths, int cell, int batch, int steps, int hidden, int s,
        int reverse) {
    int gates = cell == DNNC_LSTM ? 4 : cell == DNNC_GRU ? 3 : 1;
    long nh = (long) batch * hidden;
    for (int t = blockIdx.x * blockDim.x + threadIdx.x; t < batch * hidden; t += gridDim.x * blockDim.x) {
        long b = t / hidden;
        int j = t % hidden;
        float* hPrev = ws + statesAt + s * nh + b * hidden;
        float* hCur = hPrev + nh;
        float* auxPrev = ws + auxAt + s * nh + b * hidden;
        int length = dnnc_length(lengths, b, steps);
        if (length < 0) {
            hCur[j] = __int_as_float(0x7fc00000);
            continue;
        }
        if (s >= length) {
            hCur[j] = hPrev[j];
            if (cell == DNNC_LSTM) {
                auxPrev[nh + j] = auxPrev[j];
            }
            if (y) {
                y[(b * steps + s) * yStride + j] = 0.0f;
            }
            continue;
        }
        int time = reverse ? length - 1 - s : s;
        const float* x = ws + xgAt + (b * steps + time) * gates * hidden;
        const float* h = ws + hgAt + b * gates * hidden;
        float* a = ws + actAt + (s * batch + b) * gates * hidden;
        if (cell == DNNC_LSTM) {
            lstm_cell_forward(x, h, bHh, a, auxPrev, auxPrev + nh, hCur, hidden, j);
        } else if (cell == DNNC_GRU) {
            gru_cell_forward(x, h, bHh, a, auxPrev, hPrev, hCur, hidden, j);
        } else {
            rnn_cell_forward(x, h, bHh, a, hCur, j, cell == DNNC_RNN_RELU);
        }
        if (y) {
            y[(b * steps + time) * yStride + j] = hCur[j];
        }
    }
}

// One step s of Recurrent.backward, before the GEMM that adds (step s's gate gradients) W_hh to the
// carried state gradient dh [N, H] (at dhAt; the LSTM's dc at dcAt): adds dy's step (dy is null
// unless the layer returns sequences; rows dyStride apart, as y's), then the cell's gradients into the saved gates' rows and the
// input projection's row of the step. A step past an example's length zeroes both rows, so the
// state's gradient passes through it unchanged. A length outside [0, steps] makes dh NaN.
extern "C" __global__ void recurrent_step_backward(float* ws, int actAt, int statesAt, int auxAt, int dhAt, int dcAt,
        const float* dy, int dyStride, const int* lengths, int cell, int batch, int steps, int hidden, int s,
        int reverse) {
    int gates = cell == DNNC_LSTM ? 4 : cell == DNNC_GRU ? 3 : 1;
    long nh = (long) batch * hidden;
    for (int t = blockIdx.x * blockDim.x + threadIdx.x; t < batch * hidden; t += gridDim.x * blockDim.x) {
        long b = t / hidden;
        int j = t % hidden;
        float* dh = ws + dhAt + b * hidden;
        float* a = ws + actAt + (s * batch + b) * gates * hidden;
        int length = dnnc_length(lengths, b, steps);
        if (length < 0) {
            dh[j] = __int_as_float(0x7fc00000);
            continue;
        }
        if (s >= length) {
            float* dxPast = ws + (b * steps + s) * gates * hidden;
            for (int g = 0; g < gates; g++) {
                a[g * hidden + j] = 0.0f;
                dxPast[g * hidden + j] = 0.0f;
            }
            continue;
        }
        int time = reverse ? length - 1 - s : s;
        if (dy) {
            dh[j] += dy[(b * steps + time) * dyStride + j];
        }
        float* dx = ws + (b * steps + time) * gates * hidden;
        float* auxPrev = ws + auxAt + s * nh + b * hidden;
        if (cell == DNNC_LSTM) {
            lstm_cell_backward(a, auxPrev, auxPrev + nh, dh, ws + dcAt + b * hidden, dx, hidden, j);
        } else if (cell == DNNC_GRU) {
            gru_cell_backward(a, auxPrev, ws + statesAt + s * nh + b * hidden, dh, dx, hidden, j);
        } else {
            rnn_cell_backward(a, dh, dx, j, cell == DNNC_RNN_RELU);
        }
    }
}
