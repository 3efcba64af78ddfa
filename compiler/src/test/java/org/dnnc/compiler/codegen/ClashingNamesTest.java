package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dnnc.compiler.Compilation;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.Network;
import org.dnnc.runtime.Outputs;
import org.dnnc.runtime.train.StepResult;
import org.dnnc.runtime.train.TrainableNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names of a network that are also names in its generated code: the types the code uses (the
 * runtime's, java.lang's), its members, and Java keywords where the language allows them. Every
 * such network compiles, and predicts.
 */
class ClashingNamesTest {
    /**
     * Simple names of the types that every generated class refers to (also one that only predicts),
     * and of the JDK types that user code meets most: a network of each name only predicts.
     */
    private static final List<String> PREDICTING = List.of(
            "Network", "TensorSpec", "Inputs", "Outputs", "Device", "Arena", "Buf", "Blas", "Dense", "Activation",
            "Softmax", "ElementwiseChain", "Conv2d", "ConvAlgorithm", "ConvGeometry", "Pool2d", "PoolGeometry",
            "BatchNorm", "Workers",
            "CpuContext", "Scope", "Init", "Safetensors", "TensorData", "Checkpoint", "CheckpointSpec", "DType",
            "LoadOptions", "LoadReport", "MatchedWeights", "SaveOptions", "TrainingState", "Standardization",
            "String", "Math", "Object", "Override", "Runtime", "Long", "IllegalArgumentException",
            "UnsupportedOperationException", "List", "Map", "LinkedHashMap", "Path", "IOException", "FloatBuffer",
            "Generated", "Predictor", "RuntimeException", "Error", "Hold", "owner", "shared", "sharing", "predictor",
            "hold", "sharesParameters");

    /**
     * Simple names of the types only a trainable class refers to, and of the generated class's
     * members: a network of each name trains.
     */
    private static final List<String> TRAINING = List.of(
            "TrainableNetwork", "StepResult", "TargetKind", "Trainer", "LearningRate", "Span", "EarlyStopping",
            "Metric", "History", "Evaluation", "TrainingListener", "Dataset", "Dropout", "Elementwise", "Losses",
            "Optimizers", "GradientCheck", "Rng", "Activations", "Float", "IntBuffer", "gradients",
            "NAME", "INPUTS", "OUTPUTS", "MAX_BATCH", "predict", "builder", "trainer", "context", "steps", "batch",
            "lr", "n", "epochs", "state", "weights", "options", "checkpoint", "spec", "stateSpec", "tensors",
            "metadata", "Boolean", "progress", "BatchNormPool");

    /** The network {@code %s}, whose code uses most of the runtime's types, and a fused loop of {@code Math} calls. */
    private static final String PREDICTS = """

            network %s {
                input image: float[1, 4, 4];
                output probs = image -> conv2d(2, 3, padding: same) -> batchnorm -> relu -> maxpool(2) -> flatten
                                     -> elu -> tanh -> dense(3) -> softmax;
            }
            """;

    /** The network {@code %s}, trained with every kind of train-section setting the trainer code emits. */
    private static final String TRAINS = """

            network %s {
                input image: float[1, 4, 4];
                input label: int;
                logits = image -> conv2d(2, 3, padding: same) -> batchnorm -> relu -> maxpool(2) -> flatten
                               -> dropout(0.25) -> dense(4) -> relu -> dense(3);
                output probs = softmax(logits);
                train {
                    loss      = cross_entropy(logits, label);
                    optimizer = adam(lr: 1e-2);
                    schedule  = cosine(restart_every: 1 epochs);
                    batch     = 4;
                    epochs    = 1;
                    early_stop(monitor: val_loss, patience: 2);
                }
            }
            """;

    private static final String PACKAGE = "org.dnnc.names";
    private static final Pattern IMPORT = Pattern.compile("(?m)^import [\\w.]+\\.(\\w+);$");

    @TempDir
    Path work;

