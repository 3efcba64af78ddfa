package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.Outputs;
import org.dnnc.runtime.data.Column;
import org.dnnc.runtime.data.Dataset;
import org.dnnc.runtime.data.TextCorpus;
import org.dnnc.runtime.train.Evaluation;
import org.dnnc.runtime.train.StepResult;
import org.dnnc.runtime.train.TrainableNetwork;
import org.dnnc.runtime.train.TrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A label per step: logits {@code [steps, classes]} against int labels {@code [steps]}, as a
 * language model predicts the next token at every position. The loss is the mean over every
 * position of every example (PyTorch's {@code cross_entropy(logits.reshape(-1, C), y.reshape(-1))})
 * and accuracy the fraction of positions predicted.
 */
class GeneratedNextTokenTest {
    private static final String SOURCE = """
            package org.dnnc.test;

            network Bigram {
                input tokens: int[8];
                input next: int[8];
                output logits = tokens -> embedding(vocab: 256, dim: 16) -> dense(256);

                train {
                    loss      = cross_entropy(logits, next);
                    optimizer = adam(lr: 0.05);
                    batch     = 16;
                    epochs    = 30;
                }
            }
            """;
    /** Most letters have one successor, which a bigram model learns exactly. */
    private static final String TEXT = "the quick brown fox ".repeat(60);

    @TempDir
    Path work;

    @Test
    void trainsOnTextWindowsAndScoresEveryPosition() throws Exception {
        Path file = work.resolve("Bigram.dnn");
        Files.writeString(file, SOURCE);
        SourceFile source = SourceFile.read(file);
        NetworkModel model = Compiler.compile(source).networks().get(0);
        Class<?> generated = JavaSourceCompiler.compile(model.qualifiedName(),
                JavaGenerator.generate(model, source).toString(), work.resolve("classes"), List.of("-Xlint:all", "-Werror"));

        TextCorpus corpus = TextCorpus.bytes(Files.writeString(work.resolve("text.txt"), TEXT));
        TextCorpus.Split parts = corpus.split(0.8);
        Dataset train = parts.train().windows(8, "tokens", "next");
        Dataset test = parts.test().windows(8, "tokens", "next");

        Object builder = generated.getMethod("builder").invoke(null);
        try (TrainableNetwork net = (TrainableNetwork) builder.getClass().getMethod("build").invoke(builder)) {
            assertThat(net.labelsPerExample()).isEqualTo(8);
            assertThat(net.classes()).isEqualTo(256);

            // The step's loss is the mean over every position, computed here from the logits.
            int count = 5;
            Column ids = test.column("tokens");
            Column next = test.column("next");
            int[] x = values(ids, count);
            int[] y = values(next, count);
            StepResult step = net.evaluateStep(Inputs.of("tokens", x).and("next", y), count);
            Outputs out = net.predict(Inputs.of("tokens", x));
            double loss = 0;
            int correct = 0;
            for (int i = 0; i < count; i++) {
                float[] logits = out.example("logits", i);
                for (int t = 0; t < 8; t++) {
                    loss += crossEntropy(logits, t * 256, y[i * 8 + t]);
                    correct += argmax(logits, t * 256) == y[i * 8 + t] ? 1 : 0;
                }
            }
            assertWithMessage("loss per example, from the mean over positions")
                    .that(step.lossSum() / count).isWithin(1e-4).of(loss / (count * 8));
            assertThat(step.correct()).isEqualTo(correct);

            Evaluation before = (Evaluation) generated.getMethod("evaluate", Dataset.class).invoke(net, test);
            generated.getMethod("fit", Dataset.class, Dataset.class, TrainingListener[].class)
                    .invoke(net, train, null, new TrainingListener[0]);
            Evaluation after = (Evaluation) generated.getMethod("evaluate", Dataset.class).invoke(net, test);
            // 14 of the 20 letters of the period have one successor; after a space four words may
            // follow and after an `o` two letters, so at best 16 of 20 positions are right (0.8).
            assertWithMessage("held-out accuracy per position, from %s before training", before.accuracy())
                    .that(after.accuracy()).isAtLeast(0.75);
            assertThat(after.accuracy()).isAtMost(1.0);
        }
    }

    private static int[] values(Column c, int count) {
        int[] out = new int[count * c.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = c.value(i / c.size(), i % c.size()).intValue();
        }
        return out;
    }

    private static double crossEntropy(float[] logits, int from, int label) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < 256; j++) {
            max = Math.max(max, logits[from + j]);
        }
        double sum = 0;
        for (int j = 0; j < 256; j++) {
            sum += Math.exp(logits[from + j] - max);
        }
        return Math.log(sum) + max - logits[from + label];
    }

    private static int argmax(float[] logits, int from) {
        int best = 0;
        for (int j = 1; j < 256; j++) {
            best = logits[from + j] > logits[from + best] ? j : best;
        }
        return best;
    }
}
