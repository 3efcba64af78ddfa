// Inverted dropout with the CPU's random bits. CPU twin: org.dnnc.runtime.cpu.Dropout with
// org.dnnc.runtime.cpu.Rng (SplitMix64). SplitMix64's k-th output depends only on state + (k + 1)
// * gamma, so each pair of elements computes its own draw and the mask is bit for bit the CPU's.
// The generator's state lives in device memory (two 32-bit words, low first), so that a captured
// graph draws a fresh mask on every replay; dropout_advance moves it past the draws made.

__device__ unsigned long long dnnc_splitmix(unsigned long long state, unsigned long long k) {
    unsigned long long z = state + (k + 1ULL) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// mask = 0 (probability p) or 1 / (1 - p), two decisions of 24 bits per 64-bit draw; when x is
// not null, also y = x * mask (y may be x).
extern "C" __global__ void dropout_forward(const float* x, float* y, float* mask, int n, float scale,
        unsigned int threshold, const unsigned long long* state) {
    unsigned long long s = *state;
    int pairs = (n + 1) / 2;
    for (int k = blockIdx.x * blockDim.x + threadIdx.x; k < pairs; k += gridDim.x * blockDim.x) {
        unsigned long long bits = dnnc_splitmix(s, (unsigned long long) k);
        int i = 2 * k;
        float m0 = ((bits >> 40) & 0xFFFFFFULL) >= threshold ? scale : 0.0f;
        mask[i] = m0;
        if (x != nullptr) {
            y[i] = x[i] * m0;
        }
        if (i + 1 < n) {
            float m1 = ((bits >> 8) & 0xFFFFFFULL) >= threshold ? scale : 0.0f;
            mask[i + 1] = m1;
            if (x != nullptr) {
                y[i + 1] = x[i + 1] * m1;
            }
        }
    }
}

// The generator's state after the draws of dropout_forward over n elements. One thread.
extern "C" __global__ void dropout_advance(unsigned long long* state, int n) {
    *state += (unsigned long long) ((n + 1) / 2) * 0x9E3779B97F4A7C15ULL;
}
