package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;

import java.nio.IntBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The point-wise, dense, softmax and structural kernels against PyTorch's outputs and gradients in
 * {@code shared/golden} (forward on the case's inputs, backward from its {@code grad_output}).
 */
class GoldenOpsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"dense, true", "dense_nobias, false"})
    void dense(String name, boolean hasBias) {
        Golden g = Golden.load(name);
        int[] xShape = g.npy(g.file("inputs", "x")).shape();
        int batch = xShape[0];
        int in = xShape[1];
        int out = (int) g.attr("units");
        Buf x = g.buf("inputs", "x");
        Buf w = g.buf("params", "weight");
        Buf b = hasBias ? g.buf("params", "bias") : null;
        Buf y = Buf.allocate(batch * out);
        Dense.forward(x, w, b, y, batch, in, out, Activation.IDENTITY, 0f);
        g.check("y", y, g.file("outputs", "y"));

        Buf dy = g.buf("dy.npy");
        Buf dx = Buf.allocate(batch * in);
        Buf dw = Buf.allocate(out * in);
        Dense.backwardWeights(dy, x, dw, batch, in, out, false);
        Dense.backwardInput(dy, w, dx, batch, in, out, false);
        g.checkGrad("x", dx);
        g.checkGrad("weight", dw);
        if (hasBias) {
            Buf db = Buf.allocate(out);
            Dense.backwardBias(dy, db, batch, out, false);
            g.checkGrad("bias", db);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"relu, RELU, ", "leaky_relu, LEAKY_RELU, slope", "elu, ELU, alpha", "sigmoid, SIGMOID, ",
            "tanh, TANH, "})
    void activation(String name, Activation act, String paramName) {
        Golden g = Golden.load(name);
        float param = paramName == null ? 0f : (float) g.attr(paramName);
        int[] shape = g.npy(g.file("inputs", "x")).shape();
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        int rows = shape[0];
        int cols = n / rows;

        // Stand-alone forward and backward.
        Buf y = Buf.allocate(n);
        Activations.forward(act, param, g.buf("inputs", "x"), y, n);
        g.check("y", y, g.file("outputs", "y"));
        Buf dx = Buf.allocate(n);
        Activations.backward(act, param, y, g.buf("dy.npy"), dx, n);
        g.checkGrad("x", dx);

        // The fused epilogues, in place, with a zero bias: same values, and the bias gradient is
        // the column sum of dx.
        Buf fused = g.buf("inputs", "x");
        Activations.biasForward(act, param, fused, Buf.allocate(cols), rows, cols);
        g.check("fused y", fused, g.file("outputs", "y"));
        Buf dz = g.buf("dy.npy");
        Buf db = Buf.allocate(cols);
        Activations.biasBackward(act, param, fused, dz, dz, db, rows, cols, false);
        g.check("fused grad x", dz, g.file("grads", "x"));
        float[] expectedDx = g.floats("grads", "x");
        float[] colSums = new float[cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                colSums[c] += expectedDx[r * cols + c];
            }
        }
        Close.check(name + " fused bias grad", db.toArray(), colSums, g.rtol(), g.atol());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"softmax", "log_softmax"})
    void softmax(String name) {
        Golden g = Golden.load(name);
        int[] shape = g.npy(g.file("inputs", "x")).shape();
        int rows = shape[0];
        int cols = shape[1];
        Buf y = Buf.allocate(rows * cols);
        Buf dx = Buf.allocate(rows * cols);
        if (name.equals("softmax")) {
            Softmax.forward(g.buf("inputs", "x"), y, rows, cols);
            Softmax.backward(y, g.buf("dy.npy"), dx, rows, cols);
        } else {
            Softmax.logForward(g.buf("inputs", "x"), y, rows, cols);
            Softmax.logBackward(y, g.buf("dy.npy"), dx, rows, cols);
        }
        g.check("y", y, g.file("outputs", "y"));
        g.checkGrad("x", dx);
    }

    @Test
    void add() {
        Golden g = Golden.load("add");
        Buf a = g.buf("inputs", "a");
        int n = a.size();
        Buf y = Buf.allocate(n);
        Elementwise.add(a, g.buf("inputs", "b"), y, n);
        g.check("y", y, g.file("outputs", "y"));
        Buf da = Buf.allocate(n);
        Buf db = Buf.allocate(n);
        Elementwise.addBackward(g.buf("dy.npy"), da, db, n);
        g.checkGrad("a", da);
        g.checkGrad("b", db);
    }

    @Test
    void mul() {
        Golden g = Golden.load("mul");
        Buf a = g.buf("inputs", "a");
        Buf b = g.buf("inputs", "b");
        int n = a.size();
        Buf y = Buf.allocate(n);
        Elementwise.mul(a, b, y, n);
        g.check("y", y, g.file("outputs", "y"));
        Buf da = Buf.allocate(n);
        Buf db = Buf.allocate(n);
        Elementwise.mulBackward(a, b, g.buf("dy.npy"), da, db, n);
        g.checkGrad("a", da);
        g.checkGrad("b", db);
    }

    @Test
    void flattenIsTheSameView() {
        // flatten has no kernel: [N, C, H, W] and [N, C*H*W] are the same row-major memory, so the
        // output is the input view and the input gradient is the output gradient view.
        Golden g = Golden.load("flatten");
        Buf x = g.buf("inputs", "x");
        Buf y = x;
        g.check("y", y, g.file("outputs", "y"));
        Buf dy = g.buf("dy.npy");
        Buf dx = dy;
        g.checkGrad("x", dx);
    }

    @Test
    void concat() {
        Golden g = Golden.load("concat");
        int[] aShape = g.npy(g.file("inputs", "a")).shape();
        int[] bShape = g.npy(g.file("inputs", "b")).shape();
        int outer = aShape[0];
        int aInner = size(aShape) / outer;
        int bInner = size(bShape) / outer;
        Buf y = Buf.allocate(outer * (aInner + bInner));
        Concat.forward(g.buf("inputs", "a"), aInner, g.buf("inputs", "b"), bInner, y, outer);
        g.check("y", y, g.file("outputs", "y"));
        Buf da = Buf.allocate(outer * aInner);
        Buf db = Buf.allocate(outer * bInner);
        Concat.backward(g.buf("dy.npy"), da, aInner, db, bInner, outer);
        g.checkGrad("a", da);
        g.checkGrad("b", db);
    }

    @Test
    void mseLoss() {
        Golden g = Golden.load("mse_loss");
        Buf pred = g.buf("inputs", "pred");
        int n = pred.size();
        Buf dpred = Buf.allocate(n);
        Buf dtarget = Buf.allocate(n);
        float loss = Losses.mse(pred, g.buf("inputs", "target"), dpred, dtarget, n);
        Close.check("mse loss", loss, g.floats("outputs", "y")[0], g.rtol(), g.atol());
        g.checkGrad("pred", dpred);
        g.checkGrad("target", dtarget);
    }

    @Test
    void bceWithLogits() {
        Golden g = Golden.load("bce_with_logits");
        Buf logits = g.buf("inputs", "logits");
        int n = logits.size();
        Buf dlogits = Buf.allocate(n);
        Buf dtarget = Buf.allocate(n);
        float loss = Losses.bceWithLogits(logits, g.buf("inputs", "target"), dlogits, dtarget, n);
        Close.check("bce loss", loss, g.floats("outputs", "y")[0], g.rtol(), g.atol());
        g.checkGrad("logits", dlogits);
        g.checkGrad("target", dtarget);
    }

    @Test
    void crossEntropy() {
        Golden g = Golden.load("cross_entropy");
        int[] shape = g.npy(g.file("inputs", "logits")).shape();
        Buf dlogits = Buf.allocate(shape[0] * shape[1]);
        float loss = Losses.softmaxCrossEntropy(g.buf("inputs", "logits"), g.ints(g.file("inputs", "label")),
                dlogits, shape[0], shape[1]);
        Close.check("cross-entropy loss", loss, g.floats("outputs", "y")[0], g.rtol(), g.atol());
        g.checkGrad("logits", dlogits);
    }

    /** Evaluation's loss-only kernel: PyTorch's loss, and the very float the fused kernel returns. */
    @Test
    void crossEntropyWithoutGradient() {
        Golden g = Golden.load("cross_entropy");
        int[] shape = g.npy(g.file("inputs", "logits")).shape();
        Buf logits = g.buf("inputs", "logits");
        IntBuffer labels = g.ints(g.file("inputs", "label"));
        float loss = Losses.softmaxCrossEntropyLoss(logits, labels, shape[0], shape[1]);
        Close.check("cross-entropy loss", loss, g.floats("outputs", "y")[0], g.rtol(), g.atol());
        float fused = Losses.softmaxCrossEntropy(logits, labels, Buf.allocate(shape[0] * shape[1]), shape[0], shape[1]);
        assertThat(loss).isEqualTo(fused);
        assertThat(Losses.softmaxCrossEntropy(logits, labels, null, shape[0], shape[1])).isEqualTo(fused);
    }

    private static int size(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }
}
