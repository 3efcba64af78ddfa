// Moves along the time axis of sequences [N, T, ...]. CPU twin: org.dnnc.runtime.cpu.Steps. A
// length outside [0, steps] cannot throw on the device as it does on the CPU: the example's row of
// the result becomes NaN.

// Steps.shiftRight: y[b, 0] = fill, y[b, t] = x[b, t - 1] over ids [n, steps]; y is not x.
extern "C" __global__ void steps_shift_right(const int* x, int* y, int n, int steps, int fill) {
    long count = (long) n * steps;
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < count; i += (long) gridDim.x * blockDim.x) {
        y[i] = i % steps == 0 ? fill : x[i - 1];
    }
}

// Example b's length: lengths[b], or every step without lengths; -1 when outside [0, steps].
__device__ int steps_length(const int* lengths, long b, int steps) {
    int length = lengths ? lengths[b] : steps;
    return length >= 0 && length <= steps ? length : -1;
}

// Steps.last: y[b] = x[b, length - 1] of x [n, steps, features]; zero for a length of 0.
extern "C" __global__ void steps_last(const float* x, const int* lengths, float* y, int n, int steps, int features) {
    long count = (long) n * features;
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < count; i += (long) gridDim.x * blockDim.x) {
        long b = i / features;
        int length = steps_length(lengths, b, steps);
        y[i] = length < 0 ? __int_as_float(0x7fc00000)
                : length == 0 ? 0.0f : x[(b * steps + length - 1) * features + i % features];
    }
}

// Steps.lastBackward: dy [n, features] at each example's last step of dx [n, steps, features], zero
// elsewhere.
extern "C" __global__ void steps_last_backward(const float* dy, const int* lengths, float* dx, int n, int steps,
        int features) {
    long count = (long) n * steps * features;
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < count; i += (long) gridDim.x * blockDim.x) {
        long b = i / ((long) steps * features);
        int t = (int) (i / features % steps);
        int length = steps_length(lengths, b, steps);
        dx[i] = length < 0 ? __int_as_float(0x7fc00000) : t == length - 1 ? dy[b * features + i % features] : 0.0f;
    }
}
