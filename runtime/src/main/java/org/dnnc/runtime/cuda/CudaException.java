package org.dnnc.runtime.cuda;

/**
 * A CUDA, cuBLAS, cuDNN or NVRTC call failed: the message names the call and the library's error
 * code and text, and for a kernel compilation the compiler's log.
 */
public final class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An exception with the given explanation. */
    public CudaException(String message) {
        super(message);
    }
}
