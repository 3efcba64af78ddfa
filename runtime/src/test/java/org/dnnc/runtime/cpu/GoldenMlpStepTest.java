package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The {@code mlp_step} case end to end, the way generated code will run it: every buffer carved
 * from one arena at planner-style offsets, three dense layers with fused bias + ReLU, fused
 * softmax cross-entropy, and backward through all of them.
 */
class GoldenMlpStepTest {

    @Test
    void forwardAndBackwardMatchPyTorch() {
        Golden g = Golden.load("mlp_step");
        int batch = g.npy(g.file("inputs", "x")).shape()[0];
        int[] sizes = {784, 256, 128, 10};
        try (Arena arena = new Arena(4 << 20)) {
            Planner plan = new Planner(arena);
            Buf x = plan.copy(g.floats("inputs", "x"));
            Buf[] w = new Buf[3];
            Buf[] b = new Buf[3];
            Buf[] dw = new Buf[3];
            Buf[] db = new Buf[3];
            Buf[] act = new Buf[4];
            Buf[] grad = new Buf[4];
            act[0] = x;
            for (int l = 0; l < 3; l++) {
                w[l] = plan.copy(g.floats("params", 2 * l + "_weight"));
                b[l] = plan.copy(g.floats("params", 2 * l + "_bias"));
                dw[l] = plan.next(sizes[l + 1] * sizes[l]);
                db[l] = plan.next(sizes[l + 1]);
                act[l + 1] = plan.next(batch * sizes[l + 1]);
                grad[l] = plan.next(batch * sizes[l]);
            }
            grad[3] = plan.next(batch * 10);

            for (int l = 0; l < 3; l++) {
                Dense.forward(act[l], w[l], b[l], act[l + 1], batch, sizes[l], sizes[l + 1],
                        l < 2 ? Activation.RELU : Activation.IDENTITY, 0f);
            }
            g.check("logits", act[3], g.file("outputs", "logits"));

            float loss = Losses.softmaxCrossEntropy(act[3], g.ints(g.file("inputs", "label")), grad[3], batch, 10);
            Close.check("loss", loss, g.floats("outputs", "loss")[0], g.rtol(), g.atol());
            assertThat(Losses.countCorrect(act[3], g.ints(g.file("inputs", "label")), batch, 10)).isAtMost(batch);

            for (int l = 2; l >= 0; l--) {
                Activation a = l < 2 ? Activation.RELU : Activation.IDENTITY;
                // dz overwrites dy in place: the planner may give them the same memory.
                Activations.biasBackward(a, 0f, act[l + 1], grad[l + 1], grad[l + 1], db[l], batch, sizes[l + 1], false);
                Dense.backwardWeights(grad[l + 1], act[l], dw[l], batch, sizes[l], sizes[l + 1], false);
                Dense.backwardInput(grad[l + 1], w[l], grad[l], batch, sizes[l], sizes[l + 1], false);
            }
            for (int l = 0; l < 3; l++) {
                g.checkGrad(2 * l + "_weight", dw[l]);
                g.checkGrad(2 * l + "_bias", db[l]);
            }
            g.checkGrad("x", grad[0]);
        }
    }

    /** Hands out consecutive 64-byte-aligned views, as the compiler's planner would. */
    private static final class Planner {
        private final Arena arena;
        private long offset;

        Planner(Arena arena) {
            this.arena = arena;
        }

        Buf next(int floats) {
            Buf b = arena.floats(offset, floats);
            offset += Arena.align(4L * floats);
            return b;
        }

        Buf copy(float[] values) {
            return next(values.length).copyFrom(values);
        }
    }
}
