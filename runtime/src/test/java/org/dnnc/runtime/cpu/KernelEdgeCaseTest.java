package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.IntBuffer;
import org.junit.jupiter.api.Test;

/**
 * What the golden cases are too small to reach: chunk and row boundaries of the staged kernels,
 * in-place use, extreme inputs, argument checks, and the promise that a step allocates nothing.
 */
class KernelEdgeCaseTest {

    @Test
    void stagedReluAndBiasCrossChunkAndRowBoundaries() {
        int n = 2 * Chunks.SIZE + 37;
        Rng rng = new Rng(3);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        Buf v = Buf.of(x);
        Activations.forward(Activation.RELU, 0f, v, v, n); // in place
        for (int i = 0; i < n; i++) {
            assertThat(v.get(i)).isEqualTo(Math.max(x[i], 0f));
        }

        int rows = 3;
        int cols = (n - 1) / rows; // wider than a chunk: the row scratch grows
        float[] bias = new float[cols];
        for (int c = 0; c < cols; c++) {
            bias[c] = c * 0.001f - 0.5f;
        }
        for (Activation act : new Activation[] {Activation.IDENTITY, Activation.RELU, Activation.TANH}) {
            Buf y = Buf.of(x);
            Activations.biasForward(act, 0f, y, Buf.of(bias), rows, cols);
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    float expected = Activations.apply(act, 0f, x[r * cols + c] + bias[c]);
                    assertThat(y.get(r * cols + c)).isEqualTo(expected);
                }
            }
            assertThat(y.get(rows * cols)).isEqualTo(x[rows * cols]); // past the tensor: untouched
        }
    }

    @Test
    void extremeInputsStayFinite() {
        Buf x = Buf.of(-1000f, 0f, 1000f);
        Buf y = Buf.allocate(3);
        Activations.forward(Activation.SIGMOID, 0f, x, y, 3);
        assertThat(y.toArray()).isEqualTo(new float[] {0f, 0.5f, 1f});
        Softmax.forward(x, y, 1, 3);
        assertThat(y.toArray()).isEqualTo(new float[] {0f, 0f, 1f});
        Softmax.logForward(x, y, 1, 3);
        assertThat(y.get(2)).isEqualTo(0f);
        assertThat(y.get(0)).isEqualTo(-2000f);
        float bce = Losses.bceWithLogits(x, Buf.of(1f, 0.5f, 0f), null, null, 3);
        assertThat(bce).isWithin(1e-3f).of(2000f / 3 + (float) Math.log(2) / 3);
        float ce = Losses.softmaxCrossEntropy(x, IntBuffer.wrap(new int[] {0}), Buf.allocate(3), 1, 3);
        assertThat(ce).isEqualTo(2000f);
    }

    @Test
    void crossEntropyMayWriteItsGradientOverTheLogitsAndRejectsBadLabels() {
        Buf logits = Buf.of(1f, 2f, 3f, 0f, 0f, 0f);
        Buf separate = Buf.allocate(6);
        IntBuffer labels = IntBuffer.wrap(new int[] {2, 0});
        float expected = Losses.softmaxCrossEntropy(logits, labels, separate, 2, 3);
        float inPlace = Losses.softmaxCrossEntropy(logits, labels, logits, 2, 3);
        assertThat(inPlace).isEqualTo(expected);
        assertThat(logits.toArray()).isEqualTo(separate.toArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Losses.softmaxCrossEntropy(separate, IntBuffer.wrap(new int[] {0, 3}), null, 2, 3));
        assertThat(e).hasMessageThat().contains("label 3 of example 1");
        assertThat(Losses.countCorrect(Buf.of(0f, 5f, 1f, 9f, 2f, 3f), IntBuffer.wrap(new int[] {1, 2}), 2, 3))
                .isEqualTo(1);
    }

    @Test
    void backwardFromTheOutputRejectsSettingsWhereTheSignIsLost() {
        Buf b = Buf.allocate(1);
        assertThrows(IllegalArgumentException.class, () -> Activations.backward(Activation.LEAKY_RELU, -0.1f, b, b, b, 1));
        assertThrows(IllegalArgumentException.class, () -> Activations.backward(Activation.ELU, 0f, b, b, b, 1));
    }

    @Test
    void accumulateFlagsAddToExistingGradients() {
        Buf dz = Buf.of(1f, 2f, 3f, 4f); // [2, 2]
        Buf x = Buf.of(1f, 1f, 1f, 1f, 1f, 1f); // [2, 3]
        Buf w = Buf.of(1f, 0f, 0f, 0f, 1f, 0f); // [2, 3]
        Buf dw = Buf.of(10f, 10f, 10f, 10f, 10f, 10f);
        Dense.backwardWeights(dz, x, dw, 2, 3, 2, true);
        assertThat(dw.toArray()).isEqualTo(new float[] {14f, 14f, 14f, 16f, 16f, 16f});
        Buf dx = Buf.of(1f, 1f, 1f, 1f, 1f, 1f);
        Dense.backwardInput(dz, w, dx, 2, 3, 2, true);
        assertThat(dx.toArray()).isEqualTo(new float[] {2f, 3f, 1f, 4f, 5f, 1f});
        Buf db = Buf.of(1f, 1f);
        Dense.backwardBias(dz, db, 2, 2, true);
        assertThat(db.toArray()).isEqualTo(new float[] {5f, 7f});
        Elementwise.accumulate(db, Buf.of(1f, 2f), 2);
        assertThat(db.toArray()).isEqualTo(new float[] {6f, 9f});
    }

    @Test
    void aTrainingStepAllocatesNothing() {
        int batch = 8;
        int in = 32;
        int hidden = 16;
        int classes = 4;
        Buf x = Buf.allocate(batch * in);
        Init.normal(x, batch * in, 0f, 1f, 1);
        Buf w1 = Buf.allocate(hidden * in);
        Buf b1 = Buf.allocate(hidden);
        Buf w2 = Buf.allocate(classes * hidden);
        Buf b2 = Buf.allocate(classes);
        Init.heNormal(w1, hidden * in, in, 2);
        Init.heNormal(w2, classes * hidden, hidden, 3);
        Buf h = Buf.allocate(batch * hidden);
        Buf drop = Buf.allocate(batch * hidden);
        Buf mask = Buf.allocate(batch * hidden);
        Buf logits = Buf.allocate(batch * classes);
        Buf dlogits = Buf.allocate(batch * classes);
        Buf dh = Buf.allocate(batch * hidden);
        Buf dw1 = Buf.allocate(hidden * in);
        Buf db1 = Buf.allocate(hidden);
        Buf dw2 = Buf.allocate(classes * hidden);
        Buf db2 = Buf.allocate(classes);
        Buf m = Buf.allocate(hidden * in);
        Buf v = Buf.allocate(hidden * in);
        IntBuffer labels = IntBuffer.wrap(new int[] {0, 1, 2, 3, 0, 1, 2, 3});
        Rng rng = new Rng(4);
        Runnable step = new Runnable() {
            long t;

            @Override
            public void run() {
                Dense.forward(x, w1, b1, h, batch, in, hidden, Activation.RELU, 0f);
                Dropout.forward(h, drop, mask, batch * hidden, 0.2f, rng);
                Dense.forward(drop, w2, b2, logits, batch, hidden, classes, Activation.IDENTITY, 0f);
                Losses.softmaxCrossEntropy(logits, labels, dlogits, batch, classes);
                Dense.backwardBias(dlogits, db2, batch, classes, false);
                Dense.backwardWeights(dlogits, drop, dw2, batch, hidden, classes, false);
                Dense.backwardInput(dlogits, w2, dh, batch, hidden, classes, false);
                Dropout.backward(dh, mask, dh, batch * hidden);
                Activations.biasBackward(Activation.RELU, 0f, h, dh, dh, db1, batch, hidden, false);
                Dense.backwardWeights(dh, x, dw1, batch, in, hidden, false);
                Optimizers.adam(w1, dw1, m, v, hidden * in, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 0f, ++t);
                Optimizers.sgd(w2, dw2, classes * hidden, 0.01f, 1e-4f, 0f);
            }
        };
        assertThat(Allocations.perRun(step, 3000)).isLessThan(16L);
    }
}
