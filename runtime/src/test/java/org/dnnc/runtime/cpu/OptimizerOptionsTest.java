package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The optimizer settings the golden cases do not cover (Nesterov, dampening, L1, weight decay on
 * the adaptive methods), against double-precision transcriptions of PyTorch's update rules, over
 * 3000 elements so that full and partial chunks both run.
 */
class OptimizerOptionsTest {

    private static final int N = 3000;
    private static final int STEPS = 4;
    private static final double RTOL = 1e-5;
    private static final double ATOL = 1e-6;

    private final Rng rng = new Rng(5);
    private final float[] p0 = gaussian();
    private final float[][] grads = {gaussian(), gaussian(), gaussian(), gaussian()};

    @Test
    void nesterovMomentumWithDampeningWeightDecayAndL1() {
        float lr = 0.05f;
        float mu = 0.9f;
        float damp = 0.1f;
        float wd = 0.01f;
        float l1 = 0.001f;
        Buf p = Buf.of(p0);
        Buf buf = Buf.allocate(N);
        double[] rp = toDouble(p0);
        double[] rb = new double[N];
        for (int t = 1; t <= STEPS; t++) {
            Buf g = Buf.of(grads[t - 1]);
            Optimizers.momentum(p, g, buf, N, lr, mu, damp, true, wd, l1, t);
            assertThat(g.toArray()).isEqualTo(grads[t - 1]);
            for (int i = 0; i < N; i++) {
                double d = grads[t - 1][i] + wd * rp[i] + l1 * Math.signum(rp[i]);
                rb[i] = t == 1 ? d : mu * rb[i] + (1 - damp) * d;
                rp[i] -= lr * (d + mu * rb[i]);
            }
            Close.check("nesterov step " + t, p.toArray(), toFloat(rp), RTOL, ATOL);
        }
    }

    @Test
    void plainMomentumAndSgdWithL1() {
        Buf p = Buf.of(p0);
        Buf q = Buf.of(p0);
        Buf buf = Buf.allocate(N);
        double[] rp = toDouble(p0);
        double[] rq = toDouble(p0);
        double[] rb = new double[N];
        for (int t = 1; t <= STEPS; t++) {
            Buf g = Buf.of(grads[t - 1]);
            Optimizers.momentum(p, g, buf, N, 0.1f, 0.5f, 0f, false, 0f, 0f, t);
            Optimizers.sgd(q, g, N, 0.1f, 0f, 0.01f);
            for (int i = 0; i < N; i++) {
                double d = grads[t - 1][i];
                rb[i] = t == 1 ? d : 0.5 * rb[i] + d;
                rp[i] -= 0.1 * rb[i];
                rq[i] -= 0.1 * (d + 0.01 * Math.signum(rq[i]));
            }
            Close.check("momentum step " + t, p.toArray(), toFloat(rp), RTOL, ATOL);
            Close.check("sgd l1 step " + t, q.toArray(), toFloat(rq), RTOL, ATOL);
        }
    }

    @Test
    void adamWithWeightDecayAndL1() {
        float lr = 0.01f;
        float b1 = 0.8f;
        float b2 = 0.99f;
        float eps = 1e-6f;
        float wd = 0.1f;
        float l1 = 0.01f;
        Buf p = Buf.of(p0);
        Buf m = Buf.allocate(N);
        Buf v = Buf.allocate(N);
        double[] rp = toDouble(p0);
        double[] rm = new double[N];
        double[] rv = new double[N];
        for (int t = 1; t <= STEPS; t++) {
            Optimizers.adam(p, Buf.of(grads[t - 1]), m, v, N, lr, b1, b2, eps, wd, l1, t);
            for (int i = 0; i < N; i++) {
                double g = grads[t - 1][i] + wd * rp[i] + l1 * Math.signum(rp[i]);
                rm[i] = b1 * rm[i] + (1 - b1) * g;
                rv[i] = b2 * rv[i] + (1 - b2) * g * g;
                double mHat = rm[i] / (1 - Math.pow(b1, t));
                double vHat = rv[i] / (1 - Math.pow(b2, t));
                rp[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
            }
            Close.check("adam step " + t, p.toArray(), toFloat(rp), RTOL, ATOL);
        }
        assertThrows(IllegalArgumentException.class,
                () -> Optimizers.adam(p, p, m, v, N, lr, b1, b2, eps, 0f, 0f, 0));
    }

    @Test
    void adagradAndRmspropWithWeightDecay() {
        float wd = 0.05f;
        Buf pa = Buf.of(p0);
        Buf pr = Buf.of(p0);
        Buf sum = Buf.allocate(N);
        Buf sq = Buf.allocate(N);
        double[] ra = toDouble(p0);
        double[] rr = toDouble(p0);
        double[] rs = new double[N];
        double[] rq = new double[N];
        for (int t = 1; t <= STEPS; t++) {
            Buf g = Buf.of(grads[t - 1]);
            Optimizers.adagrad(pa, g, sum, N, 0.1f, 1e-10f, wd, 0f);
            Optimizers.rmsprop(pr, g, sq, N, 0.01f, 0.9f, 1e-8f, wd, 0f);
            for (int i = 0; i < N; i++) {
                double ga = grads[t - 1][i] + wd * ra[i];
                rs[i] += ga * ga;
                ra[i] -= 0.1 * ga / (Math.sqrt(rs[i]) + 1e-10);
                double gr = grads[t - 1][i] + wd * rr[i];
                rq[i] = 0.9 * rq[i] + 0.1 * gr * gr;
                rr[i] -= 0.01 * gr / (Math.sqrt(rq[i]) + 1e-8);
            }
            Close.check("adagrad step " + t, pa.toArray(), toFloat(ra), RTOL, ATOL);
            Close.check("rmsprop step " + t, pr.toArray(), toFloat(rr), RTOL, ATOL);
        }
    }

    private float[] gaussian() {
        float[] a = new float[N];
        for (int i = 0; i < N; i++) {
            a[i] = (float) rng.nextGaussian();
        }
        return a;
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    private static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }
}
