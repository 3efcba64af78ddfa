package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertWithMessage;

import org.junit.jupiter.api.Test;

/**
 * {@link GlobalAvgPool} on one thread and on two (each taking half of the planes, from 256 planes)
 * against the mean computed in {@code double}, overwriting and accumulating, on plane counts that
 * split unevenly and on planes of odd sizes.
 */
class GlobalAvgPoolTest {

    private final Rng rng = new Rng(11);

    @Test
    void meansAndGradientsOnOneThreadAndTwo() {
        int[][] shapes = {{5, 61, 16}, {64, 256, 16}, {3, 100, 7}, {2, 3, 49}, {7, 41, 1}};
        for (int[] shape : shapes) {
            int batch = shape[0];
            int channels = shape[1];
            int spatial = shape[2];
            int planes = batch * channels;
            Buf x = random(planes * spatial);
            Buf dy = random(planes);
            float[] mean = new float[planes];
            for (int i = 0; i < planes; i++) {
                double sum = 0;
                for (int p = 0; p < spatial; p++) {
                    sum += x.get(i * spatial + p);
                }
                mean[i] = (float) (sum / spatial);
            }
            for (int threads : new int[] {1, 2}) {
                String what = batch + "x" + channels + "x" + spatial + " on " + threads + " thread(s)";
                Buf y = Buf.allocate(planes);
                Buf dx = Buf.allocate(planes * spatial);
                Buf acc = random(planes * spatial);
                float[] before = acc.toArray();
                InContext.run(threads, () -> {
                    GlobalAvgPool.forward(x, y, batch, channels, spatial);
                    GlobalAvgPool.backward(dy, dx, batch, channels, spatial, false);
                    GlobalAvgPool.backward(dy, acc, batch, channels, spatial, true);
                });
                for (int i = 0; i < planes; i++) {
                    // A sum in double in another order: within a float's rounding of the reference.
                    assertWithMessage("%s mean %s", what, i).that(y.get(i)).isWithin(1e-6f * Math.abs(mean[i]))
                            .of(mean[i]);
                    float share = dy.get(i) / spatial;
                    for (int p = 0; p < spatial; p++) {
                        int at = i * spatial + p;
                        assertWithMessage("%s dx %s", what, at).that(dx.get(at)).isEqualTo(share);
                        assertWithMessage("%s accumulated dx %s", what, at).that(acc.get(at))
                                .isEqualTo(before[at] + share);
                    }
                }
            }
        }
    }

    private Buf random(int n) {
        Buf b = Buf.allocate(n);
        for (int i = 0; i < n; i++) {
            b.set(i, (float) rng.nextGaussian());
        }
        return b;
    }
}
