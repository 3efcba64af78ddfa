package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.Outputs;
import org.dnnc.runtime.train.TrainableNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An output that no loss reads still has its own parameters: evaluation and inference compute it
 * with them (they were left out when only the training program's parameters were kept).
 */
class GeneratedSideOutputTest {
    private static final String SOURCE = """
            package org.dnnc.test;

            network Heads {
                input x: float[4];
                input label: int;
                hidden = x -> dense(8) -> relu;
                logits = hidden -> dense(3);
                output side = hidden -> dense(2);
                output probs = softmax(logits);
                train { loss = cross_entropy(logits, label); }
            }
            """;

    @TempDir
    Path work;

    @Test
    void anOutputOutsideTheLossKeepsItsParameters() throws Exception {
        Path file = Files.writeString(work.resolve("Heads.dnn"), SOURCE);
        SourceFile source = SourceFile.read(file);
        NetworkModel model = Compiler.compile(source).networks().get(0);
        Class<?> generated = JavaSourceCompiler.compile(model.qualifiedName(),
                JavaGenerator.generate(model, source).toString(), work.resolve("classes"), List.of("-Xlint:all", "-Werror"));
        Object builder = generated.getMethod("builder").invoke(null);
        try (TrainableNetwork net = (TrainableNetwork) builder.getClass().getMethod("build").invoke(builder)) {
            // 4·8 + 8, 8·3 + 3 and the side head's 8·2 + 2.
            int count = (int) generated.getMethod("parameterCount").invoke(net);
            assertThat(count).isEqualTo(85);
            float[] all = new float[count];
            Arrays.fill(all, 0.1f);
            generated.getMethod("copyParametersFrom", float[].class).invoke(net, (Object) all);
            // hidden = relu(0.1 · 4 + 0.1) = 0.5 per unit; side = 0.1 · 8 · 0.5 + 0.1.
            Outputs out = net.predict(Inputs.of("x", new float[] {1, 1, 1, 1}));
            assertThat(out.get("side")[0]).isWithin(1e-6f).of(0.5f);
            assertThat(out.get("side")[1]).isWithin(1e-6f).of(0.5f);
        }
    }
}
