package org.dnnc.runtime.cuda;

import java.nio.file.Path;

/**
 * How a {@link CudaContext} is opened: which device, whether cuBLAS may use TF32 tensor cores, and
 * where compiled kernels are cached. Made with {@link #builder()}; {@link #defaults()} is device 0,
 * full FP32 precision, the default cache folder.
 *
 * @param device the CUDA device ordinal
 * @param tf32 whether GEMMs may round their inputs to TF32 (10-bit mantissa) on tensor cores:
 *     faster on Ampere and later, but results differ from the CPU beyond FP32 rounding, so off
 *     unless asked for
 * @param kernelCache the folder of the on-disk kernel cache (see {@link KernelCache#defaultFolder()})
 */
public record CudaOptions(int device, boolean tf32, Path kernelCache) {

    /** Checks the fields. */
    public CudaOptions {
        if (device < 0) {
            throw new IllegalArgumentException("CUDA device ordinal must be >= 0, got " + device);
        }
        if (kernelCache == null) {
            throw new IllegalArgumentException("kernelCache must not be null");
        }
    }

    /** Device 0, FP32 GEMMs, the default kernel cache. */
    public static CudaOptions defaults() {
        return builder().build();
    }

    /** A builder starting from {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link CudaOptions}. */
    public static final class Builder {
        private int device;
        private boolean tf32;
        private Path kernelCache;

        private Builder() {}

        /** The CUDA device ordinal (default 0). */
        public Builder device(int ordinal) {
            this.device = ordinal;
            return this;
        }

        /** Lets cuBLAS use TF32 tensor cores (default off). */
        public Builder tf32(boolean allow) {
            this.tf32 = allow;
            return this;
        }

        /** The folder of the kernel cache (default {@link KernelCache#defaultFolder()}). */
        public Builder kernelCache(Path folder) {
            this.kernelCache = folder;
            return this;
        }

        /** The options. */
        public CudaOptions build() {
            return new CudaOptions(device, tf32, kernelCache != null ? kernelCache : KernelCache.defaultFolder());
        }
    }
}
