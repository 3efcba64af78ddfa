package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.autodiff.Differentiator;
import org.dnnc.compiler.autodiff.Inference;
import org.dnnc.compiler.autodiff.Interpreter;
import org.dnnc.compiler.autodiff.Program;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Param;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.data.Dataset;
import org.dnnc.runtime.train.Evaluation;
import org.dnnc.runtime.train.TrainableNetwork;
import org.dnnc.runtime.train.TrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Generated classes with recurrent layers: GRU classifiers learn tasks that need the whole sequence
 * or the part of it within its length, and for each kind of layer, with and without lengths, and for
 * attention with one query or a sequence of them (its weights an output), one prediction and one
 * training step agree with the reference interpreter (the step's gradients read
 * back from a plain SGD update at rate 1).
 */
class GeneratedRecurrentTest {
    private static final int STEPS = 12;
    private static final int CLASSES = 3;
    private static final String CLASSIFIER = """
            package org.dnnc.test;

            network Rhythm {
                input x: float[12, 2];
                input label: int;
                logits = x -> gru(16) -> dense(3);
                output probs = softmax(logits);
                train {
                    loss      = cross_entropy(logits, label);
                    optimizer = adam(lr: 1e-2);
                    batch     = 32;
                    epochs    = 12;
                }
            }
            """;

    @TempDir
    Path work;

