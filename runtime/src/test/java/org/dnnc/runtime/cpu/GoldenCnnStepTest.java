package org.dnnc.runtime.cpu;

import java.nio.IntBuffer;
import org.junit.jupiter.api.Test;

/**
 * The {@code cnn_step} case end to end, the way generated code will run it: every buffer carved
 * from one arena at planner-style offsets, two blocks of convolution, training batch norm with a
 * fused ReLU and 2x2 max pooling, a dense head, softmax cross-entropy, and backward through all of
 * it to every parameter and the input. One scratch view serves every convolution.
 */
class GoldenCnnStepTest {

    @Test
    void forwardAndBackwardMatchPyTorch() {
        Golden g = Golden.load("cnn_step");
        int batch = g.npy(g.file("inputs", "x")).shape()[0];
        ConvGeometry conv1 = ConvGeometry.symmetric(1, 28, 28, 4, 5, 1, 2);
        ConvGeometry conv2 = ConvGeometry.symmetric(4, 14, 14, 8, 5, 1, 2);
        PoolGeometry pool1 = PoolGeometry.of(4, 28, 28, 2, 2);
        PoolGeometry pool2 = PoolGeometry.of(8, 14, 14, 2, 2);
        int features = pool2.outputSize();
        float eps = 1e-5f;
        float momentum = 0.1f;
        try (Arena arena = new Arena(8 << 20)) {
            Planner plan = new Planner(arena);
            Buf x = plan.copy(g.floats("inputs", "x"));
            IntBuffer labels = g.ints(g.file("inputs", "label"));
            Buf scratch = plan.next(Math.max(Conv2d.scratchFloats(conv1), Conv2d.scratchFloats(conv2)));

            Buf w0 = plan.copy(g.floats("params", "0_weight"));
            Buf b0 = plan.copy(g.floats("params", "0_bias"));
            Buf gamma1 = plan.copy(g.floats("params", "1_weight"));
            Buf beta1 = plan.copy(g.floats("params", "1_bias"));
            Buf w4 = plan.copy(g.floats("params", "4_weight"));
            Buf b4 = plan.copy(g.floats("params", "4_bias"));
            Buf gamma5 = plan.copy(g.floats("params", "5_weight"));
            Buf beta5 = plan.copy(g.floats("params", "5_bias"));
            Buf w9 = plan.copy(g.floats("params", "9_weight"));
            Buf b9 = plan.copy(g.floats("params", "9_bias"));
            Buf rm1 = plan.next(4);
            Buf rv1 = plan.next(4);
            Buf rm5 = plan.next(8);
            Buf rv5 = plan.next(8);
            Elementwise.fill(rv1, 4, 1f);
            Elementwise.fill(rv5, 8, 1f);

            Buf c1 = plan.next(batch * conv1.outputSize());
            Buf a1 = plan.next(batch * conv1.outputSize());
            Buf saved1 = plan.next(2 * 4);
            Buf p1 = plan.next(batch * pool1.outputSize());
            Buf c2 = plan.next(batch * conv2.outputSize());
            Buf a2 = plan.next(batch * conv2.outputSize());
            Buf saved2 = plan.next(2 * 8);
            Buf p2 = plan.next(batch * features);
            Buf logits = plan.next(batch * 10);

            // Forward.
            Conv2d.forward(conv1, x, w0, b0, c1, scratch, batch, Activation.IDENTITY, 0f);
            BatchNorm.forwardTraining(c1, gamma1, beta1, rm1, rv1, a1, saved1, batch, 4, 28 * 28, momentum, eps,
                    true);
            Pool2d.maxForward(pool1, a1, p1, batch);
            Conv2d.forward(conv2, p1, w4, b4, c2, scratch, batch, Activation.IDENTITY, 0f);
            BatchNorm.forwardTraining(c2, gamma5, beta5, rm5, rv5, a2, saved2, batch, 8, 14 * 14, momentum, eps,
                    true);
            Pool2d.maxForward(pool2, a2, p2, batch);
            Dense.forward(p2, w9, b9, logits, batch, features, 10, Activation.IDENTITY, 0f); // flatten: same view
            g.check("logits", logits, g.file("outputs", "logits"));

            // Loss and backward. Gradients reuse memory the way a planner may: dz over dy in place.
            Buf dlogits = plan.next(batch * 10);
            float loss = Losses.softmaxCrossEntropy(logits, labels, dlogits, batch, 10);
            Close.check("loss", loss, g.floats("outputs", "loss")[0], g.rtol(), g.atol());

            Buf dw9 = plan.next(10 * features);
            Buf db9 = plan.next(10);
            Buf dp2 = plan.next(batch * features);
            Dense.backwardBias(dlogits, db9, batch, 10, false);
            Dense.backwardWeights(dlogits, p2, dw9, batch, features, 10, false);
            Dense.backwardInput(dlogits, w9, dp2, batch, features, 10, false);

            Buf da2 = plan.next(batch * conv2.outputSize());
            Buf dgamma5 = plan.next(8);
            Buf dbeta5 = plan.next(8);
            Buf dw4 = plan.next(conv2.weightSize());
            Buf db4 = plan.next(8);
            Buf dp1 = plan.next(batch * pool1.outputSize());
            Pool2d.maxBackward(pool2, a2, dp2, da2, batch, false);
            BatchNorm.backward(c2, a2, da2, gamma5, saved2, da2, dgamma5, dbeta5, batch, 8, 14 * 14, eps, true,
                    false, false);
            Conv2d.backwardBias(da2, db4, batch, 8, 14 * 14, false);
            Conv2d.backwardWeights(conv2, da2, p1, dw4, scratch, batch, false);
            Conv2d.backwardInput(conv2, da2, w4, dp1, scratch, batch, false);

            Buf da1 = plan.next(batch * conv1.outputSize());
            Buf dgamma1 = plan.next(4);
            Buf dbeta1 = plan.next(4);
            Buf dw0 = plan.next(conv1.weightSize());
            Buf db0 = plan.next(4);
            Buf dx = plan.next(batch * conv1.inputSize());
            Pool2d.maxBackward(pool1, a1, dp1, da1, batch, false);
            BatchNorm.backward(c1, a1, da1, gamma1, saved1, da1, dgamma1, dbeta1, batch, 4, 28 * 28, eps, true,
                    false, false);
            Conv2d.backwardBias(da1, db0, batch, 4, 28 * 28, false);
            Conv2d.backwardWeights(conv1, da1, x, dw0, scratch, batch, false);
            Conv2d.backwardInput(conv1, da1, w0, dx, scratch, batch, false);

            g.checkGrad("9_weight", dw9);
            g.checkGrad("9_bias", db9);
            g.checkGrad("5_weight", dgamma5);
            g.checkGrad("5_bias", dbeta5);
            g.checkGrad("4_weight", dw4);
            g.checkGrad("4_bias", db4);
            g.checkGrad("1_weight", dgamma1);
            g.checkGrad("1_bias", dbeta1);
            g.checkGrad("0_weight", dw0);
            g.checkGrad("0_bias", db0);
            g.checkGrad("x", dx);
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
