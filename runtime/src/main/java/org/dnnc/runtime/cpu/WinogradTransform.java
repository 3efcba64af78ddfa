package org.dnnc.runtime.cpu;

/**
 * The matrices of the one-dimensional Winograd algorithm {@code F(4, r)}, {@code y = A^T [(G g) ⊙
 * (B^T d)]}, for the 3- and 5-wide kernels of {@link WinogradRows}; {@code a} and {@code b} are
 * {@code A} and {@code B}, which the gradients apply. Also the moves between rows of an image and
 * the per-position arrays that the transforms run over ({@link #gather} and its relatives), and
 * the transform over whole arrays ({@link #combine}), where HotSpot vectorises.
 */
record WinogradTransform(int r, float[][] at, double[][] g, float[][] bt, float[][] a, float[][] b) {

    /** Outputs per tile. */
    static final int TILE = 4;

    // F(4, 5) on the points 0, 1, -1, 2, -2, 1/2, -1/2 and infinity; the 1/f_j scaling is in G.
    static final WinogradTransform R5 = new WinogradTransform(5, new float[][] {
        {1, 1, 1, 1, 1, 1, 1, 0},
        {0, 1, -1, 2, -2, 1 / 2f, -1 / 2f, 0},
        {0, 1, 1, 4, 4, 1 / 4f, 1 / 4f, 0},
        {0, 1, -1, 8, -8, 1 / 8f, -1 / 8f, 1},
    }, new double[][] {
        {-1, 0, 0, 0, 0},
        {-2 / 9d, -2 / 9d, -2 / 9d, -2 / 9d, -2 / 9d},
        {-2 / 9d, 2 / 9d, -2 / 9d, 2 / 9d, -2 / 9d},
        {1 / 90d, 1 / 45d, 2 / 45d, 4 / 45d, 8 / 45d},
        {1 / 90d, -1 / 45d, 2 / 45d, -4 / 45d, 8 / 45d},
        {32 / 45d, 16 / 45d, 8 / 45d, 4 / 45d, 2 / 45d},
        {32 / 45d, -16 / 45d, 8 / 45d, -4 / 45d, 2 / 45d},
        {0, 0, 0, 0, 1},
    }, new float[][] {
        {-1, 0, 21 / 4f, 0, -21 / 4f, 0, 1, 0},
        {0, 1, 1, -17 / 4f, -17 / 4f, 1, 1, 0},
        {0, -1, 1, 17 / 4f, -17 / 4f, -1, 1, 0},
        {0, 1 / 2f, 1 / 4f, -5 / 2f, -5 / 4f, 2, 1, 0},
        {0, -1 / 2f, 1 / 4f, 5 / 2f, -5 / 4f, -2, 1, 0},
        {0, 2, 4, -5 / 2f, -5, 1 / 2f, 1, 0},
        {0, -2, 4, 5 / 2f, -5, -1 / 2f, 1, 0},
        {0, -1, 0, 21 / 4f, 0, -21 / 4f, 0, 1},
    });

    // F(4, 3) on the points 0, 1, -1, 2, -2 and infinity.
    static final WinogradTransform R3 = new WinogradTransform(3, new float[][] {
        {1, 1, 1, 1, 1, 0},
        {0, 1, -1, 2, -2, 0},
        {0, 1, 1, 4, 4, 0},
        {0, 1, -1, 8, -8, 1},
    }, new double[][] {
        {1 / 4d, 0, 0},
        {-1 / 6d, -1 / 6d, -1 / 6d},
        {-1 / 6d, 1 / 6d, -1 / 6d},
        {1 / 24d, 1 / 12d, 1 / 6d},
        {1 / 24d, -1 / 12d, 1 / 6d},
        {0, 0, 1},
    }, new float[][] {
        {4, 0, -5, 0, 1, 0},
        {0, -4, -4, 1, 1, 0},
        {0, 4, -4, -1, 1, 0},
        {0, -2, -1, 2, 1, 0},
        {0, 2, -1, -2, 1, 0},
        {0, 4, 0, -5, 0, 1},
    });

        WinogradTransform(int r, float[][] at, double[][] g, float[][] bt) {
            this(r, at, g, bt, transpose(at), transpose(bt));
        }

