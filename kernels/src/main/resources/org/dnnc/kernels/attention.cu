// Additive (Bahdanau) attention. CPU twin: org.dnnc.runtime.cpu.Attention. The workspace is laid
// out as there (offsets in floats): the value projections [N*T, A] at z, the query projections
// [N*Tq, A] at q, every pair's tanh [N*Tq, T, A] at h and the weights [N*Tq, T] at alpha; a row is
// one query (b, i) of example b = row / Tq. Lengths may be null (every step valid); a length
// outside [0, T] (the CPU throws) makes the row's weights NaN. Sums over units and features are
// kept in double, as there; each .cu file is its own module, so the warp sum repeats softmax.cu's.

__device__ double att_warp_sum(double v) {
    for (int offset = 16; offset > 0; offset >>= 1) {
        v += __shfl_xor_sync(0xffffffffu, v, offset);
    }
    return v;
}

// Example b's number of valid steps, or -1 when outside [0, steps].
__device__ int att_length(const int* lengths, int b, int steps) {
    int length = lengths ? lengths[b] : steps;
    return length >= 0 && length <= steps ? length : -1;
}

// Attention.weighRow, one warp per row (8 rows to a 256-thread block): the tanh of each valid
// pair (zero past the length, so that later products over all steps read no stale values), the
// scores v . tanh, and their softmax over the valid steps into alpha (zero past them); the same
// weights into weights[row] when it is not null.
extern "C" __global__ void attention_weights(float* ws, int zAt, int qAt, int hAt, int alphaAt, const float* v,
        const int* lengths, float* weights, int rows, int queries, int steps, int units) {
    int row = blockIdx.x * 8 + (threadIdx.x >> 5);
    int lane = threadIdx.x & 31;
    if (row >= rows) {
        return;
    }
    int b = row / queries;
    int length = att_length(lengths, b, steps);
    const float* q = ws + qAt + (long) row * units;
    float* alpha = ws + alphaAt + (long) row * steps;
    float* h = ws + hAt + (long) row * steps * units;
    if (length < 0) {
        for (int j = lane; j < steps; j += 32) {
            alpha[j] = __int_as_float(0x7fc00000);
        }
    } else {
        float max = -__int_as_float(0x7f800000);
        for (int j = 0; j < steps; j++) {
            const float* z = ws + zAt + ((long) b * steps + j) * units;
            float* hj = h + (long) j * units;
            double score = 0.0;
            for (int a = lane; a < units; a += 32) {
                float t = j < length ? (float) tanh((double) (q[a] + z[a])) : 0.0f;
                hj[a] = t;
                score += (double) v[a] * t;
            }
            float s = (float) att_warp_sum(score);
            if (j < length) {
                max = fmaxf(max, s);
                if (lane == 0) {
                    alpha[j] = s;
                }
            }
        }
        __syncwarp();
        double sum = 0.0;
        for (int j = lane; j < length; j += 32) {
            float e = (float) exp((double) (alpha[j] - max));
            alpha[j] = e;
            sum += e;
        }
        sum = att_warp_sum(sum);
        __syncwarp();
        for (int j = lane; j < steps; j += 32) {
            alpha[j] = j < length ? (float) (alpha[j] / sum) : 0.0f;
        }
    }
    if (weights) {
        __syncwarp();
        for (int j = lane; j < steps; j += 32) {
            weights[(long) row * steps + j] = alpha[j];
        }
    }
}

// Attention.contextRow: context[row, d] = sum over valid steps j of alpha_j values[b, j, d], one
// thread per (row, d), in the CPU's order; context rows are contextStride apart.
extern "C" __global__ void attention_context(const float* ws, int alphaAt, const float* values,
        const int* lengths, float* context, int contextStride, int rows, int queries, int steps, int features) {
    long count = (long) rows * features;
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < count; i += (long) gridDim.x * blockDim.x) {
        int row = (int) (i / features);
        int d = (int) (i % features);
        int b = row / queries;
        int length = att_length(lengths, b, steps);
        const float* alpha = ws + alphaAt + (long) row * steps;
        float out = length < 0 ? __int_as_float(0x7fc00000) : 0.0f;
        for (int j = 0; j < length; j++) {
            out += alpha[j] * values[((long) b * steps + j) * features + d];
        }
        context[(long) row * contextStride + d] = out;
    }
}

