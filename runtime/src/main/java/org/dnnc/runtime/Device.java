package org.dnnc.runtime;

/**
 * Where a generated network runs: chosen with its builder's {@code device(...)}.
 *
 * <p>{@link #CPU} is always there. {@link #CUDA} needs an NVIDIA GPU, its driver and the CUDA
 * libraries listed in {@code docs/cuda.md}; {@link org.dnnc.runtime.cuda.Cuda#availability()} says
 * whether this machine has them, and a network asked to run on CUDA where they are missing fails
 * when it is built with a {@link org.dnnc.runtime.cuda.CudaUnavailableException} naming what is
 * missing, never by quietly running on the CPU. Only choosing {@code CUDA} loads any CUDA class.
 */
public enum Device {
    /** The CPU: OpenBLAS for matrix products, Java loops for the rest. */
    CPU,
    /**
     * An NVIDIA GPU through CUDA: cuBLAS for matrix products, cuDNN for convolutions where it is
     * installed, and the kernels of {@code dnnc-kernels} compiled at first use with NVRTC.
     */
    CUDA;

    /**
     * {@link #CUDA} where {@link org.dnnc.runtime.cuda.Cuda#availability()} says it can run, else
     * {@link #CPU}. Asking loads the CUDA bindings once (only this, not the CPU path, does); a class
     * compiled for the CPU only refuses CUDA, so use this with classes compiled with the cuda target.
     */
    public static Device best() {
        return org.dnnc.runtime.cuda.Cuda.availability().present() ? CUDA : CPU;
    }
}
