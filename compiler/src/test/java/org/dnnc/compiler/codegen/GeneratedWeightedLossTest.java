package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.dnnc.runtime.train.StepResult;
import org.dnnc.runtime.train.TargetKind;
import org.dnnc.runtime.train.TrainableNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A loss written as a weighted sum of losses trains on that sum. The same network is generated
 * three times: trained on the cross-entropy of its logits against labels, on their mse against float
 * targets, and on {@code cross_entropy + 0.25 * mse}. With plain SGD at rate 1 a step moves each
 * parameter by minus its gradient, so one step of each gives the three gradients: the weighted
 * loss's must be the cross-entropy's plus a quarter of the mse's, and so must its reported loss.
 */
class GeneratedWeightedLossTest {
    private static final String SOURCE = """
            package org.dnnc.test;

            network Weighted {
                input x: float[5];
                input label: int;
                input target: float[3];
                logits = x -> dense(6) -> tanh -> dense(3);
                output probs = softmax(logits);
                train {
                    loss      = %s;
                    optimizer = sgd(lr: 1.0);
                    batch     = 6;
                }
            }
            """;
    private static final int BATCH = 6;
    private static final double WEIGHT = 0.25;

    @TempDir
    Path work;

    @Test
    void lossAndGradientAreTheWeightedSumsOfTheTerms() throws Exception {
        Step ce = step("cross_entropy(logits, label)", "ce");
        Step mse = step("mse(logits, target)", "mse");
        Step both = step("cross_entropy(logits, label) + 0.25 * mse(logits, target)", "both");

        assertThat(both.kind).isEqualTo(TargetKind.LABELS);
        assertWithMessage("the reported loss").that(both.loss).isWithin(1e-5).of(ce.loss + WEIGHT * mse.loss);
        assertWithMessage("correct predictions are the cross-entropy's").that(both.correct).isEqualTo(ce.correct);
        for (int i = 0; i < both.gradient.length; i++) {
            double expected = ce.gradient[i] + WEIGHT * mse.gradient[i];
            assertWithMessage("gradient of parameter %s", i).that((double) both.gradient[i])
                    .isWithin(1e-5 + 1e-4 * Math.abs(expected)).of(expected);
        }
        assertWithMessage("the mse term changes the step").that(both.gradient).isNotEqualTo(ce.gradient);
    }

    /** One step's loss, correct count, kind of training, and gradient (the parameters' move at rate 1). */
    private record Step(double loss, int correct, TargetKind kind, float[] gradient) {}

    private Step step(String loss, String name) throws Exception {
        SplittableRandom random = new SplittableRandom(9);
        float[] x = new float[BATCH * 5];
        float[] target = new float[BATCH * 3];
        int[] label = new int[BATCH];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        for (int i = 0; i < target.length; i++) {
            target[i] = (float) random.nextDouble(-1, 1);
        }
        for (int i = 0; i < BATCH; i++) {
            label[i] = random.nextInt(3);
        }
        try (TrainableNetwork net = StepNetworks.build(String.format(SOURCE, loss), work.resolve(name))) {
            float[] before = StepNetworks.parameters(net);
            StepResult result = net.trainStep(StepNetworks.stepInputs(net,
                    Map.of("x", x, "label", label, "target", target)), BATCH, 1.0);
            float[] after = StepNetworks.parameters(net);
            float[] gradient = new float[before.length];
            for (int i = 0; i < gradient.length; i++) {
                gradient[i] = before[i] - after[i];
            }
            return new Step(result.lossSum() / BATCH, result.correct(), net.targetKind(), gradient);
        }
    }
}