    /**
     * Class k is a wave of k + 1 cycles over the sequence, at a random phase and amplitude, in noise,
     * beside a feature of pure noise: no single step tells the classes apart, the whole sequence does.
     */
    private static Dataset waves(int count, long seed) {
        Random random = new Random(seed);
        float[] x = new float[count * STEPS * 2];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = random.nextInt(CLASSES);
            double phase = random.nextDouble() * 2 * Math.PI;
            double amplitude = 0.5 + random.nextDouble();
            for (int t = 0; t < STEPS; t++) {
                double wave = amplitude * Math.sin(2 * Math.PI * (labels[i] + 1) * t / STEPS + phase);
                x[(i * STEPS + t) * 2] = (float) (wave + 0.3 * random.nextGaussian());
                x[(i * STEPS + t) * 2 + 1] = (float) random.nextGaussian();
            }
        }
        return Dataset.builder().features("x", x, STEPS, 2).labels("label", labels).build();
    }

    @Test
    void aGruClassifierLearnsWhatTheWholeSequenceShows() throws Exception {
        Class<?> generated = generate("Rhythm", CLASSIFIER);
        try (TrainableNetwork net = build(generated)) {
            Dataset train = waves(768, 1);
            Dataset test = waves(300, 2);
            generated.getMethod("fit", Dataset.class, Dataset.class, TrainingListener[].class)
                    .invoke(net, train, null, new TrainingListener[0]);
            Evaluation after = (Evaluation) generated.getMethod("evaluate", Dataset.class).invoke(net, test);
            assertWithMessage("held-out accuracy over 3 classes (chance is 1/3)").that(after.accuracy()).isAtLeast(0.9);
        }
    }

    /**
     * The label is the sign of the sum of an example's steps up to its length; the padding after it
     * looks like more steps, so a layer that read it would sum the wrong ones.
     */
    @Test
    void aGruOverSequencesOfTheirOwnLengthsIgnoresThePadding() throws Exception {
        Class<?> generated = generate("Summing", """
                package org.dnnc.test;

                network Summing {
                    input x: float[10, 1];
                    input length: int;
                    input label: int;
                    logits = x -> gru(length, 16) -> dense(2);
                    output probs = softmax(logits);
                    train {
                        loss      = cross_entropy(logits, label);
                        optimizer = adam(lr: 1e-2);
                        batch     = 32;
                        epochs    = 15;
                    }
                }
                """);
        try (TrainableNetwork net = build(generated)) {
            generated.getMethod("fit", Dataset.class, Dataset.class, TrainingListener[].class)
                    .invoke(net, sums(1024, 1), null, new TrainingListener[0]);
            Evaluation after = (Evaluation) generated.getMethod("evaluate", Dataset.class).invoke(net, sums(400, 2));
            assertWithMessage("held-out accuracy over 2 classes").that(after.accuracy()).isAtLeast(0.9);
        }
    }

    private static Dataset sums(int count, long seed) {
        Random random = new Random(seed);
        int steps = 10;
        float[] x = new float[count * steps];
        int[] lengths = new int[count];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            lengths[i] = 2 + random.nextInt(steps - 1);
            double sum = 0;
            for (int t = 0; t < lengths[i]; t++) {
                x[i * steps + t] = (float) random.nextGaussian();
                sum += x[i * steps + t];
            }
            labels[i] = sum > 0 ? 1 : 0;
            for (int t = lengths[i]; t < steps; t++) {
                x[i * steps + t] = (float) random.nextGaussian();
            }
        }
        return Dataset.builder().features("x", x, steps, 1).ints("length", lengths).labels("label", labels).build();
    }

    /**
     * Each case defines {@code logits} from {@code x} (and {@code length}); every output of the
     * class is compared, so a case may add its own, such as attention weights.
     */
    @ParameterizedTest
    @ValueSource(strings = {"logits = x -> rnn(6) -> dense(3);", "logits = x -> rnn(6, activation: relu) -> dense(3);",
            "logits = x -> lstm(6) -> dense(3);", "logits = x -> gru(5, return_sequences: true) -> lstm(4) -> dense(3);",
            "logits = x -> bidirectional(gru(4)) -> dense(3);",
            "logits = x -> bidirectional(rnn(3, return_sequences: true)) -> rnn(4) -> dense(3);",
            "logits = x -> gru(length, 5) -> dense(3);",
            "logits = x -> bidirectional(length, lstm(3, return_sequences: true)) -> rnn(length, 4) -> dense(3);",
            "h = x -> gru(4); logits = x -> lstm(length, h, 4) -> dense(3);",
            "ctx = x -> gru(4) -> attention(x, units: 3); output alpha = attention_weights(ctx);"
                    + " logits = ctx -> dense(3);",
            "states = x -> gru(4, return_sequences: true); ctx = states -> attention(states, length, units: 3);"
                    + " output alpha = attention_weights(ctx); logits = ctx -> gru(length, 3) -> dense(3);"})
    void aPredictionAndATrainingStepMatchTheReference(String body) throws Exception {
        int batch = 4;
        boolean withLengths = body.contains("length");
        String source = """
                package org.dnnc.test;

                network Steps {
                    input x: float[5, 3];
                    %s
                    input label: int;
                    %s
                    output probs = softmax(logits);
                    train {
                        loss      = cross_entropy(logits, label);
                        optimizer = sgd(lr: 1.0);
                        batch     = 4;
                    }
                }
                """.formatted(withLengths ? "input length: int;" : "", body);
        NetworkModel model = compile("Steps", source);
        Class<?> generated = generate("Steps", source);
        Random random = new Random(body.hashCode());
        float[] x = new float[batch * 5 * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        int[] labels = {0, 2, 1, 2};
        int[] lengths = {5, 2, 0, 4};
        try (TrainableNetwork net = build(generated)) {
            float[] before = new float[net.parameterCount()];
            net.copyParametersTo(before);
            Map<String, double[]> values = parameters(model, before);
            values.put("x", toDouble(x));
            values.put("label", Arrays.stream(labels).asDoubleStream().toArray());
            Inputs inputs = Inputs.of("x", x);
            if (withLengths) {
                values.put("length", Arrays.stream(lengths).asDoubleStream().toArray());
                inputs = inputs.and("length", lengths);
            }

            var predicted = net.predict(inputs);
            Graph infer = Inference.of(model.graph()).graph();
            Map<Integer, double[]> reference = new Interpreter(batch, values, 0).run(infer);
            for (var output : infer.outputs().entrySet()) {
                float[] actual = predicted.get(output.getKey());
                double[] expected = reference.get(output.getValue());
                for (int i = 0; i < expected.length; i++) {
                    assertWithMessage("%s[%s]", output.getKey(), i).that((double) actual[i]).isWithin(1e-5)
                            .of(expected[i]);
                }
            }

            net.trainStep(inputs.and("label", labels), batch, 1.0);
            float[] after = new float[before.length];
            net.copyParametersTo(after);
            Program train = Differentiator.train(model.graph());
            Map<Integer, double[]> result = new Interpreter(batch, values, 0).run(train.graph());
            int offset = 0;
            for (Node p : model.graph().params()) {
                String name = ((Param) p.op()).name();
                double[] gradient = result.get(train.gradients().get(name));
                for (int i = 0; i < gradient.length; i++) {
                    double step = (double) before[offset + i] - after[offset + i];
                    assertWithMessage("gradient of %s[%s]", name, i).that(step).isWithin(2e-5).of(gradient[i]);
                }
                offset += gradient.length;
            }
            assertThat(offset).isEqualTo(before.length);
        }
    }

    /** Parameter name -> values, from the class's parameters in the order of the graph's. */
    private static Map<String, double[]> parameters(NetworkModel model, float[] flat) {
        Map<String, double[]> values = new HashMap<>();
        int offset = 0;
        for (Node p : model.graph().params()) {
            int count = p.type().dims().stream().mapToInt(d -> d.bound()).reduce(1, (a, b) -> a * b);
            values.put(((Param) p.op()).name(), toDouble(Arrays.copyOfRange(flat, offset, offset + count)));
            offset += count;
        }
        return values;
    }

    private NetworkModel compile(String name, String source) throws Exception {
        Path file = work.resolve(name + ".dnn");
        Files.writeString(file, source);
        return Compiler.compile(SourceFile.read(file)).networks().get(0);
    }

    private Class<?> generate(String name, String source) throws Exception {
        NetworkModel model = compile(name, source);
        SourceFile file = SourceFile.read(work.resolve(name + ".dnn"));
        return JavaSourceCompiler.compile(model.qualifiedName(), JavaGenerator.generate(model, file).toString(),
                work.resolve("classes-" + name), List.of("-Xlint:all", "-Werror"));
    }

    private static TrainableNetwork build(Class<?> generated) throws Exception {
        Object builder = generated.getMethod("builder").invoke(null);
        return (TrainableNetwork) builder.getClass().getMethod("build").invoke(builder);
    }

    private static double[] toDouble(float[] values) {
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = values[i];
        }
        return d;
    }
}
