package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.dnnc.compiler.Compilation;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.train.StepResult;
import org.dnnc.runtime.train.TrainableNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The sparse embedding gradient of plain SGD against the dense path, in generated classes: the
 * same network trained with {@code sgd(lr)} (sparse: only the batch's rows are accumulated,
 * checked, clipped and updated) and with {@code momentum(lr, momentum: 0)} (dense: the whole table's
 * gradient, clip and update; its velocity is the gradient itself, so the update is the same
 * {@code p -= lr * g}) must end with the same parameters, bit for bit, after several steps whose ids
 * repeat within and across examples. The clip settings are small enough that every step clips.
 */
class SparseEmbeddingStepTest {
    private static final int STEPS = 4;
    private static final int BATCH = 3;
    private static final int TOKENS = 5;

    @TempDir
    Path work;

    @ParameterizedTest
    @ValueSource(strings = {"", "clip_norm = 0.001;", "clip_value = 0.0001;", "clip_norm = 0.01; clip_value = 0.0005;"})
    void sgdOnTheBatchsRowsEqualsTheDenseUpdateBitForBit(String clipping) throws Exception {
        String network = "ids -> embedding(vocab: 20, dim: 4) -> lstm(5) -> dense(3)";
        Training sparse = train("sgd(lr: 0.5)", clipping, network, 20, false);
        Training dense = train("momentum(lr: 0.5, momentum: 0.0)", clipping, network, 20, false);
        assertThat(sparse.source).contains("Embedding.backwardRows(");
        assertThat(sparse.source).contains("Optimizers.sgdRows(");
        assertThat(dense.source).doesNotContain("backwardRows");
        assertThat(dense.source).contains("Embedding.backward(");

        assertThat(bits(sparse.after)).isEqualTo(bits(dense.after));
        assertThat(bits(sparse.after)).isNotEqualTo(bits(sparse.before));
        // The table is the first parameter; its rows 15..19 are in no batch: the sparse step never wrote them.
        for (int i = 15 * 4; i < 20 * 4; i++) {
            assertThat(Float.floatToRawIntBits(sparse.after[i])).isEqualTo(Float.floatToRawIntBits(sparse.before[i]));
        }
    }

    /**
     * A table of 50,000 rows of which a step's ids pick a handful: every row that no batch picked is
     * untouched bit for bit, the picked ones moved, and the whole table equals the dense update's.
     */
    @Test
    void aLargeTableKeepsEveryRowOutsideTheBatchesBitForBit() throws Exception {
        int vocab = 50_000;
        String network = "ids -> embedding(vocab: 50000, dim: 2) -> flatten -> dense(3)";
        Training sparse = train("sgd(lr: 0.5)", "clip_norm = 0.01;", network, vocab, false);
        Training dense = train("momentum(lr: 0.5, momentum: 0.0)", "clip_norm = 0.01;", network, vocab, false);
        assertThat(bits(sparse.after)).isEqualTo(bits(dense.after));
        // Letting non-finite gradients through makes the gradient dense again before clip_norm (whose
        // NaN factor would reach every row): with finite ones, the same table too.
        Training expanded = train("sgd(lr: 0.5)", "clip_norm = 0.01;", network, vocab, true);
        assertThat(bits(expanded.after)).isEqualTo(bits(dense.after));
        // The table is the first parameter, row by row.
        boolean[] picked = new boolean[vocab];
        for (int[] ids : sparse.batches) {
            for (int id : ids) {
                picked[id] = true;
            }
        }
        int moved = 0;
        for (int row = 0; row < vocab; row++) {
            boolean same = true;
            for (int j = 0; j < 2; j++) {
                same &= Float.floatToRawIntBits(sparse.after[row * 2 + j])
                        == Float.floatToRawIntBits(sparse.before[row * 2 + j]);
            }
            if (!picked[row]) {
                assertThat(same).isTrue();
            } else if (!same) {
                moved++;
            }
        }
        assertThat(moved).isGreaterThan(0);
    }

    private record Training(String source, float[] before, float[] after, List<int[]> batches) {}

    /**
     * Trains a network of {@code network} (from the input {@code ids}) with {@code optimizer} for
     * {@link #STEPS} steps from the same seeded parameters, on ids from the first 15 rows only
     * (of a table of {@code vocab}) that repeat within each batch; with {@code throughNonFinite}, the
     * class is told to update on non-finite losses and gradients.
     */
    private Training train(String optimizer, String clipping, String network, int vocab, boolean throughNonFinite)
            throws Exception {
        String text = """
                network Bag {
                    input ids: int[%d];
                    input label: int;
                    logits = %s;
                    output scores = logits;
                    train { loss = cross_entropy(logits, label); optimizer = %s; batch = %d; %s }
                }
                """.formatted(TOKENS, network, optimizer, BATCH, clipping);
        SourceFile source = new SourceFile("Bag.dnn", text);
        Compilation c = Compiler.compile(source);
        assertThat(c.hasErrors()).isFalse();
        String java = JavaGenerator.generate(c.networks().get(0), source).toString();
        Class<?> type = JavaSourceCompiler.compile(c.networks().get(0).qualifiedName(), java,
                work.resolve(optimizer.substring(0, 3) + Math.abs(clipping.hashCode()) + vocab + throughNonFinite),
                List.of("-Xlint:all", "-Werror"));
        Object builder = type.getMethod("builder").invoke(null);
        try (TrainableNetwork net = (TrainableNetwork) builder.getClass().getMethod("build").invoke(builder)) {
            float[] before = new float[net.parameterCount()];
            SplittableRandom random = new SplittableRandom(7);
            for (int i = 0; i < before.length; i++) {
                before[i] = (float) (random.nextDouble() - 0.5);
            }
            net.copyParametersFrom(before);
            net.updateOnNonFiniteLoss(throughNonFinite);
            List<int[]> batches = new java.util.ArrayList<>();
            for (int s = 0; s < STEPS; s++) {
                int[] ids = new int[BATCH * TOKENS];
                for (int i = 0; i < ids.length; i++) {
                    // Few distinct ids a step: most occur several times.
                    ids[i] = (s * 3 + random.nextInt(6)) % 15;
                }
                int[] labels = new int[BATCH];
                for (int i = 0; i < BATCH; i++) {
                    labels[i] = random.nextInt(3);
                }
                batches.add(ids);
                StepResult step = net.trainStep(Inputs.of("ids", ids).and("label", labels), BATCH, 0.5);
                assertThat(step.finite()).isTrue();
            }
            float[] after = new float[net.parameterCount()];
            net.copyParametersTo(after);
            return new Training(java, before, after, batches);
        }
    }

    private static int[] bits(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        return bits;
    }
}
