package org.dnnc.runtime.cuda;

import static org.bytedeco.cuda.global.cudnn.CUDNN_CONVOLUTION_BWD_DATA_ALGO_1;
import static org.bytedeco.cuda.global.cudnn.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1;
import static org.bytedeco.cuda.global.cudnn.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM;
import static org.bytedeco.cuda.global.cudnn.CUDNN_CROSS_CORRELATION;
import static org.bytedeco.cuda.global.cudnn.CUDNN_DATA_FLOAT;
import static org.bytedeco.cuda.global.cudnn.CUDNN_FMA_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_TENSOR_NCHW;
import static org.bytedeco.cuda.global.cudnn.CUDNN_TENSOR_OP_MATH;
import static org.bytedeco.cuda.global.cudnn.cudnnConvolutionBackwardData;
import static org.bytedeco.cuda.global.cudnn.cudnnConvolutionBackwardFilter;
import static org.bytedeco.cuda.global.cudnn.cudnnConvolutionForward;
import static org.bytedeco.cuda.global.cudnn.cudnnCreate;
import static org.bytedeco.cuda.global.cudnn.cudnnCreateConvolutionDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnCreateFilterDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnCreateTensorDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnDestroy;
import static org.bytedeco.cuda.global.cudnn.cudnnDestroyConvolutionDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnDestroyFilterDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnDestroyTensorDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnGetConvolutionBackwardDataWorkspaceSize;
import static org.bytedeco.cuda.global.cudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize;
import static org.bytedeco.cuda.global.cudnn.cudnnGetConvolutionForwardWorkspaceSize;
import static org.bytedeco.cuda.global.cudnn.cudnnSetConvolution2dDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnSetConvolutionMathType;
import static org.bytedeco.cuda.global.cudnn.cudnnSetFilter4dDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnSetStream;
import static org.bytedeco.cuda.global.cudnn.cudnnSetTensor4dDescriptor;

import org.bytedeco.cuda.cudnn.cudnnContext;
import org.bytedeco.cuda.cudnn.cudnnConvolutionStruct;
import org.bytedeco.cuda.cudnn.cudnnFilterStruct;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;
import org.bytedeco.cuda.global.cudnn;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.dnnc.runtime.cpu.ConvGeometry;

/**
 * Convolutions through cuDNN 9 ({@code libcudnn*.so.9}), which is optional: {@link #available()}
 * says whether it loads, and where it does not (or for a geometry it cannot express, see {@link
 * #supports}) callers use im2col ({@link CudaIm2col}) and {@link Gemm} instead, the twin of the
 * CPU's {@link org.dnnc.runtime.cpu.Conv2d}.
 *
 * <p>One handle per context, on its stream. The algorithms are fixed and deterministic (implicit
 * precomputed GEMM forward, algorithm 1 backward), so results do not change from run to run; FMA
 * math unless the context allows TF32, as PyTorch's {@code allow_tf32 = False}.
 *
 * <p>It uses cuDNN's descriptor ("legacy") convolution API, deprecated in cuDNN 9 in favour of the
 * graph API but still shipped there, and all a fixed NCHW convolution needs.
 */
@SuppressWarnings("deprecation")
public final class Cudnn implements AutoCloseable {

    private static Cuda.Availability cached;

    private final CudaContext ctx;
    private final cudnnContext handle = new cudnnContext();
    private boolean closed;

    private Cudnn(CudaContext ctx) {
        this.ctx = ctx;
        Check.cudnn(cudnnCreate(handle), "cudnnCreate");
        Check.cudnn(cudnnSetStream(handle, ctx.stream()), "cudnnSetStream");
    }

    /** Whether cuDNN 9 loads here (and why not); worked out once, never throws. Needs {@link Cuda#availability()}. */
    public static synchronized Cuda.Availability availability() {
        if (cached == null) {
            Cuda.Availability cuda = Cuda.availability();
            if (!cuda.present()) {
                cached = cuda;
            } else {
                try {
                    Loader.load(cudnn.class);
                    cached = new Cuda.Availability(true, "cuDNN " + cudnn.cudnnGetVersion());
                } catch (Throwable t) {
                    boolean found = NativeLibraries.system().find("libcudnn.so.9");
                    cached = new Cuda.Availability(false, "cuDNN is not available (convolutions use im2col and cuBLAS): "
                            + (found ? "" : "libcudnn.so.9 (cuDNN 9 for CUDA 13) was not found; ") + "loading it failed: " + t);
                }
            }
        }
        return cached;
    }

    /** Whether cuDNN can be used. */
    public static boolean available() {
        return availability().present();
    }

    /**
     * A cuDNN handle on {@code ctx}'s stream.
     *
     * @throws CudaUnavailableException if cuDNN does not load
     */
    public static Cudnn open(CudaContext ctx) {
        Cuda.Availability a = availability();
        if (!a.present()) {
            throw new CudaUnavailableException(a.reason());
        }
        return new Cudnn(ctx);
    }

    /** Whether cuDNN's 2-D convolution can express {@code g}: only symmetric padding. */
    public static boolean supports(ConvGeometry g) {
        return g.padTop() == g.padBottom() && g.padLeft() == g.padRight();
    }

    /**
     * The descriptors of a convolution of {@code batch} examples, planned once at build time.
     *
     * @throws IllegalArgumentException if {@link #supports} is false for {@code g}
     */
    public Convolution convolution(ConvGeometry g, int batch) {
        if (!supports(g)) {
            throw new IllegalArgumentException("cuDNN convolutions need symmetric padding, got [" + g.padTop() + ", "
                    + g.padLeft() + ", " + g.padBottom() + ", " + g.padRight() + "]: use im2col");
        }
        return new Convolution(g, batch);
    }

