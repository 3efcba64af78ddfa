// The point-wise arithmetic of the recurrent cells for a batch of examples at one step; the GEMMs
// around them are cuBLAS. CPU twins: the cells of org.dnnc.runtime.cpu.Recurrent (Rnn, Lstm, Gru:
// same formulas, gate order i, f, g, o for the LSTM and r, z, n for the GRU as PyTorch). Every row
// argument is a pointer to example 0's row and a stride (floats) to the next example's; xg holds
// W_ih x + b_ih and hg holds W_hh h. Thread (b, j) handles unit j of example b.
// Sigmoid and tanh are computed in double and rounded once, as the CPU twins do.

__device__ float dnnc_sigmoid(float v) {
    return (float) (1.0 / (1.0 + exp(-(double) v)));
}

__device__ float dnnc_tanh(float v) {
    return (float) tanh((double) v);
}

// Rnn.forward: h' = act(xg + hg + b_hh) into the saved activation and the new state.
extern "C" __global__ void rnn_forward(const float* xg, int xgS, const float* hg, int hgS, const float* bHh,
        float* act, int actS, float* hCur, int hS, int batch, int hidden, int relu) {
    int n = batch * hidden;
    for (int t = blockIdx.x * blockDim.x + threadIdx.x; t < n; t += gridDim.x * blockDim.x) {
        int b = t / hidden;
        int j = t % hidden;
        float v = xg[(long) b * xgS + j] + hg[(long) b * hgS + j] + bHh[j];
        float a = relu ? fmaxf(v, 0.0f) : dnnc_tanh(v);
        act[(long) b * actS + j] = a;
        hCur[(long) b * hS + j] = a;
    }
}

// Rnn.backward: d = dh act' over the saved activation and into dxg; dh is cleared.
extern "C" __global__ void rnn_backward(float* act, int actS, float* dh, int dhS, float* dxg, int dxgS, int batch,
        int hidden, int relu) {
    int n = batch * hidden;
    for (int t = blockIdx.x * blockDim.x + threadIdx.x; t < n; t += gridDim.x * blockDim.x) {
        int b = t / hidden;
        int j = t % hidden;
        float a = act[(long) b * actS + j];
        float d = dh[(long) b * dhS + j] * (relu ? (a > 0.0f ? 1.0f : 0.0f) : 1.0f - a * a);
        act[(long) b * actS + j] = d;
        dxg[(long) b * dxgS + j] = d;
        dh[(long) b * dhS + j] = 0.0f;
    }
}

// Lstm.forward: gates, c' = f c + i g, h' = o tanh(c'); saves the four gates and c'.
extern "C" __global__ void lstm_forward(const float* xg, int xgS, const float* hg, int hgS, const float* bHh,
        float* act, int actS, const float* cPrev, int cPrevS, float* cCur, int cCurS, float* hCur, int hS, int batch,
        int hidden) {
    int n = batch * hidden;
    for (int t = blockIdx.x * blockDim.x + threadIdx.x; t < n; t += gridDim.x * blockDim.x) {
        int b = t / hidden;
        int j = t % hidden;
        const float* x = xg + (long) b * xgS;
        const float* h = hg + (long) b * hgS;
        float i = dnnc_sigmoid(x[j] + h[j] + bHh[j]);
        float f = dnnc_sigmoid(x[hidden + j] + h[hidden + j] + bHh[hidden + j]);
        float g = dnnc_tanh(x[2 * hidden + j] + h[2 * hidden + j] + bHh[2 * hidden + j]);
        float o = dnnc_sigmoid(x[3 * hidden + j] + h[3 * hidden + j] + bHh[3 * hidden + j]);
        float c = f * cPrev[(long) b * cPrevS + j] + i * g;
        float* a = act + (long) b * actS;
        a[j] = i;
        a[hidden + j] = f;
        a[2 * hidden + j] = g;
        a[3 * hidden + j] = o;
        cCur[(long) b * cCurS + j] = c;
        hCur[(long) b * hS + j] = o * dnnc_tanh(c);
    }
}

