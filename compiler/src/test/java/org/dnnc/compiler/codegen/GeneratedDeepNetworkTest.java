package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.testing.DeepChains;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.Outputs;
import org.dnnc.runtime.train.StepResult;
import org.dnnc.runtime.train.TrainableNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Networks deeper than one Java method holds: their steps are split into helper methods, a class of
 * many views keeps them in arrays, and the classes compile with javac, train and save like any other.
 */
class GeneratedDeepNetworkTest {
    private static final int LAYERS = 2_000;

    @TempDir
    Path work;

    /** Too long for one method, but few enough views for named fields, which the constructor assigns. */
    @Test
    void aHundredLayerClassKeepsNamedFieldsAndSplitsItsSteps() throws Exception {
        SourceFile source = DeepChains.source(100);
        NetworkModel model = DeepChains.model(100);
        String code = JavaGenerator.generate(model, source).toString();
        assertThat(code).contains("private int trainStep$2(int n, int correct)");
        assertThat(code).contains("private final Buf t5_logits_dense1;");
        assertThat(code).doesNotContain("Buf[] t$");
        Class<?> generated = JavaSourceCompiler.compile(model.qualifiedName(), code, work.resolve("classes"),
                List.of("-Xlint:all", "-Werror"));
        Object builder = generated.getMethod("builder").invoke(null);
        try (TrainableNetwork net = (TrainableNetwork) builder.getClass().getMethod("build").invoke(builder)) {
            assertThat(net.trainStep(batch(), 8, 0.01).lossSum()).isGreaterThan(0.0);
        }
    }

    @Test
    void twoThousandDenseLayersCompileAndTrainOneStep() throws Exception {
        SourceFile source = DeepChains.source(LAYERS);
        NetworkModel model = DeepChains.model(LAYERS);
        String code = DeepChains.onSmallStack(() -> JavaGenerator.generate(model, source).toString());
        assertThat(code).contains("private int trainStep$2(int n, int correct)");
        assertThat(code).contains("private final Buf[] t$ = new Buf[");
        Class<?> generated = JavaSourceCompiler.compile(model.qualifiedName(), code, work.resolve("classes"),
                List.of("-Xlint:all", "-Werror"));

        Object builder = generated.getMethod("builder").invoke(null);
        try (TrainableNetwork net = (TrainableNetwork) builder.getClass().getMethod("build").invoke(builder)) {
            assertThat(net.parameterCount()).isEqualTo(LAYERS * 20);
            float[] before = new float[net.parameterCount()];
            net.copyParametersTo(before);
            StepResult step = net.trainStep(batch(), 8, 0.01);
            assertThat(Double.isFinite(step.lossSum())).isTrue();
            assertThat(net.steps()).isEqualTo(1);
            float[] after = new float[net.parameterCount()];
            net.copyParametersTo(after);
            // Through 2,000 linear layers the input's signal fades, but the last layer's bias gets the
            // loss's gradient itself: predicted minus actual class frequencies, and class 3 has none.
            int lastLayer = (LAYERS - 1) * 20;
            boolean changed = false;
            for (int i = lastLayer; i < after.length; i++) {
                changed |= after[i] != before[i];
            }
            assertThat(changed).isTrue();
            Outputs out = net.predict(Inputs.of("x", features()));
            assertThat(out.get("probs")).hasLength(8 * 4);
            Path checkpoint = work.resolve("deep.safetensors");
            generated.getMethod("save", Path.class).invoke(net, checkpoint);
            generated.getMethod("load", Path.class).invoke(net, checkpoint);
            float[] loaded = new float[net.parameterCount()];
            net.copyParametersTo(loaded);
            assertThat(loaded).isEqualTo(after);
        }
    }

    /** Eight examples of the features, with classes 0 to 2 and none of class 3. */
    private static Inputs batch() {
        int[] label = new int[8];
        for (int i = 0; i < 8; i++) {
            label[i] = i % 3;
        }
        return Inputs.of("x", features()).and("label", label);
    }

    /** Eight examples of four features, each a one-hot vector. */
    private static float[] features() {
        float[] x = new float[8 * 4];
        for (int i = 0; i < 8; i++) {
            x[i * 4 + i % 4] = 1;
        }
        return x;
    }
}