    /** Destroys the handle (idempotent); close the convolutions first. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            cudnnDestroy(handle);
        }
    }

    /**
     * One convolution shape: {@code x [N, C, H, W]}, weights {@code [F, C, kh, kw]}, {@code y [N,
     * F, oh, ow]}, as {@link ConvGeometry} describes it (no bias: add it with {@link
     * CudaElementwise#addChannelBias}). Each pass needs a device workspace of {@link
     * #workspaceBytes()} bytes.
     */
    public final class Convolution implements AutoCloseable {

        private final cudnnTensorStruct xDesc = new cudnnTensorStruct();
        private final cudnnTensorStruct yDesc = new cudnnTensorStruct();
        private final cudnnFilterStruct wDesc = new cudnnFilterStruct();
        private final cudnnConvolutionStruct convDesc = new cudnnConvolutionStruct();
        private final FloatPointer one = new FloatPointer(1f);
        private final FloatPointer zero = new FloatPointer(0f);
        private final long workspaceBytes;
        private boolean closed;

        private Convolution(ConvGeometry g, int batch) {
            Check.cudnn(cudnnCreateTensorDescriptor(xDesc), "cudnnCreateTensorDescriptor");
            Check.cudnn(cudnnCreateTensorDescriptor(yDesc), "cudnnCreateTensorDescriptor");
            Check.cudnn(cudnnCreateFilterDescriptor(wDesc), "cudnnCreateFilterDescriptor");
            Check.cudnn(cudnnCreateConvolutionDescriptor(convDesc), "cudnnCreateConvolutionDescriptor");
            Check.cudnn(cudnnSetTensor4dDescriptor(xDesc, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, batch, g.channels(),
                    g.height(), g.width()), "cudnnSetTensor4dDescriptor(x)");
            Check.cudnn(cudnnSetTensor4dDescriptor(yDesc, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, batch, g.filters(),
                    g.outHeight(), g.outWidth()), "cudnnSetTensor4dDescriptor(y)");
            Check.cudnn(cudnnSetFilter4dDescriptor(wDesc, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, g.filters(), g.channels(),
                    g.kernelH(), g.kernelW()), "cudnnSetFilter4dDescriptor");
            Check.cudnn(cudnnSetConvolution2dDescriptor(convDesc, g.padTop(), g.padLeft(), g.strideH(), g.strideW(), 1, 1,
                    CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT), "cudnnSetConvolution2dDescriptor");
            Check.cudnn(cudnnSetConvolutionMathType(convDesc, ctx.options().tf32() ? CUDNN_TENSOR_OP_MATH : CUDNN_FMA_MATH),
                    "cudnnSetConvolutionMathType");
            SizeTPointer size = new SizeTPointer(1);
            long most = 0;
            Check.cudnn(cudnnGetConvolutionForwardWorkspaceSize(handle, xDesc, wDesc, convDesc, yDesc,
                    CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, size), "cudnnGetConvolutionForwardWorkspaceSize");
            most = Math.max(most, size.get());
            Check.cudnn(cudnnGetConvolutionBackwardDataWorkspaceSize(handle, wDesc, yDesc, convDesc, xDesc,
                    CUDNN_CONVOLUTION_BWD_DATA_ALGO_1, size), "cudnnGetConvolutionBackwardDataWorkspaceSize");
            most = Math.max(most, size.get());
            Check.cudnn(cudnnGetConvolutionBackwardFilterWorkspaceSize(handle, xDesc, yDesc, convDesc, wDesc,
                    CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1, size), "cudnnGetConvolutionBackwardFilterWorkspaceSize");
            workspaceBytes = Math.max(most, size.get());
        }

        /** The device workspace every pass of this convolution needs, in bytes (at least 4). */
        public long workspaceBytes() {
            return Math.max(workspaceBytes, Float.BYTES);
        }

        /** {@code y = conv(x, w)}. */
        public void forward(DevBuf x, DevBuf w, DevBuf y, DevBuf workspace) {
            Check.cudnn(cudnnConvolutionForward(handle, one, xDesc, at(x), wDesc, at(w), convDesc,
                    CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, at(workspace), workspace.bytes(), zero, yDesc, at(y)),
                    "cudnnConvolutionForward");
        }

        /** {@code dx = conv^T(dy, w)} ({@code +=} when {@code accumulate}). */
        public void backwardData(DevBuf w, DevBuf dy, DevBuf dx, DevBuf workspace, boolean accumulate) {
            Check.cudnn(cudnnConvolutionBackwardData(handle, one, wDesc, at(w), yDesc, at(dy), convDesc,
                    CUDNN_CONVOLUTION_BWD_DATA_ALGO_1, at(workspace), workspace.bytes(), accumulate ? one : zero, xDesc,
                    at(dx)), "cudnnConvolutionBackwardData");
        }

        /** {@code dw = dy (x) x} summed over the batch ({@code +=} when {@code accumulate}). */
        public void backwardFilter(DevBuf x, DevBuf dy, DevBuf dw, DevBuf workspace, boolean accumulate) {
            Check.cudnn(cudnnConvolutionBackwardFilter(handle, one, xDesc, at(x), yDesc, at(dy), convDesc,
                    CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1, at(workspace), workspace.bytes(), accumulate ? one : zero, wDesc,
                    at(dw)), "cudnnConvolutionBackwardFilter");
        }

        private Pointer at(DevBuf view) {
            return DevicePointers.at(view.address());
        }

        /** Destroys the descriptors (idempotent). */
        @Override
        public void close() {
            if (!closed) {
                closed = true;
                cudnnDestroyTensorDescriptor(xDesc);
                cudnnDestroyTensorDescriptor(yDesc);
                cudnnDestroyFilterDescriptor(wDesc);
                cudnnDestroyConvolutionDescriptor(convDesc);
            }
        }
    }
}
