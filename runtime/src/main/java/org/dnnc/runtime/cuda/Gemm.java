package org.dnnc.runtime.cuda;

import static org.bytedeco.cuda.global.cublas.CUBLAS_DEFAULT_MATH;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_N;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_T;
import static org.bytedeco.cuda.global.cublas.CUBLAS_TF32_TENSOR_OP_MATH;
import static org.bytedeco.cuda.global.cublas.cublasCreate_v2;
import static org.bytedeco.cuda.global.cublas.cublasDestroy_v2;
import static org.bytedeco.cuda.global.cublas.cublasSetMathMode;
import static org.bytedeco.cuda.global.cublas.cublasSetStream_v2;
import static org.bytedeco.cuda.global.cublas.cublasSgemm_v2;

import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Single-precision matrix multiply through cuBLAS on {@link DevBuf} views, with the row-major
 * convention of the CPU's {@link org.dnnc.runtime.cpu.Blas} (its twin): the same arguments give the
 * same product. cuBLAS is column-major; a row-major {@code C = op(A) op(B)} is the column-major
 * {@code C^T = op(B)^T op(A)^T}, so the call swaps the operands and {@code m}/{@code n} and keeps
 * the leading dimensions.
 *
 * <p>TF32 tensor-core math only when {@link CudaOptions#tf32()} asks for it.
 */
public final class Gemm implements AutoCloseable {

    private final cublasContext handle = new cublasContext();
    /** alpha and beta live in host memory (cuBLAS's default pointer mode); reused by every call. */
    private final FloatPointer alpha = new FloatPointer(1);
    private final FloatPointer beta = new FloatPointer(1);

    Gemm(CUstream_st stream, boolean tf32) {
        Check.cublas(cublasCreate_v2(handle), "cublasCreate");
        Check.cublas(cublasSetStream_v2(handle, stream), "cublasSetStream");
        Check.cublas(cublasSetMathMode(handle, tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
    }

    /**
     * {@code C = alpha * op(A) op(B) + beta * C} for packed row-major matrices on the context's
     * stream, as {@link org.dnnc.runtime.cpu.Blas#sgemm(boolean, boolean, int, int, int, float,
     * org.dnnc.runtime.cpu.Buf, org.dnnc.runtime.cpu.Buf, float, org.dnnc.runtime.cpu.Buf)}.
     */
    public static void sgemm(CudaContext ctx, boolean transA, boolean transB, int m, int n, int k,
            float alpha, DevBuf a, DevBuf b, float beta, DevBuf c) {
        sgemm(ctx, transA, transB, m, n, k, alpha, a, 0, transA ? m : k, b, 0, transB ? k : n, beta, c, 0, n);
    }

    /**
     * {@code C = alpha * op(A) op(B) + beta * C}, row-major, with element offsets into the views and
     * leading dimensions, as {@link org.dnnc.runtime.cpu.Blas}'s long form.
     *
     * @throws IndexOutOfBoundsException if a matrix does not fit in its view, checked before the
     *     call so that a wrong size fails here instead of corrupting device memory
     */
    public static void sgemm(CudaContext ctx, boolean transA, boolean transB, int m, int n, int k, float alpha,
            DevBuf a, int aOffset, int lda, DevBuf b, int bOffset, int ldb,
            float beta, DevBuf c, int cOffset, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("negative sgemm size m=" + m + " n=" + n + " k=" + k);
        }
        checkFits("A", a, aOffset, transA ? k : m, transA ? m : k, lda);
        checkFits("B", b, bOffset, transB ? n : k, transB ? k : n, ldb);
        checkFits("C", c, cOffset, m, n, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        if (ctx.recording()) {
            ctx.recordGemm("sgemm " + transA + " " + transB + " m=" + m + " n=" + n + " k=" + k + " a@" + aOffset
                    + " b@" + bOffset + " c@" + cOffset + " beta=" + beta);
            return;
        }
        ctx.gemm().call(transA, transB, m, n, k, alpha, a.address() + 4L * aOffset, lda,
                b.address() + 4L * bOffset, ldb, beta, c.address() + 4L * cOffset, ldc);
    }

    /** Checks that a {@code rows x cols} row-major matrix with row stride {@code ld} fits in {@code view} from {@code offset}. */
    static void checkFits(String name, DevBuf view, int offset, int rows, int cols, int ld) {
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException("sgemm: leading dimension of " + name + " is " + ld + ", less than its "
                    + cols + " columns");
        }
        long end = rows == 0 ? offset : offset + (long) (rows - 1) * ld + cols;
        if (offset < 0 || end > view.size()) {
            throw new IndexOutOfBoundsException("sgemm: " + name + " (" + rows + " x " + cols + ", ld " + ld + ", offset "
                    + offset + ") needs " + end + " elements, its view has " + view.size());
        }
    }

    private void call(boolean transA, boolean transB, int m, int n, int k, float alphaValue,
            long a, int lda, long b, int ldb, float betaValue, long c, int ldc) {
        alpha.put(0, alphaValue);
        beta.put(0, betaValue);
        // Column-major C^T (n x m) = op(B)^T (n x k) * op(A)^T (k x m).
        Check.cublas(cublasSgemm_v2(handle, transB ? CUBLAS_OP_T : CUBLAS_OP_N, transA ? CUBLAS_OP_T : CUBLAS_OP_N,
                n, m, k, alpha, DevicePointers.floats(b), ldb, DevicePointers.floats(a), lda, beta,
                DevicePointers.floats(c), ldc), "cublasSgemm (m=" + m + " n=" + n + " k=" + k + ")");
    }

    /** Destroys the cuBLAS handle. */
    @Override
    public void close() {
        cublasDestroy_v2(handle);
    }
}