        int alpha() {
            return TILE + r - 1;
        }

        private static float[][] transpose(float[][] m) {
            float[][] t = new float[m[0].length][m.length];
            for (int i = 0; i < m.length; i++) {
                for (int j = 0; j < m[0].length; j++) {
                    t[j][i] = m[i][j];
                }
            }
            return t;
        }

    /**
     * Tile {@code tx} of a staged row is {@code row[4 tx .. 4 tx + alpha)}; its value {@code l} goes
     * to {@code d[l][at + tx]}. One pass over the tiles with all of a tile's stores in its body:
     * a loop over 4 tiles per position would be mostly loop overhead.
     */
    static void gather(float[] row, float[][] d, int at, int tilesX, int alpha) {
        float[] d0 = d[0];
        float[] d1 = d[1];
        float[] d2 = d[2];
        float[] d3 = d[3];
        float[] d4 = d[4];
        float[] d5 = d[5];
        if (alpha == 8) {
            float[] d6 = d[6];
            float[] d7 = d[7];
            for (int tx = 0, s = 0; tx < tilesX; tx++, s += TILE) {
                d0[at + tx] = row[s];
                d1[at + tx] = row[s + 1];
                d2[at + tx] = row[s + 2];
                d3[at + tx] = row[s + 3];
                d4[at + tx] = row[s + 4];
                d5[at + tx] = row[s + 5];
                d6[at + tx] = row[s + 6];
                d7[at + tx] = row[s + 7];
            }
        } else {
            for (int tx = 0, s = 0; tx < tilesX; tx++, s += TILE) {
                d0[at + tx] = row[s];
                d1[at + tx] = row[s + 1];
                d2[at + tx] = row[s + 2];
                d3[at + tx] = row[s + 3];
                d4[at + tx] = row[s + 4];
                d5[at + tx] = row[s + 5];
            }
        }
    }

    /** The adjoint of {@link #gather}: adds {@code d[l][at + tx]} to {@code row[4 tx + l]}, tiles overlapping. */
    static void ungather(float[][] d, int at, int tilesX, int alpha, float[] row) {
        float[] d0 = d[0];
        float[] d1 = d[1];
        float[] d2 = d[2];
        float[] d3 = d[3];
        float[] d4 = d[4];
        float[] d5 = d[5];
        if (alpha == 8) {
            float[] d6 = d[6];
            float[] d7 = d[7];
            for (int tx = 0, s = 0; tx < tilesX; tx++, s += TILE) {
                row[s] += d0[at + tx];
                row[s + 1] += d1[at + tx];
                row[s + 2] += d2[at + tx];
                row[s + 3] += d3[at + tx];
                row[s + 4] += d4[at + tx];
                row[s + 5] += d5[at + tx];
                row[s + 6] += d6[at + tx];
                row[s + 7] += d7[at + tx];
            }
        } else {
            for (int tx = 0, s = 0; tx < tilesX; tx++, s += TILE) {
                row[s] += d0[at + tx];
                row[s + 1] += d1[at + tx];
                row[s + 2] += d2[at + tx];
                row[s + 3] += d3[at + tx];
                row[s + 4] += d4[at + tx];
                row[s + 5] += d5[at + tx];
            }
        }
    }

    /**
     * Undoes {@link #gather} for one output row of {@code ow} values: tile {@code tx} fills {@code
     * out[to + 4 tx ..]}, whole tiles only. The last tile may stick out of the row by up to 3
     * values, which land where the next row starts (the caller scatters rows in order, so that row
     * overwrites them) or in 3 floats of slack after the last row: a tail that stored only the
     * row's part tested its width, which C2 compiled for the first shape it saw and deoptimized at
     * the next (an {@code unstable_if} trap in the VGG-style network's first epoch).
     */
    static void scatter(float[][] ys, int at, float[] out, int to, int tilesX) {
        float[] y0 = ys[0];
        float[] y1 = ys[1];
        float[] y2 = ys[2];
        float[] y3 = ys[3];
        for (int tx = 0, s = to; tx < tilesX; tx++, s += TILE) {
            out[s] = y0[at + tx];
            out[s + 1] = y1[at + tx];
            out[s + 2] = y2[at + tx];
            out[s + 3] = y3[at + tx];
        }
    }