// The values' share of Attention.backward's values gradient: dValues[b, j, d] (+)= sum over queries i
// of alpha[b, i, j] dContext[b, i, d], one thread per (b, j, d); the GEMM through W_z adds the rest.
extern "C" __global__ void attention_values_grad(const float* ws, int alphaAt, const float* dContext,
        float* dValues, int batch, int queries, int steps, int features, int accumulate) {
    long count = (long) batch * steps * features;
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < count; i += (long) gridDim.x * blockDim.x) {
        long b = i / ((long) steps * features);
        int j = (int) (i / features % steps);
        int d = (int) (i % features);
        float sum = accumulate ? dValues[i] : 0.0f;
        for (int q = 0; q < queries; q++) {
            long row = b * queries + q;
            sum += ws[alphaAt + row * steps + j] * dContext[row * features + d];
        }
        dValues[i] = sum;
    }
}

// The scores' gradients of Attention.backwardRow, one warp per row: dAlpha_j = dContext . z_j,
// then dScore_j = alpha_j (dAlpha_j - sum_k dAlpha_k alpha_k), written over alpha (zero past the
// length). dAlpha_j is computed twice (once for the sum), so that nothing else needs storing.
extern "C" __global__ void attention_scores_grad(float* ws, int alphaAt, const float* values, const int* lengths,
        const float* dContext, int rows, int queries, int steps, int features) {
    int row = blockIdx.x * 8 + (threadIdx.x >> 5);
    int lane = threadIdx.x & 31;
    if (row >= rows) {
        return;
    }
    int b = row / queries;
    int length = att_length(lengths, b, steps);
    float* alpha = ws + alphaAt + (long) row * steps;
    const float* dc = dContext + (long) row * features;
    double dot = 0.0;
    for (int j = 0; j < length; j++) {
        const float* z = values + ((long) b * steps + j) * features;
        double s = 0.0;
        for (int d = lane; d < features; d += 32) {
            s += (double) dc[d] * z[d];
        }
        dot += att_warp_sum(s) * alpha[j];
    }
    for (int j = 0; j < steps; j++) {
        float dScore = 0.0f;
        if (j < length) {
            const float* z = values + ((long) b * steps + j) * features;
            double s = 0.0;
            for (int d = lane; d < features; d += 32) {
                s += (double) dc[d] * z[d];
            }
            float dAlpha = (float) att_warp_sum(s);
            dScore = (float) (alpha[j] * (dAlpha - dot));
        }
        __syncwarp();
        if (lane == 0) {
            alpha[j] = length < 0 ? __int_as_float(0x7fc00000) : dScore;
        }
    }
}

// The pre-activation gradients dScore_j v (1 - tanh^2) summed two ways, as Attention.backwardRow
// adds them: over the queries into each value step's projection slot (z, one thread per (b, j, a),
// zero past the length) and over the valid steps into each query's projection slot (q, one thread
// per (row, a); += into z when accumulateZ, as the attention decoder's steps add up). Reads the
// dScores that attention_scores_grad left at alpha.
extern "C" __global__ void attention_projections_grad(float* ws, int zAt, int qAt, int hAt, int alphaAt,
        const float* v, const int* lengths, int batch, int queries, int steps, int units, int accumulateZ) {
    long zCount = (long) batch * steps * units;
    long count = zCount + (long) batch * queries * units;
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < count; i += (long) gridDim.x * blockDim.x) {
        int a = (int) (i % units);
        float sum = 0.0f;
        if (i < zCount) {
            int b = (int) (i / ((long) steps * units));
            int j = (int) (i / units % steps);
            if (j < att_length(lengths, b, steps)) {
                for (int q = 0; q < queries; q++) {
                    long row = (long) b * queries + q;
                    float t = ws[hAt + (row * steps + j) * units + a];
                    sum += ws[alphaAt + row * steps + j] * v[a] * (1.0f - t * t);
                }
            }
            ws[zAt + i] = accumulateZ ? ws[zAt + i] + sum : sum;
        } else {
            long row = (i - zCount) / units;
            int length = att_length(lengths, (int) (row / queries), steps);
            for (int j = 0; j < length; j++) {
                float t = ws[hAt + (row * steps + j) * units + a];
                sum += ws[alphaAt + row * steps + j] * v[a] * (1.0f - t * t);
            }
            ws[qAt + row * units + a] = sum;
        }
    }
}
