package org.dnnc.runtime.cuda;

import org.bytedeco.cuda.cudart.CUfunc_st;

/**
 * One {@code extern "C" __global__} function of a loaded module, ready to launch with {@link
 * CudaContext#launch}. Obtained from {@link CudaContext#kernel(KernelSource, String)}; valid while
 * its context is open.
 */
public final class Kernel {

    private final String name;
    final CUfunc_st function;

    Kernel(String name, CUfunc_st function) {
        this.name = name;
        this.function = function;
    }

    /** The function's name in its source. */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "Kernel[" + name + "]";
    }
}
