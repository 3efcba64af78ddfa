package org.dnnc.compiler.codegen.cuda;

import java.util.List;
import org.dnnc.compiler.codegen.StepFormulas;
import org.dnnc.compiler.ir.FusedElementwise;

/**
 * A fused element-wise chain as one CUDA C kernel: the GPU twin of the CPU's Java loop, with the
 * same locals ({@code x<k>} for operands, {@code t<k>} for steps) and every step's arithmetic from
 * {@link StepFormulas}. A grid-stride loop lets any grid cover any size, so the launcher picks the
 * grid for the device, not for the tensor.
 *
 * <p>The kernel is {@code extern "C" __global__ void NAME(const float* in0, ..., float* out, int n)}:
 * the operands in the fused node's order, then the result, then the element count, as the fixed
 * kernels of {@code dnnc-kernels} take them; a chain with per-channel operands (a convolution's
 * bias) also takes {@code int channels, int spatial} and reads those at {@code (i / spatial) %
 * channels}, as the CPU's loop does (a {@code DevBuf} holds at most an {@code int} of
 * floats); the index is a {@code long long}, so the stride cannot overflow past {@code n}. The
 * pointers carry no {@code __restrict__}: the planner may give the result the bytes of an operand
 * (the chain is element-wise, so each element is read before it is written). It includes nothing,
 * as NVRTC has no headers: the float math functions are built in.
 *
 * @param name the kernel's C name
 * @param source the CUDA C text
 */
public record FusedKernelSource(String name, String source) {

    /** The kernel {@code name} for {@code chain}. */
    public static FusedKernelSource of(String name, FusedElementwise chain) {
        StringBuilder c = new StringBuilder();
        c.append("extern \"C\" __global__ void ").append(name).append('(');
        for (int k = 0; k < chain.arity(); k++) {
            c.append("const float* in").append(k).append(", ");
        }
        boolean channels = !chain.channels().isEmpty();
        c.append(channels ? "float* out, int n, int channels, int spatial) {\n" : "float* out, int n) {\n");
        c.append("    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n;"
                + " i += (long long) gridDim.x * blockDim.x) {\n");
        for (int k = 0; k < chain.arity(); k++) {
            c.append("        float x").append(k).append(" = in").append(k)
                    .append(chain.perChannel(k) ? "[(i / spatial) % channels];\n" : "[i];\n");
        }
        List<FusedElementwise.Step> steps = chain.steps();
        for (int s = 0; s < steps.size(); s++) {
            c.append("        float t").append(s).append(" = ").append(StepFormulas.of(steps.get(s)).cuda())
                    .append(";\n");
        }
        c.append("        out[i] = t").append(steps.size() - 1).append(";\n");
        c.append("    }\n}\n");
        return new FusedKernelSource(name, c.toString());
    }
}
