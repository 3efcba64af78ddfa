package org.dnnc.runtime.cpu;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * Single-precision matrix multiply through OpenBLAS ({@code cblas_sgemm}, loaded with JavaCPP),
 * on {@link Buf} views, row-major.
 *
 * <p>The native library is loaded once, on first use (about 0.3 s); if that fails every call throws
 * an {@link IllegalStateException} that names the missing artifact, instead of the JVM's
 * {@code NoClassDefFoundError} on the second try.
 *
 * <p>We bind the {@code openblas_nolapack} preset: it has the same {@code cblas_sgemm} over the same
 * {@code libopenblas}, and loads one small JNI library instead of also the 24 MB LAPACK one
 * (0.27 s instead of 0.37 s at start-up).
 *
 * <p>Calls allocate nothing: the three native pointers each thread passes to OpenBLAS are made
 * once per thread and re-aimed at {@code view address + 4 * offset} before every call, so the same
 * view may appear in several operands at different offsets.
 */
public final class Blas {

    private static final LoadState STATE = load();

    private static final ThreadLocal<Operands> OPERANDS = ThreadLocal.withInitial(Operands::new);

    private Blas() {}

    /**
     * Loads OpenBLAS now, so that the cost and any failure come at build time instead of the first
     * step.
     *
     * @throws IllegalStateException if the natives cannot be loaded
     */
    public static void ensureLoaded() {
        if (STATE.failure != null) {
            throw new IllegalStateException("OpenBLAS could not be loaded: the CPU backend needs "
                    + "org.bytedeco:openblas with the classifier of this platform (" + Loader.getPlatform()
                    + ") and org.bytedeco:javacpp with the same classifier on the class path; cause: "
                    + STATE.failure, STATE.failure);
        }
    }

    /**
     * How many threads OpenBLAS uses, or -1 if the library does not say. The entered {@link
     * CpuContext} sets it (see {@code BlasThreads}); outside any context it is what it was last set
     * to, at first OpenBLAS's default (one per core, or {@code OPENBLAS_NUM_THREADS}).
     */
    public static int threads() {
        ensureLoaded();
        return openblas_nolapack.blas_get_num_threads();
    }

    /**
     * {@code C = alpha * op(A) op(B) + beta * C} for packed row-major matrices: {@code op(A)} is
     * {@code m x k}, {@code op(B)} is {@code k x n}, {@code C} is {@code m x n}, each starting at
     * element 0 of its view with no padding between rows.
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k,
            float alpha, Buf a, Buf b, float beta, Buf c) {
        sgemm(transA, transB, m, n, k, alpha, a, 0, transA ? m : k, b, 0, transB ? k : n, beta, c, 0, n);
    }

    /**
     * {@code C = alpha * op(A) op(B) + beta * C}, row-major, with element offsets into the views and
     * leading dimensions (the row stride, in elements) as in CBLAS. {@code op(X)} is {@code X} or
     * {@code X^T}; {@code A} is stored {@code m x k} ({@code k x m} when transposed), {@code B}
     * {@code k x n} ({@code n x k} when transposed). With {@code beta == 0} the old contents of C
     * are ignored (NaNs included); with {@code beta == 1} the product is accumulated into C.
     *
     * @throws IndexOutOfBoundsException if a matrix does not fit in its view, checked before the
     *     native call so that a wrong size fails here instead of corrupting memory
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
            Buf a, int aOffset, int lda, Buf b, int bOffset, int ldb,
            float beta, Buf c, int cOffset, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("negative sgemm size m=" + m + " n=" + n + " k=" + k);
        }
        checkMatrix("A", a, aOffset, transA ? k : m, transA ? m : k, lda);
        checkMatrix("B", b, bOffset, transB ? n : k, transB ? k : n, ldb);
        checkMatrix("C", c, cOffset, m, n, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        ensureLoaded();
        Operands p = OPERANDS.get();
        openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor,
                transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                m, n, k, alpha,
                p.a.at(a.address() + 4L * aOffset), lda,
                p.b.at(b.address() + 4L * bOffset), ldb,
                beta, p.c.at(c.address() + 4L * cOffset), ldc);
    }

    /**
     * The sum of the absolute values of the first {@code n} elements of {@code x}, which is NaN or
     * infinite when one of them is (or when the sum overflows).
     *
     * @throws IndexOutOfBoundsException if {@code x} holds fewer than {@code n} elements
     */
    public static float sasum(Buf x, int n) {
        if (n < 0 || n > x.size()) {
            throw new IndexOutOfBoundsException("sasum over " + n + " elements of a view of " + x.size());
        }
        if (n == 0) {
            return 0;
        }
        ensureLoaded();
        return openblas_nolapack.cblas_sasum(n, OPERANDS.get().a.at(x.address()), 1);
    }

    private static void checkMatrix(String name, Buf v, int offset, int rows, int cols, int ld) {
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException("leading dimension of " + name + " is " + ld
                    + " but its rows hold " + cols + " elements");
        }
        long end = rows == 0 || cols == 0 ? offset : offset + (long) (rows - 1) * ld + cols;
        if (offset < 0 || end > v.size) {
            throw new IndexOutOfBoundsException("sgemm " + name + " (" + rows + " x " + cols + ", ld " + ld
                    + ", offset " + offset + ") needs " + end + " elements but its view holds " + v.size);
        }
    }

    private static LoadState load() {
        try {
            Loader.load(openblas_nolapack.class);
            return new LoadState(null);
        } catch (Throwable t) {
            return new LoadState(t);
        }
    }

    private record LoadState(Throwable failure) {}

    /** One thread's three operand pointers for OpenBLAS. */
    private static final class Operands {
        final Aimed a = new Aimed();
        final Aimed b = new Aimed();
        final Aimed c = new Aimed();
    }

    /** A pointer that owns nothing and can be re-aimed at any address without allocating. */
    private static final class Aimed extends FloatPointer {
        Aimed at(long addr) {
            address = addr;
            return this;
        }
    }
}
