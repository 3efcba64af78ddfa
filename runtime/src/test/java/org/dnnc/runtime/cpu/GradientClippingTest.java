package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Clipping by global norm and by value against {@code torch.nn.utils} (the {@code clip_gradients}
 * golden case, two gradients of different shapes), and over views longer than a chunk against a
 * double-precision transcription.
 */
class GradientClippingTest {

    @Test
    void globalNormClippingMatchesPyTorch() {
        Golden g = Golden.load("clip_gradients");
        Buf[] grads = {g.buf("inputs", "g0"), g.buf("inputs", "g1")};
        int[] sizes = {grads[0].size(), grads[1].size()};
        double norm = GradientClipping.clipNorm(grads, sizes, (float) g.attr("max_norm"));
        Close.check("total_norm", (float) norm, g.floats("outputs", "total_norm")[0], g.rtol(), g.atol());
        assertThat(norm).isGreaterThan(g.attr("max_norm"));
        g.check("norm_clipped_g0", grads[0], g.file("outputs", "norm_clipped_g0"));
        g.check("norm_clipped_g1", grads[1], g.file("outputs", "norm_clipped_g1"));
    }

    @Test
    void valueClippingMatchesPyTorch() {
        Golden g = Golden.load("clip_gradients");
        Buf[] grads = {g.buf("inputs", "g0"), g.buf("inputs", "g1")};
        GradientClipping.clipValue(grads, new int[] {grads[0].size(), grads[1].size()}, (float) g.attr("clip_value"));
        g.check("value_clipped_g0", grads[0], g.file("outputs", "value_clipped_g0"));
        g.check("value_clipped_g1", grads[1], g.file("outputs", "value_clipped_g1"));
    }

    @Test
    void longViewsAreScaledByOneFactorAndOnlyAboveTheLimit() {
        Rng rng = new Rng(11);
        float[] a = new float[3000];
        float[] b = new float[1500];
        double squares = 0;
        for (float[] x : new float[][] {a, b}) {
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rng.nextGaussian();
                squares += (double) x[i] * x[i];
            }
        }
        double norm = Math.sqrt(squares);
        Buf[] grads = {Buf.of(a), Buf.of(b)};
        int[] sizes = {a.length, b.length};

        assertThat(GradientClipping.clipNorm(grads, sizes, (float) (2 * norm))).isWithin(1e-9 * norm).of(norm);
        assertThat(grads[0].toArray()).isEqualTo(a);
        assertThat(grads[1].toArray()).isEqualTo(b);

        GradientClipping.clipNorm(grads, sizes, 1f);
        double scale = 1 / (norm + 1e-6);
        Close.check("a", grads[0].toArray(), scaled(a, scale), 1e-6, 1e-9);
        Close.check("b", grads[1].toArray(), scaled(b, scale), 1e-6, 1e-9);
        assertThat(GradientClipping.globalNorm(grads, sizes)).isWithin(1e-5).of(1.0);
    }

    private static float[] scaled(float[] x, double s) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = (float) (x[i] * s);
        }
        return y;
    }
}
