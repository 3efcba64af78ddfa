package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.autodiff.Inference;
import org.dnnc.compiler.autodiff.Interpreter;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Param;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.runtime.Network;
import org.dnnc.runtime.io.SaveOptions;
import org.dnnc.runtime.train.TrainableNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A network without a train section generates a class that is only run: it implements {@link
 * Network} but not {@link TrainableNetwork}, has no training step or optimizer state, predicts what
 * the reference interpreter computes from its parameters, and saves and loads them.
 */
class GeneratedInferenceOnlyTest {
    private static final String SOURCE = """
            package org.dnnc.test;

            network Scorer {
                input x: float[6];
                h = x -> dense(5) -> relu -> dense(3);
                output probs = softmax(h);
            }
            """;
    private static final int BATCH = 3;

    @TempDir
    Path work;

    @Test
    void predictsLoadsAndHasNoTrainingStep() throws Exception {
        Path file = work.resolve("Scorer.dnn");
        Files.writeString(file, SOURCE);
        SourceFile source = SourceFile.read(file);
        NetworkModel model = Compiler.compile(source).networks().get(0);
        assertThat(model.train().declared()).isFalse();
        String java = JavaGenerator.generate(model, source).toString();
        assertThat(java).doesNotContain("trainStep");
        assertThat(java).doesNotContain("Optimizers");
        Class<?> generated = JavaSourceCompiler.compile(model.qualifiedName(), java, work.resolve("classes"),
                List.of("-Xlint:all", "-Werror"));
        assertThat(Network.class.isAssignableFrom(generated)).isTrue();
        assertThat(TrainableNetwork.class.isAssignableFrom(generated)).isFalse();

        float[] x = new float[BATCH * 6];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i * 0.7) * 2;
        }
        Graph infer = Inference.of(model.graph()).graph();
        Path saved = work.resolve("scorer.safetensors");
        float[] predicted = new float[BATCH * 3];
        float[] parameters;
        try (Network net = build(generated, 5)) {
            parameters = new float[net.parameterCount()];
            net.copyParametersTo(parameters);
            generated.getMethod("predict", float[].class, int.class, float[].class).invoke(net, x, BATCH, predicted);
            generated.getMethod("save", Path.class).invoke(net, saved);
            InvocationTargetException refused = assertThrows(InvocationTargetException.class, () -> generated
                    .getMethod("save", Path.class, SaveOptions.class).invoke(net, saved, SaveOptions.withTrainingState()));
            assertThat(refused.getCause()).hasMessageThat()
                    .isEqualTo("Scorer has no train section, so no training state to save");
        }
        Map<String, double[]> values = new HashMap<>();
        int offset = 0;
        for (Node p : model.graph().params()) {
            int count = p.type().dims().stream().mapToInt(d -> d.bound()).reduce(1, (a, b) -> a * b);
            values.put(((Param) p.op()).name(), toDouble(Arrays.copyOfRange(parameters, offset, offset + count)));
            offset += count;
        }
        assertThat(offset).isEqualTo(parameters.length);
        values.put("x", toDouble(x));
        double[] expected = new Interpreter(BATCH, values, 0).run(infer).get(infer.outputs().get("probs"));
        for (int i = 0; i < expected.length; i++) {
            assertWithMessage("probs[%s]", i).that((double) predicted[i]).isWithin(1e-5).of(expected[i]);
        }

        try (Network other = build(generated, 99)) {
            float[] again = new float[predicted.length];
            generated.getMethod("predict", float[].class, int.class, float[].class).invoke(other, x, BATCH, again);
            assertWithMessage("another seed predicts otherwise").that(again).isNotEqualTo(predicted);
            generated.getMethod("load", Path.class).invoke(other, saved);
            generated.getMethod("predict", float[].class, int.class, float[].class).invoke(other, x, BATCH, again);
            assertWithMessage("after loading the saved weights").that(again).isEqualTo(predicted);
        }
    }

    private static Network build(Class<?> generated, long seed) throws Exception {
        Object builder = generated.getMethod("builder").invoke(null);
        builder.getClass().getMethod("seed", long.class).invoke(builder, seed);
        return (Network) builder.getClass().getMethod("build").invoke(builder);
    }

    private static double[] toDouble(float[] values) {
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = values[i];
        }
        return d;
    }
}
