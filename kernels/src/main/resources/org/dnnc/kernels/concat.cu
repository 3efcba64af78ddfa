// Bands of rows: concat and slice. CPU twin: org.dnnc.runtime.cpu.Concat (place, extract), which
// copies each of the outer rows with one memcpy.

// dst[r, dstOffset + c] = src[r, srcOffset + c] for c < width, of src [outer, srcInner] and dst
// [outer, dstInner].
extern "C" __global__ void band_copy(const float* src, int srcInner, int srcOffset, float* dst, int dstInner,
        int dstOffset, int width, int outer) {
    long count = (long) outer * width;
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < count; i += (long) gridDim.x * blockDim.x) {
        long r = i / width;
        int c = (int) (i % width);
        dst[r * dstInner + dstOffset + c] = src[r * srcInner + srcOffset + c];
    }
}