// Lstm.backward: the gates' pre-activation gradients over the saved gates and into dxg; dc becomes
// dct f; dh is cleared.
extern "C" __global__ void lstm_backward(float* act, int actS, const float* cPrev, int cPrevS, const float* cCur,
        int cCurS, float* dh, int dhS, float* dc, int dcS, float* dxg, int dxgS, int batch, int hidden) {
    int n = batch * hidden;
    for (int t = blockIdx.x * blockDim.x + threadIdx.x; t < n; t += gridDim.x * blockDim.x) {
        int b = t / hidden;
        int j = t % hidden;
        float* a = act + (long) b * actS;
        float* dx = dxg + (long) b * dxgS;
        float i = a[j];
        float f = a[hidden + j];
        float g = a[2 * hidden + j];
        float o = a[3 * hidden + j];
        float tc = dnnc_tanh(cCur[(long) b * cCurS + j]);
        float dhj = dh[(long) b * dhS + j];
        float dct = dc[(long) b * dcS + j] + dhj * o * (1.0f - tc * tc);
        float di = dct * g * i * (1.0f - i);
        float df = dct * cPrev[(long) b * cPrevS + j] * f * (1.0f - f);
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
        dc[(long) b * dcS + j] = dct * f;
        dh[(long) b * dhS + j] = 0.0f;
    }
}

// Gru.forward: r, z, n = tanh(xg_n + r (hg_n + b_hn)), h' = (1 - z) n + z h; saves r, z, n and hg_n + b_hn.
extern "C" __global__ void gru_forward(const float* xg, int xgS, const float* hg, int hgS, const float* bHh,
        float* act, int actS, float* hn, int hnS, const float* hPrev, int hPrevS, float* hCur, int hS, int batch,
        int hidden) {
    int n = batch * hidden;
    for (int t = blockIdx.x * blockDim.x + threadIdx.x; t < n; t += gridDim.x * blockDim.x) {
        int b = t / hidden;
        int j = t % hidden;
        const float* x = xg + (long) b * xgS;
        const float* h = hg + (long) b * hgS;
        float r = dnnc_sigmoid(x[j] + h[j] + bHh[j]);
        float z = dnnc_sigmoid(x[hidden + j] + h[hidden + j] + bHh[hidden + j]);
        float hidNew = h[2 * hidden + j] + bHh[2 * hidden + j];
        float nn = dnnc_tanh(x[2 * hidden + j] + r * hidNew);
        float* a = act + (long) b * actS;
        a[j] = r;
        a[hidden + j] = z;
        a[2 * hidden + j] = nn;
        hn[(long) b * hnS + j] = hidNew;
        hCur[(long) b * hS + j] = (1.0f - z) * nn + z * hPrev[(long) b * hPrevS + j];
    }
}

// Gru.backward: pre-activation gradients into dxg and over the saved gates (the n block times r
// there); dh becomes dh z.
extern "C" __global__ void gru_backward(float* act, int actS, const float* hn, int hnS, const float* hPrev,
        int hPrevS, float* dh, int dhS, float* dxg, int dxgS, int batch, int hidden) {
    int n = batch * hidden;
    for (int t = blockIdx.x * blockDim.x + threadIdx.x; t < n; t += gridDim.x * blockDim.x) {
        int b = t / hidden;
        int j = t % hidden;
        float* a = act + (long) b * actS;
        float* dx = dxg + (long) b * dxgS;
        float r = a[j];
        float z = a[hidden + j];
        float nn = a[2 * hidden + j];
        float dhj = dh[(long) b * dhS + j];
        float dnPre = dhj * (1.0f - z) * (1.0f - nn * nn);
        float drPre = dnPre * hn[(long) b * hnS + j] * r * (1.0f - r);
        float dzPre = dhj * (hPrev[(long) b * hPrevS + j] - nn) * z * (1.0f - z);
        dx[j] = drPre;
        dx[hidden + j] = dzPre;
        dx[2 * hidden + j] = dnPre;
        a[j] = drPre;
        a[hidden + j] = dzPre;
        a[2 * hidden + j] = dnPre * r;
        dh[(long) b * dhS + j] = dhj * z;
    }
}