    @Test
    void networksNamedAfterTheTypesAndMembersOfGeneratedCodeCompileTogetherAndPredict() throws Exception {
        StringBuilder text = new StringBuilder("package " + PACKAGE + ";\n");
        PREDICTING.forEach(name -> text.append(PREDICTS.formatted(name)));
        TRAINING.forEach(name -> text.append(TRAINS.formatted(name)));
        List<String> names = new ArrayList<>(PREDICTING);
        names.addAll(TRAINING);
        Map<String, Class<?>> classes = compileAll(text.toString(), names.size());
        for (String name : names) {
            Class<?> generated = classes.get(PACKAGE + "." + name);
            try (Network net = build(generated)) {
                float[] probs = (float[]) generated.getMethod("predict", float[].class).invoke(net, image(3));
                assertWithMessage("network %s", name).that(probs).hasLength(3);
                assertWithMessage("network %s", name).that((double) probs[0] + probs[1] + probs[2])
                        .isWithin(1e-5).of(1.0);
                assertWithMessage("network %s", name).that(net instanceof TrainableNetwork)
                        .isEqualTo(TRAINING.contains(name));
            }
        }
    }

    /**
     * Inputs, values and outputs named as Java keywords, as the locals and fields of the generated
     * methods, and two parameters whose names read alike as Java identifiers.
     */
    @Test
    void valuesMayTakeAnyNameTheLanguageAllows() throws Exception {
        String text = """
                package org.dnnc.names;

                network Members {
                    input class: float[4];
                    input int: int;

                    block blk(x) {
                        v = x -> dense(4);
                        v -> relu
                    }

                    // Parameters a.blk1.v.dense1.weight and a_blk1_v.dense1.weight: one Java identifier.
                    a = class -> blk;
                    a_blk1_v = class -> dense(4);
                    steps = a + a_blk1_v;
                    lr = steps -> relu;
                    INPUTS = lr * 0.5;
                    n = INPUTS -> dense(3);
                    output return = softmax(n);
                    output predict = steps;

                    train {
                        loss      = cross_entropy(n, int);
                        optimizer = adam(lr: 1e-2);
                        batch     = 4;
                    }
                }
                """;
        Class<?> generated = compileAll(text, 1).get("org.dnnc.names.Members");
        try (TrainableNetwork net = (TrainableNetwork) build(generated)) {
            float[] examples = new float[8];
            for (int i = 0; i < examples.length; i++) {
                examples[i] = i / 8f;
            }
            Outputs out = net.predict(Inputs.of("class", examples));
            assertThat(out.get("return")).hasLength(2 * 3);
            assertThat(out.get("predict")).hasLength(2 * 4);
            assertThat((double) out.example("return", 1)[0] + out.example("return", 1)[1] + out.example("return", 1)[2])
                    .isWithin(1e-5).of(1.0);
            StepResult step = net.trainStep(Inputs.of("class", examples).and("int", new int[] {0, 2}), 2, 0.01);
            assertThat(Double.isFinite(step.lossSum())).isTrue();
            assertThat(net.parameterCount()).isEqualTo(2 * (4 * 4 + 4) + (4 * 3 + 3));
        }
    }

    /**
     * Compiles the networks of {@code text}, expecting {@code count} of them, into one package with
     * one javac run; checks that every type their code imports is a name tried for a network.
     */
    private Map<String, Class<?>> compileAll(String text, int count) throws Exception {
        SourceFile source = new SourceFile("Names.dnn", text);
        Compilation compilation = Compiler.compile(source);
        assertWithMessage("%s", compilation.diagnostics()).that(compilation.hasErrors()).isFalse();
        assertThat(compilation.networks()).hasSize(count);
        Map<String, String> sources = new LinkedHashMap<>();
        Set<String> imported = new TreeSet<>();
        for (NetworkModel model : compilation.networks()) {
            String java = JavaGenerator.generate(model, source).toString();
            sources.put(model.qualifiedName(), java);
            Matcher m = IMPORT.matcher(java);
            while (m.find()) {
                imported.add(m.group(1));
            }
        }
        List<String> tried = new ArrayList<>(PREDICTING);
        tried.addAll(TRAINING);
        assertWithMessage("types that generated code imports, each a name to try for a network")
                .that(tried).containsAtLeastElementsIn(imported);
        return JavaSourceCompiler.compile(sources, work, List.of("-Xlint:all", "-Werror"));
    }

    private static Network build(Class<?> generated) throws Exception {
        Object builder = generated.getMethod("builder").invoke(null);
        return (Network) builder.getClass().getMethod("build").invoke(builder);
    }

    private static float[] image(int seed) {
        float[] x = new float[16];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(seed + i);
        }
        return x;
    }
}
