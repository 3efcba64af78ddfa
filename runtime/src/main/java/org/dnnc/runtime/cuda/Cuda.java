package org.dnnc.runtime.cuda;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.nvrtc;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;

/**
 * Whether this machine can run the CUDA backend, and why not. The answer is worked out once per
 * JVM, on first call, by loading JavaCPP's CUDA runtime, cuBLAS and NVRTC bindings and asking the
 * driver for a device; nothing else in dnnc loads CUDA, so CPU-only users never pay for it.
 */
public final class Cuda {

    /** A required shared library and what it is, for the message that names what is missing. */
    record Library(String file, String what) {}

    /** What the backend cannot run without, in the order a user would install them. */
    static final List<Library> REQUIRED = List.of(
            new Library("libcuda.so.1", "the NVIDIA driver, version 580 or later for CUDA 13"),
            new Library("libcudart.so.13", "the CUDA 13 runtime"),
            new Library("libcublas.so.13", "cuBLAS 13"),
            new Library("libcublasLt.so.13", "cuBLASLt 13, which cuBLAS loads"),
            new Library("libnvrtc.so.13", "NVRTC 13, the run-time CUDA C compiler"));

    private static Availability cached;

    private Cuda() {}

    /**
     * Whether the CUDA backend can run here.
     *
     * @param present true when the driver, a device and the required libraries are all there
     * @param reason when absent, what is missing and where it was looked for; when present, the
     *     device, its compute capability and the driver and runtime versions
     */
    public record Availability(boolean present, String reason) {}

    /** Whether CUDA can be used here, and why not; never throws. */
    public static synchronized Availability availability() {
        if (cached == null) {
            cached = probe(NativeLibraries.system());
        }
        return cached;
    }

    /**
     * Throws unless {@link #availability()} is present.
     *
     * @throws CudaUnavailableException naming what is missing
     */
    public static void require() {
        Availability a = availability();
        if (!a.present()) {
            throw new CudaUnavailableException(a.reason());
        }
    }

    static Availability probe(NativeLibraries libraries) {
        List<String> missing = new ArrayList<>();
        for (Library lib : REQUIRED) {
            if (!libraries.find(lib.file())) {
                missing.add(lib.file() + " (" + lib.what() + ")");
            }
        }
        try {
            // The search above can miss a folder only the linker cache knows: loading decides.
            Loader.load(cudart.class);
            Loader.load(cublas.class);
            Loader.load(nvrtc.class);
        } catch (Throwable t) {
            return new Availability(false, unavailable(missing, libraries, t));
        }
        try {
            return devices();
        } catch (Throwable t) {
            return new Availability(false, "CUDA is not available: the CUDA libraries loaded but asking the driver for "
                    + "a device failed: " + t);
        }
    }

    static String unavailable(List<String> missing, NativeLibraries libraries, Throwable loadFailure) {
        StringBuilder s = new StringBuilder("CUDA is not available: ");
        if (!missing.isEmpty()) {
            s.append("missing ").append(String.join(", ", missing)).append("; looked in ");
            s.append(libraries.folders()).append(". ");
        }
        s.append("Loading JavaCPP's CUDA bindings (org.bytedeco:cuda, linux-x86_64) failed: ").append(loadFailure);
        Throwable cause = loadFailure.getCause();
        if (cause != null && cause != loadFailure) {
            s.append(" (cause: ").append(cause.getMessage()).append(')');
        }
        s.append(". See docs/cuda.md for what a machine needs (LD_LIBRARY_PATH must name the folders of the "
                + "CUDA libraries when they come from Python wheels).");
        return s.toString();
    }

    private static Availability devices() {
        int[] count = {0};
        int status = cudart.cudaGetDeviceCount(count);
        if (status != cudart.cudaSuccess) {
            BytePointer text = cudart.cudaGetErrorString(status);
            return new Availability(false, "CUDA is not available: the driver reports error " + status + " ("
                    + (text == null ? "no text" : text.getString()) + ") when asked for devices"
                    + (status == cudart.cudaErrorInsufficientDriver
                            ? "; the driver is older than CUDA 13 needs (580 or later)" : ""));
        }
        if (count[0] == 0) {
            return new Availability(false, "CUDA is not available: the driver loaded but reports no CUDA device");
        }
        int[] driver = {0};
        int[] runtime = {0};
        cudart.cudaDriverGetVersion(driver);
        cudart.cudaRuntimeGetVersion(runtime);
        return new Availability(true, count[0] + " CUDA device(s); driver API " + version(driver[0])
                + ", runtime " + version(runtime[0]));
    }

    private static String version(int v) {
        return (v / 1000) + "." + (v % 1000 / 10);
    }
}
