package org.dnnc.runtime.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * CUDA C source text to compile with NVRTC: one family of fixed kernels from the {@code
 * dnnc-kernels} jar ({@link #resource}), or a kernel the compiler generated ({@link
 * RuntimeKernelSource}).
 *
 * @param name a name for messages and the compiler's log (the family, or the generated kernel's)
 * @param source the CUDA C text: {@code extern "C" __global__} functions, no includes
 */
public record KernelSource(String name, String source) {

    /** Where the families live on the class path. */
    static final String RESOURCE_FOLDER = "/org/dnnc/kernels/";

    /** Checks the fields. */
    public KernelSource {
        if (name == null || name.isEmpty() || source == null) {
            throw new IllegalArgumentException("a kernel source needs a name and a text");
        }
    }

    /**
     * The family {@code family} of fixed kernels: {@code org/dnnc/kernels/<family>.cu} from the
     * {@code dnnc-kernels} jar.
     *
     * @throws IllegalStateException if the resource is not on the class path
     */
    public static KernelSource resource(String family) {
        String path = RESOURCE_FOLDER + family + ".cu";
        try (InputStream in = KernelSource.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("kernel source " + path + " is not on the class path: the CUDA "
                        + "backend needs org.dnnc:dnnc-kernels next to dnnc-runtime");
            }
            return new KernelSource(family, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kernel source " + path, e);
        }
    }
}
