package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertWithMessage;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.dnnc.compiler.Compilation;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.runtime.train.TrainableNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each parameter's initial values come from a stream of their own: no weight of a generated network
 * repeats another's draws. Streams seeded {@code seed ^ (index * gamma)} did, for every seed: with
 * seed 0 the second weight was the first's sequence two draws on, with seed 3 the third the first's
 * four draws on. Three dense layers, all drawn from the same {@code uniform(scale: 1)} so that equal
 * draws give equal values; a weight must not contain any two consecutive values of another, which
 * chance alone (24-bit floats, a few hundred values) all but never gives.
 */
class GeneratedInitStreamsTest {
    private static final String NET = """
            package org.dnnc.test;

            network Streams {
                input x: float[8];
                input label: int;
                logits = x -> dense(16) -> relu -> dense(16) -> relu -> dense(8);
                output probs = softmax(logits);
                train {
                    loss = cross_entropy(logits, label);
                    init = uniform(scale: 1.0);
                }
            }
            """;
    /** Offsets and sizes of the weights in the flat parameters: w1 [16, 8], b1, w2 [16, 16], b2, w3 [8, 16], b3. */
    private static final int[][] WEIGHTS = {{0, 128}, {144, 256}, {416, 128}};

    @TempDir
    Path work;

    @Test
    void noWeightRepeatsAnotherWeightsDraws() throws Exception {
        Compilation c = Compiler.compile(new SourceFile(work.resolve("Net.dnn").toString(), NET));
        assertWithMessage("%s", c.diagnostics()).that(c.hasErrors()).isFalse();
        NetworkModel model = c.networks().get(0);
        Class<?> generated = JavaSourceCompiler.compile(model.qualifiedName(),
                JavaGenerator.generate(model, c.source()).toString(), work, List.of());
        for (long seed = 0; seed < 8; seed++) {
            Object builder = generated.getMethod("builder").invoke(null);
            builder.getClass().getMethod("seed", long.class).invoke(builder, seed);
            float[] p;
            try (TrainableNetwork net = (TrainableNetwork) builder.getClass().getMethod("build").invoke(builder)) {
                assertWithMessage("parameter count").that(net.parameterCount()).isEqualTo(552);
                p = StepNetworks.parameters(net);
            }
            // The layout the offsets assume: each weight followed by its zero bias.
            for (int[] bias : new int[][] {{128, 16}, {400, 16}, {544, 8}}) {
                assertWithMessage("bias at %s", bias[0]).that(Arrays.copyOfRange(p, bias[0], bias[0] + bias[1]))
                        .isEqualTo(new float[bias[1]]);
            }
            for (int a = 0; a < WEIGHTS.length; a++) {
                for (int b = a + 1; b < WEIGHTS.length; b++) {
                    Set<List<Float>> pairs = consecutivePairs(p, WEIGHTS[a]);
                    pairs.retainAll(consecutivePairs(p, WEIGHTS[b]));
                    assertWithMessage("seed %s: pairs of draws that weights %s and %s share", seed, a + 1, b + 1)
                            .that(pairs.size()).isEqualTo(0);
                }
            }
        }
    }

    private static Set<List<Float>> consecutivePairs(float[] p, int[] weight) {
        float[] w = Arrays.copyOfRange(p, weight[0], weight[0] + weight[1]);
        Set<List<Float>> pairs = new HashSet<>();
        for (int i = 0; i + 1 < w.length; i++) {
            pairs.add(List.of(w[i], w[i + 1]));
        }
        return pairs;
    }
}
