package org.dnnc.runtime.cuda;

/**
 * Thrown when the CUDA backend is asked for on a machine that cannot run it: no NVIDIA driver, no
 * device, or a missing CUDA library. The message names what is missing (see {@link
 * Cuda#availability()}).
 */
public final class CudaUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An exception with the given explanation. */
    public CudaUnavailableException(String message) {
        super(message);
    }
}
