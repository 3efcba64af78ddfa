package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.dnnc.compiler.Compilation;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.runtime.data.Standardization;
import org.dnnc.runtime.io.Checkpoint;
import org.dnnc.runtime.io.LoadOptions;
import org.dnnc.runtime.io.LoadReport;
import org.dnnc.runtime.io.Safetensors;
import org.dnnc.runtime.io.SaveOptions;
import org.dnnc.runtime.io.TensorData;
import org.dnnc.runtime.train.TrainableNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Resume is exact: training 2 epochs gives, bit for bit on one thread, the weights and optimizer
 * state of training 1 epoch, saving with the training state, loading in a new JVM ({@link
 * ResumeChild}) and training 1 more. The network has dropout (its generator must be restored),
 * the trainer shuffles (the resumed epoch must see epoch 2's order) and the learning rate decays
 * every 4 steps (the schedule must continue from the saved step). A checkpoint without the
 * training state, resumed the same way, does not reproduce the run: the test can tell.
 */
class GeneratedResumeTest {
    private static final String NET = """
            package org.dnnc.test;

            network Resume {
                input x: float[6];
                input label: int;
                logits = x -> dense(8) -> relu -> dropout(0.3) -> dense(3);
                output probs = softmax(logits);
                train {
                    loss = cross_entropy(logits, label);
                    optimizer = %s;
                    schedule = step_decay(every: 4 steps, factor: 0.5);
                    batch = 4;
                    seed = 7;
                }
            }
            """;

    @TempDir
    Path work;

    @ParameterizedTest
    @ValueSource(strings = {"adam(lr: 0.02)", "momentum(lr: 0.05, momentum: 0.9)"})
    void twoEpochsEqualOneAndOneMoreInANewProcess(String optimizer) throws Exception {
        Compilation c = Compiler.compile(new SourceFile(work.resolve("Resume.dnn").toString(), String.format(NET, optimizer)));
        assertWithMessage("%s", c.diagnostics()).that(c.hasErrors()).isFalse();
        NetworkModel model = c.networks().get(0);
        Class<?> generated = JavaSourceCompiler.compile(model.qualifiedName(),
                JavaGenerator.generate(model, c.source()).toString(), work, List.of("-Xlint:all", "-Werror"));

        Path straight = work.resolve("straight.safetensors");
        try (TrainableNetwork net = ResumeChild.build(generated, 3)) {
            ResumeChild.trainer(generated).epochs(2).build().fit(net, ResumeChild.data());
            assertThat(net.epochs()).isEqualTo(2);
            save(net, straight, SaveOptions.withTrainingState());
        }
        Path half = work.resolve("half.safetensors");
        Path weightsOnly = work.resolve("weights-only.safetensors");
        try (TrainableNetwork net = ResumeChild.build(generated, 3)) {
            ResumeChild.trainer(generated).epochs(1).build().fit(net, ResumeChild.data());
            save(net, half, SaveOptions.withTrainingState());
            save(net, weightsOnly, SaveOptions.defaults());
        }

        Path resumed = work.resolve("resumed.safetensors");
        String classPath = System.getProperty("java.class.path") + File.pathSeparator + work.resolve("classes");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, ResumeChild.class.getName(), model.qualifiedName(), half.toString(), resumed.toString())
                .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertWithMessage("the resuming JVM said:\n%s", output).that(child.waitFor()).isEqualTo(0);

        Checkpoint expected = Safetensors.read(straight);
        Checkpoint actual = Safetensors.read(resumed);
        assertThat(actual.tensors().keySet()).containsExactlyElementsIn(expected.tensors().keySet());
        assertThat(actual.tensors().keySet()).contains(optimizer.startsWith("adam")
                ? "optimizer.adam.v.logits.dense1.weight" : "optimizer.momentum.velocity.logits.dense1.weight");
        assertThat(bits(actual)).isEqualTo(bits(expected));
        assertThat(actual.metadata()).isEqualTo(expected.metadata());

        // Without the training state the optimizer restarts, and the data order with it: another run.
        Path restarted = work.resolve("restarted.safetensors");
        try (TrainableNetwork net = ResumeChild.build(generated, 3)) {
            generated.getMethod("load", Path.class, LoadOptions.class).invoke(net, weightsOnly, LoadOptions.resume());
            assertThat(net.steps()).isEqualTo(6);
            assertThat(net.epochs()).isEqualTo(0);
            ResumeChild.trainer(generated).epochs(1).build().fit(net, ResumeChild.data());
            save(net, restarted, SaveOptions.defaults());
        }
        Map<String, List<Integer>> restartedBits = bits(Safetensors.read(restarted));
        Map<String, List<Integer>> expectedBits = bits(expected);
        expectedBits.keySet().retainAll(restartedBits.keySet());
        assertThat(restartedBits).isNotEqualTo(expectedBits);
    }

    @Test
    void theInputStandardizationTravelsWithTheWeights() throws Exception {
        Path file = work.resolve("standardized.safetensors");
        Standardization standardization = new Standardization(new float[] {1, 2, 3, 4, 5, 6},
                new float[] {0.5f, 1, 1.5f, 2, 2.5f, 3});
        try (TrainableNetwork net = StepNetworks.build(String.format(NET, "adam(lr: 0.02)"), work.resolve("a"))) {
            save(net, file, SaveOptions.builder().standardization(standardization).build());
        }
        Checkpoint checkpoint = Safetensors.read(file);
        assertThat(checkpoint.tensors().get("standardization.std").floats()).usingExactEquality()
                .containsExactly(0.5f, 1f, 1.5f, 2f, 2.5f, 3f).inOrder();
        assertThat(checkpoint.metadata()).doesNotContainKey("optimizer");
        try (TrainableNetwork net = StepNetworks.build(String.format(NET, "adam(lr: 0.02)"), work.resolve("b"))) {
            LoadReport report = (LoadReport) net.getClass().getMethod("load", Path.class).invoke(net, file);
            assertThat(report.standardization()).hasValue(standardization);
            assertThat(report.trainingState()).isFalse();
            assertThat(report.complete()).isTrue();
        }
    }

    @Test
    void aTrainingStateOfAnotherOptimizerIsRejectedBeforeAnythingChanges() throws Exception {
        Path file = work.resolve("adam.safetensors");
        try (TrainableNetwork adam = StepNetworks.build(String.format(NET, "adam(lr: 0.02)"), work.resolve("adam"))) {
            ResumeChild.trainer(adam.getClass()).epochs(1).build().fit(adam, ResumeChild.data());
            save(adam, file, SaveOptions.withTrainingState());
        }
        try (TrainableNetwork momentum = StepNetworks.build(String.format(NET, "momentum(lr: 0.05)"),
                work.resolve("momentum"))) {
            float[] before = StepNetworks.parameters(momentum);
            InvocationTargetException e = assertThrows(InvocationTargetException.class,
                    () -> momentum.getClass().getMethod("load", Path.class).invoke(momentum, file));
            assertThat(e.getCause()).hasMessageThat().isEqualTo(file + ": holds the training state of optimizer"
                    + " \"adam\", but the network trains with \"momentum\"; load its parameters only (LoadOptions.weights())");
            assertThat(StepNetworks.parameters(momentum)).usingExactEquality().containsExactly(before).inOrder();
            assertThat(momentum.steps()).isEqualTo(0);

            LoadReport report = (LoadReport) momentum.getClass().getMethod("load", Path.class, LoadOptions.class)
                    .invoke(momentum, file, LoadOptions.weights());
            assertThat(report.trainingState()).isFalse();
            assertThat(report.ignored()).contains("optimizer.adam.m.logits.dense1.weight");
            assertThat(StepNetworks.parameters(momentum)).isNotEqualTo(before);
            assertThat(momentum.steps()).isEqualTo(0);
        }
    }

    private static void save(TrainableNetwork net, Path file, SaveOptions options) throws Exception {
        net.getClass().getMethod("save", Path.class, SaveOptions.class).invoke(net, file, options);
    }

    /** Every tensor's values as raw bits, which tell -0 from 0 and compare NaN, sorted by name. */
    private static Map<String, List<Integer>> bits(Checkpoint checkpoint) {
        Map<String, List<Integer>> bits = new TreeMap<>();
        for (Map.Entry<String, TensorData> e : checkpoint.tensors().entrySet()) {
            float[] values = e.getValue().floats();
            int[] raw = new int[values.length];
            for (int i = 0; i < values.length; i++) {
                raw[i] = Float.floatToRawIntBits(values[i]);
            }
            bits.put(e.getKey(), Arrays.stream(raw).boxed().toList());
        }
        return bits;
    }
}
