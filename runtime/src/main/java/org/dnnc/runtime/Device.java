package org.dnnc.runtime;

/**
 * Where a generated network runs: chosen with its builder's {@code device(...)}. The CPU backend
 * (OpenBLAS and Java kernels) is the one this version has; asking for {@link #CUDA} fails at once
 * with a clear message rather than quietly running on the CPU.
 */
public enum Device {
    /** The CPU: OpenBLAS for matrix products, Java loops for the rest. */
    CPU,
    /** An NVIDIA GPU through CUDA (cuBLAS, cuDNN, NVRTC kernels): not available yet. */
    CUDA
}
