package org.dnnc.runtime.cpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Batch and layer normalization against PyTorch in {@code shared/golden}: outputs, every gradient,
 * and the running statistics after the call.
 */
class GoldenNormTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"batchnorm2d_train", "batchnorm1d_train", "batchnorm2d_eval"})
    void batchnorm(String name) {
        Golden g = Golden.load(name);
        int[] s = g.npy(g.file("inputs", "x")).shape();
        int batch = s[0];
        int channels = s[1];
        int spatial = s.length == 4 ? s[2] * s[3] : 1;
        int n = batch * channels * spatial;
        float eps = (float) g.attr("eps");
        float momentum = (float) g.attr("momentum");
        boolean training = name.endsWith("_train");
        Buf x = g.buf("inputs", "x");
        Buf gamma = g.buf("params", "gamma");
        Buf beta = g.buf("params", "beta");
        Buf runningMean = g.buf("outputs", "running_mean_in");
        Buf runningVar = g.buf("outputs", "running_var_in");
        Buf y = Buf.allocate(n);
        Buf dx = Buf.allocate(n);
        Buf dgamma = Buf.allocate(channels);
        Buf dbeta = Buf.allocate(channels);
        Buf dy = g.buf("dy.npy");
        if (training) {
            Buf saved = Buf.allocate(2 * channels);
            BatchNorm.forwardTraining(x, gamma, beta, runningMean, runningVar, y, saved, batch, channels, spatial,
                    momentum, eps, false);
            BatchNorm.backward(x, null, dy, gamma, saved, dx, dgamma, dbeta, batch, channels, spatial, eps,
                    false, false, false);
            g.check("y", y, g.file("outputs", "y"));
            g.check("running_mean", runningMean, g.file("outputs", "running_mean"));
            g.check("running_var", runningVar, g.file("outputs", "running_var"));
            checkGrads(g, dx, dgamma, dbeta);

            // Backward without saved statistics recomputes them from x, and dx may overwrite dy.
            Buf dyCopy = g.buf("dy.npy");
            BatchNorm.backward(x, null, dyCopy, gamma, null, dyCopy, dgamma, dbeta, batch, channels, spatial,
                    eps, false, false, false);
            checkGrads(g, dyCopy, dgamma, dbeta);
        } else {
            BatchNorm.forwardInference(x, gamma, beta, runningMean, runningVar, y, batch, channels, spatial, eps, false);
            BatchNorm.backwardInference(x, null, dy, gamma, runningMean, runningVar, dx, dgamma, dbeta, batch, channels,
                    spatial, eps, false, false, false);
            g.check("y", y, g.file("outputs", "y"));
            g.check("running_mean (unchanged)", runningMean, g.file("outputs", "running_mean"));
            g.check("running_var (unchanged)", runningVar, g.file("outputs", "running_var"));
            checkGrads(g, dx, dgamma, dbeta);
        }
    }

    @Test
    void layernorm() {
        Golden g = Golden.load("layernorm");
        int[] s = g.npy(g.file("inputs", "x")).shape();
        int rows = s[0];
        int cols = s[1];
        float eps = (float) g.attr("eps");
        Buf x = g.buf("inputs", "x");
        Buf gamma = g.buf("params", "gamma");
        Buf y = Buf.allocate(rows * cols);
        Buf mean = Buf.allocate(rows);
        Buf invStd = Buf.allocate(rows);
        LayerNorm.forward(x, gamma, g.buf("params", "beta"), y, mean, invStd, rows, cols, eps);
        g.check("y", y, g.file("outputs", "y"));
        Buf dx = Buf.allocate(rows * cols);
        Buf dgamma = Buf.allocate(cols);
        Buf dbeta = Buf.allocate(cols);
        LayerNorm.backward(x, g.buf("dy.npy"), gamma, mean, invStd, dx, dgamma, dbeta, rows, cols, eps, false, false);
        checkGrads(g, dx, dgamma, dbeta);
        Buf dy = g.buf("dy.npy");
        LayerNorm.backward(x, dy, gamma, null, null, dy, dgamma, dbeta, rows, cols, eps, false, false);
        checkGrads(g, dy, dgamma, dbeta);
    }

    private static void checkGrads(Golden g, Buf dx, Buf dgamma, Buf dbeta) {
        g.checkGrad("x", dx);
        g.checkGrad("gamma", dgamma);
        g.checkGrad("beta", dbeta);
    }
}
