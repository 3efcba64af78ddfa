package org.dnnc.runtime.cuda;

import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.cudnn;
import org.bytedeco.cuda.global.nvrtc;
import org.bytedeco.javacpp.BytePointer;

/**
 * Turns the status codes of CUDA, cuBLAS, cuDNN and NVRTC calls into a {@link CudaException} naming
 * the call, the code and the library's text for it. Each library's class is touched only when its
 * check runs, so checking runtime calls never loads cuDNN.
 */
final class Check {

    private Check() {}

    /** A CUDA runtime call ({@code cudaError_t}). */
    static void cuda(int status, String call) {
        if (status != cudart.cudaSuccess) {
            throw new CudaException(call + " failed: CUDA error " + status + " (" + text(cudart.cudaGetErrorString(status)) + ")");
        }
    }

    /** A CUDA driver call ({@code CUresult}). */
    static void driver(int status, String call) {
        if (status != cudart.CUDA_SUCCESS) {
            BytePointer message = new BytePointer((BytePointer) null);
            String text = cudart.cuGetErrorString(status, message) == cudart.CUDA_SUCCESS ? text(message) : "unknown";
            throw new CudaException(call + " failed: CUDA driver error " + status + " (" + text + ")");
        }
    }

    /** A cuBLAS call. */
    static void cublas(int status, String call) {
        if (status != cublas.CUBLAS_STATUS_SUCCESS) {
            throw new CudaException(call + " failed: cuBLAS status " + status + " (" + text(cublas.cublasGetStatusString(status)) + ")");
        }
    }

    /** A cuDNN call. */
    static void cudnn(int status, String call) {
        if (status != cudnn.CUDNN_STATUS_SUCCESS) {
            throw new CudaException(call + " failed: cuDNN status " + status + " (" + text(cudnn.cudnnGetErrorString(status)) + ")");
        }
    }

    /** An NVRTC call; {@code log} is the compiler's log, or empty. */
    static void nvrtc(int status, String call, String log) {
        if (status != nvrtc.NVRTC_SUCCESS) {
            throw new CudaException(call + " failed: NVRTC status " + status + " (" + text(nvrtc.nvrtcGetErrorString(status)) + ")"
                    + (log.isEmpty() ? "" : "\n" + log));
        }
    }

    private static String text(BytePointer p) {
        return p == null || p.isNull() ? "no text" : p.getString();
    }
}
