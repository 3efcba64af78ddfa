package org.dnnc.runtime.cuda;

import static org.bytedeco.cuda.global.cudart.cuLaunchKernel;
import static org.bytedeco.cuda.global.cudart.cuModuleGetFunction;
import static org.bytedeco.cuda.global.cudart.cuModuleLoadData;
import static org.bytedeco.cuda.global.cudart.cuModuleUnload;
import static org.bytedeco.cuda.global.cudart.cudaDevAttrComputeCapabilityMajor;
import static org.bytedeco.cuda.global.cudart.cudaDevAttrComputeCapabilityMinor;
import static org.bytedeco.cuda.global.cudart.cudaDevAttrMultiProcessorCount;
import static org.bytedeco.cuda.global.cudart.cudaDeviceGetAttribute;
import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaGetDeviceCount;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToDevice;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaMemsetAsync;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreateWithFlags;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamNonBlocking;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.dnnc.runtime.cpu.Buf;

/**
 * One CUDA device as a network uses it: a stream on which every copy, GEMM and kernel of the
 * network is queued in order, a cuBLAS handle bound to it, the device arenas, and the kernels
 * loaded so far (compiled through the {@link KernelCache}).
 *
 * <p>Work is queued, not waited for: call {@link #synchronize()} before reading results on the
 * host ({@link #download} does). A context is driven by one thread at a time; {@link #bind()}
 * makes its device current on a thread other than the one that opened it.
 *
 * <p>{@link #close()} waits for the queued work, then frees the arenas, modules, cuDNN and cuBLAS
 * handles and stream.
 */
public final class CudaContext implements AutoCloseable {

    /** Threads per block of the one-dimensional (element-wise) launches. */
    static final int BLOCK = 256;

    private final CudaOptions options;
    private final String architecture;
    private final int multiprocessors;
    private final CUstream_st stream;
    private final KernelCache cache;
    private final LaunchArgs args = new LaunchArgs();
    private final Map<KernelSource, CUmod_st> modules = new HashMap<>();
    private final Map<KernelKey, Kernel> kernels = new HashMap<>();
    private final Map<FixedKernel, Kernel> fixed = new HashMap<>();
    private final List<DeviceArena> arenas = new ArrayList<>();
    private Gemm gemm;
    /** cuDNN on this context's stream once opened; {@link #cudnnTried} says whether it was tried. */
    private Cudnn cudnn;
    private boolean cudnnTried;
    /** Where launches go instead of the GPU in a {@link #recording} context; null in a real one. */
    private final LaunchSink sink;
    private boolean closed;

    /** Receives the launches of a {@link #recording} context. */
    public interface LaunchSink {
        /**
         * One launch, with its arguments (valid until the next launch).
         *
         * @param kernel the kernel, by {@link Kernel#name()}
         * @param gridX blocks along x
         * @param gridY blocks along y
         * @param block threads per block
         * @param arguments what the launch passes; {@link LaunchArgs#signature()} names their kinds
         */
        void launched(Kernel kernel, int gridX, int gridY, int block, LaunchArgs arguments);

        /** One cuBLAS call, described by {@link Gemm} (its sizes, offsets, leading dimensions, strides). */
        default void gemm(String call) {}

        /**
         * One copy, wait or graph replay, in order with the launches: {@code "upload"} and {@code
         * "download"} (host copies of the context; on a GPU a download waits for the device), {@code
         * "synchronize"}, {@code "graph"} and {@code "graph end"} around the work of a {@link
         * CapturedWork} (one launch on a GPU), and those of {@link PinnedBatches} and {@link
         * PinnedReadback}, which name their slot: {@code "fill 0"}, {@code "upload 0"}, {@code
         * "deliver 0"}, {@code "read back 0"}, {@code "await read-back 0"}.
         */
        default void stream(String operation) {}
    }

    /** The next fake address a recording context's arenas start at. */
    private long recordedAddress = 1L << 32;

