package org.dnnc.runtime.cuda;

/**
 * A kernel the compiler generated (a fused element-wise chain, {@code extern "C" __global__ void
 * fused_<id>(...)}, with a grid-stride loop over {@code n} elements): its source text is a string
 * constant of the generated class, compiled and cached like the fixed kernels of {@code
 * dnnc-kernels}.
 */
public final class RuntimeKernelSource {

    private final KernelSource source;
    private final String function;

    /**
     * @param function the {@code __global__} function's name in {@code source}
     * @param source its CUDA C text
     * @throws IllegalArgumentException if the text does not declare {@code function} as an {@code extern "C"} kernel
     */
    public RuntimeKernelSource(String function, String source) {
        if (!source.contains("extern \"C\"") || !source.matches("(?s).*__global__\\s+void\\s+" + java.util.regex.Pattern.quote(function) + "\\s*\\(.*")) {
            throw new IllegalArgumentException("generated kernel source does not declare extern \"C\" __global__ void "
                    + function + "(...)");
        }
        this.source = new KernelSource(function, source);
        this.function = function;
    }

    /** The function's name. */
    public String function() {
        return function;
    }

    /** The source, for the kernel cache. */
    public KernelSource source() {
        return source;
    }

    /** The kernel loaded in {@code ctx} (compiled through its cache on first use). */
    public Kernel load(CudaContext ctx) {
        return ctx.kernel(source, function);
    }
}
