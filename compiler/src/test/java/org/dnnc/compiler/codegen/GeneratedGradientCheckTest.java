package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.data.Dataset;
import org.dnnc.runtime.train.NonFinite;
import org.dnnc.runtime.train.StepResult;
import org.dnnc.runtime.train.TrainableNetwork;
import org.dnnc.runtime.train.Trainer;
import org.dnnc.runtime.train.TrainingDivergedException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gradient that overflows while the loss stays finite: y = w·x with w = 2e-38 and x = 1.5e38 is
 * 3, the loss (y - 0)² is 9, and dL/dw = 2·3·1.5e38 is past the float range. The step must update
 * nothing (as for a NaN loss), report it, and the trainer must stop on it.
 */
class GeneratedGradientCheckTest {
    private static final String SOURCE = """
            package org.dnnc.test;

            network Overflow {
                input x: float[1];
                input t: float[1];
                output y = x -> dense(1);
                train {
                    loss = mse(y, t);
                    optimizer = sgd(lr: 0.1);
                    batch = 1;
                }
            }
            """;
    private static final float[] X = {1.5e38f};
    private static final float[] T = {0f};

    @TempDir
    static Path work;

    private static Class<?> generated;

    @BeforeAll
    static void compile() throws Exception {
        Path file = Files.writeString(work.resolve("Overflow.dnn"), SOURCE);
        SourceFile source = SourceFile.read(file);
        NetworkModel model = Compiler.compile(source).networks().get(0);
        generated = JavaSourceCompiler.compile(model.qualifiedName(), JavaGenerator.generate(model, source).toString(),
                work.resolve("classes"), List.of("-Xlint:all", "-Werror"));
    }

    private static TrainableNetwork network() throws Exception {
        Object builder = generated.getMethod("builder").invoke(null);
        TrainableNetwork net = (TrainableNetwork) builder.getClass().getMethod("build").invoke(builder);
        // weight, then bias
        generated.getMethod("copyParametersFrom", float[].class).invoke(net, (Object) new float[] {2e-38f, 0f});
        return net;
    }

    private static float[] parameters(TrainableNetwork net) throws Exception {
        float[] p = new float[2];
        generated.getMethod("copyParametersTo", float[].class).invoke(net, (Object) p);
        return p;
    }

    @Test
    void aStepWithAnOverflowingGradientUpdatesNothing() throws Exception {
        try (TrainableNetwork net = network()) {
            StepResult step = net.trainStep(Inputs.of("x", X).and("t", T), 1, 0.1);
            assertThat(step.lossSum()).isWithin(1e-4).of(9.0);
            assertThat(step.finiteGradients()).isFalse();
            assertThat(step.finite()).isFalse();
            assertThat(parameters(net)).usingExactEquality().containsExactly(2e-38f, 0f).inOrder();
            assertThat(net.steps()).isEqualTo(0);
        }
    }

    @Test
    void withoutTheCheckTheOverflowReachesTheWeights() throws Exception {
        try (TrainableNetwork net = network()) {
            net.updateOnNonFiniteLoss(true);
            StepResult step = net.trainStep(Inputs.of("x", X).and("t", T), 1, 0.1);
            assertThat(step.finiteGradients()).isTrue();
            assertThat(Float.isFinite(parameters(net)[0])).isFalse();
        }
    }

    @Test
    void theTrainerStopsAndNamesTheGradient() throws Exception {
        Dataset data = Dataset.builder().floats("x", X, 1).floats("t", T, 1).build();
        try (TrainableNetwork net = network()) {
            Trainer trainer = Trainer.builder().learningRate(0.1).epochs(1).batch(1).progress(false)
                    .onNonFinite(NonFinite.STOP).build();
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> trainer.fit(net, data));
            assertThat(e).hasMessageThat().contains("a gradient became NaN or infinite (the loss was 9.0");
            assertThat(e).hasMessageThat().contains("at step 1 in epoch 1");
            assertThat(parameters(net)).usingExactEquality().containsExactly(2e-38f, 0f).inOrder();
        }
    }
}
