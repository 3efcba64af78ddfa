// CUDA C kernels of org.dnnc.examples.fashion.FashionResnet

// train %93 (logits.residual_down1.relu1), train %124 (logits.relu1): t0 = relu_grad(in0, in1); t1 = add(t0, in2)
extern "C" __global__ void fused_f521ab06a19f(const float* in0, const float* in1, const float* in2, float* out, int n) {
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long) gridDim.x * blockDim.x) {
        float x0 = in0[i];
        float x1 = in1[i];
        float x2 = in2[i];
        float t0 = x1 > 0.0f ? x0 : 0.0f;
        float t1 = t0 + x2;
        out[i] = t1;
    }
}

// evaluate %9 (logits.conv_bn1.conv2d1), evaluate %17 (logits.residual1.y.conv_bn1.conv2d1), evaluate %34 (logits.residual_down1.y.conv_bn1.conv2d1), evaluate %58 (logits.residual2.y.conv_bn1.conv2d1), infer %9 (logits.conv_bn1.conv2d1), infer %17 (logits.residual1.y.conv_bn1.conv2d1), infer %34 (logits.residual_down1.y.conv_bn1.conv2d1), infer %58 (logits.residual2.y.conv_bn1.conv2d1): t0 = add(in0, in1); t1 = relu(t0); per channel: in1
extern "C" __global__ void fused_febbaac9aa3b(const float* in0, const float* in1, float* out, int n, int channels, int spatial) {
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long) gridDim.x * blockDim.x) {
        float x0 = in0[i];
        float x1 = in1[(i / spatial) % channels];
        float t0 = x0 + x1;
        float t1 = fmaxf(t0, 0.0f);
        out[i] = t1;
    }
}

// evaluate %26 (logits.residual1.relu1), evaluate %50 (logits.residual_down1.relu1), evaluate %67 (logits.residual2.relu1), infer %26 (logits.residual1.relu1), infer %50 (logits.residual_down1.relu1), infer %67 (logits.residual2.relu1): t0 = add(in0, in1); t1 = add(in2, t0); t2 = relu(t1); per channel: in1
extern "C" __global__ void fused_84b8290bc3ac(const float* in0, const float* in1, const float* in2, float* out, int n, int channels, int spatial) {
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long) gridDim.x * blockDim.x) {
        float x0 = in0[i];
        float x1 = in1[(i / spatial) % channels];
        float x2 = in2[i];
        float t0 = x0 + x1;
        float t1 = x2 + t0;
        float t2 = fmaxf(t1, 0.0f);
        out[i] = t2;
    }
}
