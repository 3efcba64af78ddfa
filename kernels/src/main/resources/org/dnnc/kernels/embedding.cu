// Embedding lookup and its table gradient. CPU twin: org.dnnc.runtime.cpu.Embedding. An id outside
// [0, vocab) cannot throw on the device as it does on the CPU: its output row becomes NaN (so the
// loss shows it) and its gradient is dropped.

// Embedding.forward: out[r, :] = table[ids[r], :].
extern "C" __global__ void embedding_forward(const int* ids, const float* table, float* out, int rows, int vocab,
        int dim) {
    long n = (long) rows * dim;
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < n; i += (long) gridDim.x * blockDim.x) {
        int r = (int) (i / dim);
        int j = (int) (i % dim);
        int id = ids[r];
        out[i] = id >= 0 && id < vocab ? table[(long) id * dim + j] : __int_as_float(0x7fc00000);
    }
}

// The scatter half of Embedding.backward: dTable[ids[r], :] += dOut[r, :], after dTable is zeroed.
// Rows sharing an id add with atomics, so their order (and the last bits of such sums) varies
// from run to run.
extern "C" __global__ void embedding_backward(const int* ids, const float* dOut, float* dTable, int rows, int vocab,
        int dim) {
    long n = (long) rows * dim;
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < n; i += (long) gridDim.x * blockDim.x) {
        int r = (int) (i / dim);
        int id = ids[r];
        if (id >= 0 && id < vocab) {
            atomicAdd(&dTable[(long) id * dim + i % dim], dOut[i]);
        }
    }
}
