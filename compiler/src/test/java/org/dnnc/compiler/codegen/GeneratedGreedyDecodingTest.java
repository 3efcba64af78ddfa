package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.train.TrainableNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code generate(sources, end, maxLength)} of an encoder–decoder: every token it returns is the
 * most likely one at its step when the network is fed its own output as the target (so each step
 * saw exactly the tokens before it), an example stops at its end token with zeros after it, and at
 * most {@code maxLength} tokens are decoded.
 */
class GeneratedGreedyDecodingTest {
    private static final int STEPS = 5;
    private static final int VOCAB = 6;
    private static final String SOURCE = """
            package org.dnnc.test;

            network Reverser {
                input src: int[4];
                input tgt: int[5];
                states = src -> embedding(vocab: 6, dim: 4) -> gru(5, return_sequences: true);
                dec = tgt -> shift_right(fill: 1) -> embedding(vocab: 6, dim: 4)
                          -> attention_decoder(states, states -> last, gru(5), units: 4);
                output logits = dec -> dense(6);
                output weights = attention_weights(dec);
                train { loss = cross_entropy(logits, tgt, ignore: 0); }
            }
            """;

    @TempDir
    Path work;

    @Test
    void eachTokenIsTheMostLikelyAfterThoseBeforeIt() throws Exception {
        Path file = work.resolve("Reverser.dnn");
        Files.writeString(file, SOURCE);
        SourceFile source = SourceFile.read(file);
        NetworkModel model = Compiler.compile(source).networks().get(0);
        Class<?> generated = JavaSourceCompiler.compile(model.qualifiedName(),
                JavaGenerator.generate(model, source).toString(), work.resolve("classes"), List.of("-Xlint:all", "-Werror"));
        Method generate = generated.getMethod("generate", Inputs.class, int.class, int.class);
        int[] src = {2, 3, 4, 5, 5, 4, 3, 2, 1, 1, 2, 2};
        Object builder = generated.getMethod("builder").invoke(null);
        try (TrainableNetwork net = (TrainableNetwork) builder.getClass().getMethod("build").invoke(builder)) {
            int[] free = (int[]) generate.invoke(net, Inputs.of("src", src), -1, STEPS);
            // With an end token that never comes, every example runs the whole length.
            float[] logits = net.predict(Inputs.of("src", src).and("tgt", free)).get("logits");
            for (int b = 0; b < 3; b++) {
                for (int t = 0; t < STEPS; t++) {
                    int row = (b * STEPS + t) * VOCAB;
                    int best = 0;
                    for (int c = 1; c < VOCAB; c++) {
                        best = logits[row + c] > logits[row + best] ? c : best;
                    }
                    assertWithMessage("example %s step %s", b, t).that(free[b * STEPS + t]).isEqualTo(best);
                }
            }
            // Ending at example 0's second token: it stops there, the others where they meet it or at 3 steps.
            int end = free[1];
            int[] ended = (int[]) generate.invoke(net, Inputs.of("src", src), end, 3);
            for (int b = 0; b < 3; b++) {
                boolean over = false;
                for (int t = 0; t < STEPS; t++) {
                    int expected = over || t >= 3 ? 0 : free[b * STEPS + t];
                    assertWithMessage("example %s step %s", b, t).that(ended[b * STEPS + t]).isEqualTo(expected);
                    over |= expected == end;
                }
            }
            assertThat(ended[2]).isEqualTo(0);
            InvocationTargetException tooLong = assertThrows(InvocationTargetException.class,
                    () -> generate.invoke(net, Inputs.of("src", src), 2, STEPS + 1));
            assertThat(tooLong).hasCauseThat().hasMessageThat()
                    .isEqualTo("a maximum length of 6 is outside [1, 5], the target's length");
        }
    }
}
