package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link Blas#sgemm} against a double-precision reference, with transposes, offsets and strides. */
class BlasTest {

    @ParameterizedTest(name = "transA={0} transB={1}")
    @CsvSource({"false, false", "false, true", "true, false", "true, true"})
    void matchesReferenceWithOffsetsAndLeadingDimensions(boolean transA, boolean transB) {
        int m = 5;
        int n = 7;
        int k = 3;
        Rng rng = new Rng(1);
        int aRows = transA ? k : m;
        int aCols = transA ? m : k;
        int bRows = transB ? n : k;
        int bCols = transB ? k : n;
        int lda = aCols + 2;
        int ldb = bCols + 1;
        int ldc = n + 3;
        int aOff = 4;
        int bOff = 1;
        int cOff = 2;
        Buf a = random(rng, aOff + aRows * lda);
        Buf b = random(rng, bOff + bRows * ldb);
        Buf c = random(rng, cOff + m * ldc);
        float[] before = c.toArray();
        float alpha = 0.5f;
        float beta = 2f;
        Blas.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a.get(aOff + p * lda + i) : a.get(aOff + i * lda + p);
                    float bv = transB ? b.get(bOff + j * ldb + p) : b.get(bOff + p * ldb + j);
                    s += (double) av * bv;
                }
                int at = cOff + i * ldc + j;
                double expected = alpha * s + beta * before[at];
                assertThat((double) c.get(at)).isWithin(1e-5 * (1 + Math.abs(expected))).of(expected);
            }
        }
        // Padding between rows and before the offset is left alone.
        assertThat(c.get(0)).isEqualTo(before[0]);
        assertThat(c.get(cOff + n)).isEqualTo(before[cOff + n]);
    }

    @Test
    void betaZeroIgnoresOldContentsEvenNaN() {
        Buf a = Buf.of(1f, 2f);
        Buf b = Buf.of(3f, 4f);
        Buf c = Buf.of(Float.NaN);
        Blas.sgemm(false, false, 1, 1, 2, 1f, a, b, 0f, c);
        assertThat(c.get(0)).isEqualTo(11f);
    }

    @Test
    void sameViewInSeveralOperandsAtDifferentOffsets() {
        // A = first 2x2 block, B = second 2x2 block, C = third, all in one view.
        Buf v = Buf.of(1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 0f, 0f, 0f, 0f);
        Blas.sgemm(false, false, 2, 2, 2, 1f, v, 0, 2, v, 4, 2, 0f, v, 8, 2);
        assertThat(v.slice(8, 4).toArray()).isEqualTo(new float[] {19f, 22f, 43f, 50f});
    }

    @Test
    void rejectsMatricesThatDoNotFitBeforeCallingNativeCode() {
        Buf small = Buf.allocate(5);
        Buf ok = Buf.allocate(6);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> Blas.sgemm(false, false, 2, 3, 3, 1f, small, ok, 0f, ok));
        assertThat(e).hasMessageThat().contains("sgemm A (2 x 3");
        assertThrows(IllegalArgumentException.class,
                () -> Blas.sgemm(false, false, 2, 3, 3, 1f, ok, 0, 2, ok, 0, 3, 0f, ok, 0, 3));
    }

    private static Buf random(Rng rng, int n) {
        Buf b = Buf.allocate(n);
        for (int i = 0; i < n; i++) {
            b.set(i, (float) rng.nextGaussian());
        }
        return b;
    }
}
