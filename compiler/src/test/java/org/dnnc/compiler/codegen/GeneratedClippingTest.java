package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.train.TrainableNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code clip_norm} and {@code clip_value} change the generated training step. One plain SGD step
 * with a huge loss is taken by the same network without clipping, with each setting and with both;
 * each parameter moves by {@code lr} times its gradient, so the unclipped step gives the gradient
 * and the clipped steps must move as PyTorch's {@code clip_grad_norm_} (one factor for all
 * gradients, a norm of at most {@code lr * clip_norm}) and {@code clip_grad_value_} (each element at
 * most {@code lr * clip_value}) say, the norm first when both are set.
 */
class GeneratedClippingTest {
    private static final String SOURCE = """
            package org.dnnc.test;

            network Clipped {
                input x: float[4];
                input target: float[3];
                output y = x -> dense(8) -> tanh -> dense(3);
                train {
                    loss      = mse(y, target);
                    optimizer = sgd(lr: 0.1);
                    batch     = 8;
                    %s
                }
            }
            """;
    private static final int BATCH = 8;
    private static final double LR = 0.1;
    private static final double MAX_NORM = 1.0;
    private static final double MAX_VALUE = 0.01;

    @TempDir
    Path work;

    @Test
    void clippingBoundsTheStepAsPyTorchDoes() throws Exception {
        float[] free = step("", "free");
        float[] byNorm = step("clip_norm = 1.0;", "norm");
        float[] byValue = step("clip_value = 0.01;", "value");
        float[] byBoth = step("clip_norm = 1.0; clip_value = 0.01;", "both");

        double gradientNorm = norm(free) / LR;
        assertWithMessage("the unclipped gradient's norm").that(gradientNorm).isGreaterThan(100 * MAX_NORM);
        double factor = MAX_NORM / (gradientNorm + 1e-6);
        assertWithMessage("the step clipped by norm").that(norm(byNorm)).isWithin(1e-5 * LR).of(LR * MAX_NORM);
        for (int i = 0; i < free.length; i++) {
            double g = free[i] / LR;
            assertWithMessage("parameter %s clipped by norm", i).that((double) byNorm[i])
                    .isWithin(1e-6 + 1e-4 * Math.abs(byNorm[i])).of(LR * g * factor);
            // Moves are differences of floats: allow their rounding, which grows with the unclipped move.
            double tolerance = 2e-7 + 1e-6 * Math.abs(free[i]);
            assertWithMessage("parameter %s clipped by value", i).that((double) byValue[i])
                    .isWithin(tolerance).of(LR * clamp(g));
            assertWithMessage("parameter %s clipped by norm, then by value", i).that((double) byBoth[i])
                    .isWithin(tolerance).of(LR * clamp(g * factor));
            assertThat((double) Math.abs(byValue[i])).isAtMost(LR * MAX_VALUE + 2e-7);
        }
    }

    /** How far each parameter moves in one step of the network with {@code clipping}: before minus after. */
    private float[] step(String clipping, String name) throws Exception {
        SplittableRandom random = new SplittableRandom(5);
        float[] x = new float[BATCH * 4];
        float[] target = new float[BATCH * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        // Targets far from anything the network predicts: a huge loss and huge gradients.
        Arrays.fill(target, 1000f);
        try (TrainableNetwork net = StepNetworks.build(String.format(SOURCE, clipping), work.resolve(name))) {
            float[] before = StepNetworks.parameters(net);
            Inputs batch = StepNetworks.stepInputs(net, Map.of("x", x, "target", target));
            net.trainStep(batch, BATCH, LR);
            float[] after = StepNetworks.parameters(net);
            float[] moved = new float[before.length];
            for (int i = 0; i < moved.length; i++) {
                moved[i] = before[i] - after[i];
            }
            return moved;
        }
    }

    private static double clamp(double g) {
        return Math.max(-MAX_VALUE, Math.min(MAX_VALUE, g));
    }

    private static double norm(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        return Math.sqrt(sum);
    }
}
