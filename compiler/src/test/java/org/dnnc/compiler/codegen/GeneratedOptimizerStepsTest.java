package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.cpu.Buf;
import org.dnnc.runtime.cpu.Optimizers;
import org.dnnc.runtime.train.TrainableNetwork;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The optimizers whose state needs more than one buffer or a first-step rule, as generated: three
 * steps of the network must move its parameters as the runtime's kernel (checked against PyTorch by
 * the golden optimizer cases) moves them given the network's gradients. The gradient at any
 * parameters comes from a twin of the network trained by plain SGD at rate 1.
 */
class GeneratedOptimizerStepsTest {
    private static final String SOURCE = """
            package org.dnnc.test;

            network Stepped {
                input x: float[4];
                input label: int;
                logits = x -> dense(5) -> tanh -> dense(3);
                output probs = softmax(logits);
                train {
                    loss      = cross_entropy(logits, label);
                    optimizer = %s;
                    batch     = 4;
                }
            }
            """;
    private static final int BATCH = 4;
    private static final float LR = 0.05f;

    @TempDir
    Path work;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rmsprop(lr: 0.05, alpha: 0.9, momentum: 0.8)", "sgd(lr: 0.05, momentum: 0.9, nesterov: true)"})
    void threeStepsMoveAsTheRuntimeKernel(String optimizer) throws Exception {
        Inputs batch = batch();
        try (TrainableNetwork net = StepNetworks.build(String.format(SOURCE, optimizer), work.resolve("net"));
                TrainableNetwork oracle = StepNetworks.build(String.format(SOURCE, "sgd(lr: 1.0)"), work.resolve("sgd"))) {
            float[] start = StepNetworks.parameters(net);
            int n = start.length;
            Buf expected = Buf.of(start);
            Buf state1 = Buf.allocate(n);
            Buf state2 = Buf.allocate(n);
            for (int t = 1; t <= 3; t++) {
                Buf gradient = Buf.of(gradient(oracle, expected.toArray(), batch));
                if (optimizer.startsWith("rmsprop")) {
                    Optimizers.rmspropMomentum(expected, gradient, state1, state2, n, LR, 0.9f, 1e-8f, 0.8f, 0f, 0f);
                } else {
                    Optimizers.momentum(expected, gradient, state1, n, LR, 0.9f, 0f, true, 0f, 0f, t);
                }
                net.trainStep(batch, BATCH, LR);
                float[] actual = StepNetworks.parameters(net);
                float[] want = expected.toArray();
                for (int i = 0; i < n; i++) {
                    assertWithMessage("step %s, parameter %s", t, i).that(actual[i]).isWithin(1e-5f).of(want[i]);
                }
            }
            assertThat(StepNetworks.parameters(net)).isNotEqualTo(start);
        }
    }

    /** The loss's gradient at {@code parameters}: one SGD step at rate 1 of the twin moves them by minus it. */
    private static float[] gradient(TrainableNetwork oracle, float[] parameters, Inputs batch) {
        oracle.copyParametersFrom(parameters);
        oracle.trainStep(batch, BATCH, 1.0);
        float[] after = StepNetworks.parameters(oracle);
        float[] g = new float[parameters.length];
        for (int i = 0; i < g.length; i++) {
            g[i] = parameters[i] - after[i];
        }
        return g;
    }

    private static Inputs batch() {
        SplittableRandom random = new SplittableRandom(4);
        float[] x = new float[BATCH * 4];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        return Inputs.of("x", x).and("label", new int[] {0, 2, 1, 2});
    }
}