    /** Tile {@code tx} of a row of 4 values each: {@code e[j][at + tx] = row[4 tx + j]}. */
    static void unscatter(float[] row, float[][] e, int at, int tilesX) {
        float[] e0 = e[0];
        float[] e1 = e[1];
        float[] e2 = e[2];
        float[] e3 = e[3];
        for (int tx = 0, s = 0; tx < tilesX; tx++, s += TILE) {
            e0[at + tx] = row[s];
            e1[at + tx] = row[s + 1];
            e2[at + tx] = row[s + 2];
            e3[at + tx] = row[s + 3];
        }
    }

    /**
     * {@code out[i][p] = sum_j coef[i][j] in[j][p]} for {@code p < count}, over whole arrays. Each
     * output row takes its nonzero terms in order of {@code j}, up to four per pass ({@code o = c0 a0
     * + c1 a1 + ...}, then {@code o = o + c4 a4 + ...}): Java adds left to right, so the sums are
     * those of adding term by term, bit for bit (but for which NaN an add of two NaNs returns, which
     * Java leaves to the operand order), while the row is read and written once per four
     * terms instead of once per term (B's rows have 3 to 5 nonzero terms, A's 4 to 7).
     */
    static void combine(float[][] coef, float[][] in, float[][] out, int count) {
        for (int i = 0; i < coef.length; i++) {
            float[] c = coef[i];
            float[] o = out[i];
            int j0 = nonZero(c, 0);
            if (j0 == c.length) {
                continue;
            }
            int j1 = nonZero(c, j0 + 1);
            int j2 = nonZero(c, j1 + 1);
            int j3 = nonZero(c, j2 + 1);
            if (j1 == c.length) {
                scale(o, c[j0], in[j0], count);
            } else if (j2 == c.length) {
                sum2(o, c[j0], in[j0], c[j1], in[j1], count);
            } else if (j3 == c.length) {
                sum3(o, c[j0], in[j0], c[j1], in[j1], c[j2], in[j2], count);
            } else {
                sum4(o, c[j0], in[j0], c[j1], in[j1], c[j2], in[j2], c[j3], in[j3], count);
            }
            // Multiplying by 1 leaves every float as it is, so o = 1 o + ... adds the next terms to o.
            for (int j = nonZero(c, j3 + 1); j < c.length; ) {
                int k = nonZero(c, j + 1);
                int l = nonZero(c, k + 1);
                if (k == c.length) {
                    sum2(o, 1f, o, c[j], in[j], count);
                } else if (l == c.length) {
                    sum3(o, 1f, o, c[j], in[j], c[k], in[k], count);
                } else {
                    sum4(o, 1f, o, c[j], in[j], c[k], in[k], c[l], in[l], count);
                }
                j = l == c.length ? l : nonZero(c, l + 1);
            }
        }
    }

    /** The first index from {@code from} with a nonzero coefficient, or {@code c.length}. */
    private static int nonZero(float[] c, int from) {
        int j = Math.min(from, c.length);
        while (j < c.length && c[j] == 0f) {
            j++;
        }
        return j;
    }

    private static void scale(float[] o, float c0, float[] a0, int n) {
        for (int p = 0; p < n; p++) {
            o[p] = c0 * a0[p];
        }
    }

    private static void sum2(float[] o, float c0, float[] a0, float c1, float[] a1, int n) {
        for (int p = 0; p < n; p++) {
            o[p] = c0 * a0[p] + c1 * a1[p];
        }
    }

    private static void sum3(float[] o, float c0, float[] a0, float c1, float[] a1, float c2, float[] a2, int n) {
        for (int p = 0; p < n; p++) {
            o[p] = c0 * a0[p] + c1 * a1[p] + c2 * a2[p];
        }
    }

    private static void sum4(float[] o, float c0, float[] a0, float c1, float[] a1, float c2, float[] a2, float c3,
            float[] a3, int n) {
        for (int p = 0; p < n; p++) {
            o[p] = c0 * a0[p] + c1 * a1[p] + c2 * a2[p] + c3 * a3[p];
        }
    }
}
