package org.dnnc.runtime.cuda;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A kernel of one of {@code dnnc-kernels}' families, named once as a constant of its launcher
 * class; {@link CudaContext#kernel(FixedKernel)} loads it per context. The family's text is read
 * from the class path once per JVM.
 */
final class FixedKernel {

    private static final ConcurrentHashMap<String, KernelSource> SOURCES = new ConcurrentHashMap<>();

    final String family;
    final String function;

    FixedKernel(String family, String function) {
        this.family = family;
        this.function = function;
    }

    KernelSource source() {
        return SOURCES.computeIfAbsent(family, KernelSource::resource);
    }

    @Override
    public String toString() {
        return family + "/" + function;
    }
}