    private CudaContext(CudaOptions options, KernelCompiler compiler) {
        this.options = options;
        this.sink = null;
        int[] count = {0};
        Check.cuda(cudaGetDeviceCount(count), "cudaGetDeviceCount");
        if (options.device() >= count[0]) {
            throw new CudaUnavailableException("CUDA device " + options.device() + " does not exist: this machine has "
                    + count[0] + " device(s)");
        }
        Check.cuda(cudaSetDevice(options.device()), "cudaSetDevice(" + options.device() + ")");
        // Creates the device's primary context now, so that driver-API calls (modules, launches) find it current.
        Check.cuda(cudaFree(null), "initialising the CUDA context");
        architecture = "compute_" + attribute(cudaDevAttrComputeCapabilityMajor) + attribute(cudaDevAttrComputeCapabilityMinor);
        multiprocessors = attribute(cudaDevAttrMultiProcessorCount);
        stream = new CUstream_st();
        Check.cuda(cudaStreamCreateWithFlags(stream, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
        cache = new KernelCache(options.kernelCache(), compiler);
    }

    /**
     * A context without a device, for checking launchers and generated classes on machines without a
     * GPU: kernels are looked up in their sources but not compiled, launches go to {@code sink},
     * arenas get fake addresses, and copies, memsets, GEMMs and waits are checked (sizes, bounds) but
     * not done, so downloads leave their host buffers as they were.
     */
    private CudaContext(LaunchSink sink) {
        this.options = CudaOptions.defaults();
        this.sink = sink;
        architecture = "compute_90";
        multiprocessors = 132;
        stream = null;
        cache = null;
    }

    /**
     * A {@link #CudaContext(LaunchSink) recording} context: no device, every launch to {@code sink}.
     * For tests that run code written for a GPU where there is none.
     */
    public static CudaContext recording(LaunchSink sink) {
        return new CudaContext(sink);
    }

    /** Whether this is a {@link #recording} context, which runs nothing. */
    boolean recording() {
        return sink != null;
    }

    /**
     * Opens device {@link CudaOptions#device()}.
     *
     * @throws CudaUnavailableException if CUDA cannot run here (see {@link Cuda#availability()}) or
     *     the device does not exist
     */
    public static CudaContext open(CudaOptions options) {
        Cuda.require();
        return new CudaContext(options, new Nvrtc());
    }

    private int attribute(int attribute) {
        int[] value = {0};
        Check.cuda(cudaDeviceGetAttribute(value, attribute, options.device()), "cudaDeviceGetAttribute(" + attribute + ")");
        return value[0];
    }

    /** The options this context was opened with. */
    public CudaOptions options() {
        return options;
    }

    /** The device's virtual architecture, for example {@code compute_90} on Hopper. */
    public String architecture() {
        return architecture;
    }

    /** The on-disk kernel cache this context compiles through. */
    public KernelCache kernelCache() {
        return cache;
    }

    /** The context's stream: every call of this package on the context queues work there. */
    CUstream_st stream() {
        return stream;
    }

    /** Makes this context's device current on the calling thread. */
    public void bind() {
        if (sink != null) {
            return;
        }
        Check.cuda(cudaSetDevice(options.device()), "cudaSetDevice(" + options.device() + ")");
    }

    /**
     * A new zero-filled device arena of {@code bytes} bytes (one {@code cudaMalloc}), freed when
     * this context closes, or earlier by its own {@link DeviceArena#close()}.
     */
    public DeviceArena arena(long bytes) {
        checkOpen();
        DeviceArena arena;
        if (sink != null) {
            arena = new DeviceArena(bytes, recordedAddress);
            recordedAddress += DeviceArena.align(Math.max(bytes, DeviceArena.ALIGNMENT));
        } else {
            arena = new DeviceArena(bytes);
        }
        arenas.add(arena);
        return arena;
    }

    /** The cuBLAS handle of this context, created on first use. */
    Gemm gemm() {
        checkOpen();
        if (gemm == null) {
            gemm = new Gemm(stream, options.tf32());
        }
        return gemm;
    }

    /**
     * cuDNN on this context's stream, opened on first use; {@code null} where it does not load (see
     * {@link Cudnn#availability()}) and in a recording context, where convolutions take the im2col path.
     */
    Cudnn cudnn() {
        checkOpen();
        if (!cudnnTried) {
            cudnnTried = true;
            cudnn = sink == null && Cudnn.available() ? Cudnn.open(this) : null;
        }
        return cudnn;
    }

    /** Hands a recording context's sink a copy, wait or graph replay; nothing in a real context. */
    void record(String operation) {
        if (sink != null) {
            sink.stream(operation);
        }
    }

    /** Hands a recording context's sink the description of a cuBLAS call. */
    void recordGemm(String call) {
        sink.gemm(call);
    }

    /** Copies the host view {@code src} into {@code dst} (same size); returns when {@code src} may be reused. */
    public void upload(Buf src, DevBuf dst) {
        upload(src.data(), dst);
    }

    /** Copies the host floats {@code src} (a direct buffer, its whole capacity) into {@code dst} (same size). */
    public void upload(FloatBuffer src, DevBuf dst) {
        checkSize(src.capacity(), dst, "upload");
        if (sink != null) {
            sink.stream("upload");
            return;
        }
        copy(dst.address(), new FloatPointer(src).address(), dst.bytes(), cudaMemcpyHostToDevice, "upload");
    }

    /** Copies the host ints {@code src} (labels, token ids; a direct buffer) into the int view {@code dst}. */
    public void upload(IntBuffer src, DevBuf dst) {
        checkSize(src.capacity(), dst, "upload");
        if (sink != null) {
            sink.stream("upload");
            return;
        }
        copy(dst.address(), new IntPointer(src).address(), dst.bytes(), cudaMemcpyHostToDevice, "upload");
    }

    /** Waits for the queued work, then copies {@code src} into the host view {@code dst} (same size). */
    public void download(DevBuf src, Buf dst) {
        download(src, dst.data());
    }

    /** Waits for the queued work, then copies {@code src} into the direct buffer {@code dst} (same size). */
    public void download(DevBuf src, FloatBuffer dst) {
        checkSize(dst.capacity(), src, "download");
        if (sink != null) {
            sink.stream("download");
            return;
        }
        copy(new FloatPointer(dst).address(), src.address(), src.bytes(), cudaMemcpyDeviceToHost, "download");
        synchronize();
    }

    /** Waits for the queued work, then copies the int view {@code src} into the direct buffer {@code dst} (same size). */
    public void download(DevBuf src, IntBuffer dst) {
        checkSize(dst.capacity(), src, "download");
        if (sink != null) {
            sink.stream("download");
            return;
        }
        copy(new IntPointer(dst).address(), src.address(), src.bytes(), cudaMemcpyDeviceToHost, "download");
        synchronize();
    }

    /** Queues a device-to-device copy of {@code src} into {@code dst} (same size). */
    public void copy(DevBuf src, DevBuf dst) {
        checkSize(src.size(), dst, "copy");
        if (sink != null) {
            return;
        }
        copy(dst.address(), src.address(), src.bytes(), cudaMemcpyDeviceToDevice, "device copy");
    }

    /** Queues setting every element of {@code dst} to zero. */
    public void zero(DevBuf dst) {
        checkOpen();
        if (sink != null) {
            return;
        }
        Check.cuda(cudaMemsetAsync(DevicePointers.at(dst.address()), 0, dst.bytes(), stream), "cudaMemsetAsync");
    }

    private void copy(long dst, long src, long bytes, int kind, String what) {
        checkOpen();
        if (sink != null) {
            return;
        }
        Check.cuda(cudaMemcpyAsync(DevicePointers.at(dst), DevicePointers.at(src), bytes, kind, stream),
                "cudaMemcpyAsync (" + what + ", " + bytes + " bytes)");
    }

    private static void checkSize(int hostElements, DevBuf device, String what) {
        if (hostElements != device.size()) {
            throw new IllegalArgumentException(what + ": host buffer has " + hostElements + " elements, device view has "
                    + device.size());
        }
    }

    /** Waits until every piece of work queued on this context has finished. */
    public void synchronize() {
        checkOpen();
        if (sink != null) {
            sink.stream("synchronize");
            return;
        }
        Check.cuda(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    }

    /**
     * The function {@code function} of {@code source}, compiled for this device (through the disk
     * cache) and loaded on first use, then reused.
     *
     * @throws CudaException if the source does not compile or has no such function
     */
    public Kernel kernel(KernelSource source, String function) {
        checkOpen();
        KernelKey key = new KernelKey(source, function);
        Kernel k = kernels.get(key);
        if (k != null) {
            return k;
        }
        if (sink != null) {
            if (!source.source().contains(" " + function + "(")) {
                throw new CudaException("no kernel " + function + " in " + source.name());
            }
            k = new Kernel(function, null);
            kernels.put(key, k);
            return k;
        }
        CUmod_st module = modules.get(source);
        if (module == null) {
            module = new CUmod_st();
            String ptx = cache.ptx(source, architecture);
            Check.driver(cuModuleLoadData(module, new BytePointer(ptx)),
                    "loading the PTX of kernel source " + source.name());
            modules.put(source, module);
        }
        CUfunc_st f = new CUfunc_st();
        Check.driver(cuModuleGetFunction(f, module, function), "finding kernel " + function + " in " + source.name());
        k = new Kernel(function, f);
        kernels.put(key, k);
        return k;
    }

    /** A loaded function: by its source's text, so that two generated sources naming a function alike stay apart. */
    private record KernelKey(KernelSource source, String function) {}

    /** A kernel of {@code dnnc-kernels}, loaded on first use (no string is built on later calls). */
    Kernel kernel(FixedKernel k) {
        Kernel loaded = fixed.get(k);
        if (loaded == null) {
            loaded = sink != null ? new Kernel(k.function, null) : kernel(k.source(), k.function);
            fixed.put(k, loaded);
        }
        return loaded;
    }

    /** The number of multiprocessors, for launchers that size their grid by it. */
    int multiprocessors() {
        return multiprocessors;
    }

    /** The context's argument list, cleared: fill it, then pass it to a launch. */
    public LaunchArgs args() {
        return args.clear();
    }

    /**
     * Queues {@code kernel} over {@code elements} work items as a one-dimensional grid of {@value
     * #BLOCK}-thread blocks; the kernels loop with a grid stride, so the grid is capped at a few
     * waves of the device's multiprocessors.
     */
    public void launch(Kernel kernel, long elements, LaunchArgs arguments) {
        long blocks = Math.max(1, Math.min((elements + BLOCK - 1) / BLOCK, (long) multiprocessors * 32));
        launch(kernel, (int) blocks, 1, BLOCK, 0, arguments);
    }

    /** Queues {@code kernel} on a {@code gridX x gridY} grid of {@code block}-thread blocks with {@code sharedBytes} of dynamic shared memory. */
    public void launch(Kernel kernel, int gridX, int gridY, int block, int sharedBytes, LaunchArgs arguments) {
        checkOpen();
        if (sink != null) {
            sink.launched(kernel, gridX, gridY, block, arguments);
            return;
        }
        Check.driver(cuLaunchKernel(kernel.function, gridX, gridY, 1, block, 1, 1, sharedBytes, stream,
                arguments.params, (Pointer) null), "launching kernel " + kernel.name());
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the CUDA context is closed");
        }
    }

    /** Waits for the queued work and frees everything this context owns (idempotent). */
    @Override
    public void close() {
        if (closed || sink != null) {
            closed = true;
            return;
        }
        synchronize();
        closed = true;
        for (DeviceArena a : arenas) {
            a.close();
        }
        for (CUmod_st m : modules.values()) {
            cuModuleUnload(m);
        }
        if (cudnn != null) {
            cudnn.close();
        }
        if (gemm != null) {
            gemm.close();
        }
        cudaStreamDestroy(stream);
    }
}
