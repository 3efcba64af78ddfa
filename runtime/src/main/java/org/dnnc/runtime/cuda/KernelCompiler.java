package org.dnnc.runtime.cuda;

/**
 * Compiles CUDA C to PTX for one GPU architecture: {@link Nvrtc} on a GPU machine; tests of the
 * {@link KernelCache} pass their own.
 */
public interface KernelCompiler {

    /**
     * What identifies this compiler and its options (version, flags): part of every cache key, so
     * that a new compiler or new flags never reuse old PTX.
     */
    String id();

    /**
     * The PTX text for {@code source} on {@code architecture} (for example {@code compute_90}).
     *
     * @throws CudaException with the compiler's log when the source does not compile
     */
    String compile(KernelSource source, String architecture);
}
