package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.IntStream;
import org.dnnc.compiler.testing.RepoPaths;
import org.dnnc.runtime.data.Dataset;
import org.dnnc.runtime.data.FashionMnist;
import org.dnnc.runtime.data.Standardization;
import org.dnnc.runtime.train.Evaluation;
import org.dnnc.runtime.train.TrainableNetwork;
import org.dnnc.runtime.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transfer learning end to end on the shipped Fashion-MNIST subset. A base network (a body with
 * batch norm, and a head) is trained on the first 4,000 training images and saved. A new network
 * with the same body and a new head starts from that file ({@code load_weights}, not strict: the
 * new head is not in it), freezes the body ({@code freeze(body)}) and trains on 256 other images;
 * a network of the same shape trained from scratch gets the same images, steps and seed. On the
 * 2,000 test images the fine-tuned head must beat the scratch network by at least 5 points
 * (measured on one thread: 0.8245 against 0.6955), its body's parameters and batch-norm running
 * statistics must be the loaded ones bit for bit after training, and its head must have moved.
 */
class GeneratedFineTuneTest {
    private static final String BASE = """
            package org.dnnc.test;

            network Base {
                input image: float[1, 28, 28];
                input label: int;
                body = image -> flatten -> dense(64) -> batchnorm -> relu;
                logits = body -> dense(10);
                output probs = softmax(logits);
                train {
                    loss      = cross_entropy(logits, label);
                    optimizer = adam(lr: 1e-3);
                    batch     = 32;
                    epochs    = 2;
                }
            }
            """;
    /** The new head is {@code scores}, so its parameters are not in the base's file. */
    private static final String HEAD = """
            package org.dnnc.test;

            network Head {
                input image: float[1, 28, 28];
                input label: int;
                body = image -> flatten -> dense(64) -> batchnorm -> relu;
                scores = body -> dense(10);
                output probs = softmax(scores);
                train {
                    loss      = cross_entropy(scores, label);
                    optimizer = adam(lr: 1e-2);
                    batch     = 32;
                    epochs    = 2;
                    %s
                }
            }
            """;
    /** body.dense1 (784*64 + 64) and body.batchnorm1 (4 * 64) come first in both networks. */
    private static final int BODY = 784 * 64 + 64 + 4 * 64;

    @TempDir
    static Path work;

    private static Dataset pretraining;
    private static Dataset fineTuning;
    private static Dataset test;

    @BeforeAll
    static void data() throws Exception {
        FashionMnist mnist = FashionMnist.load(Optional.of(RepoPaths.root().resolve("data/fashion-mnist-subset")));
        Standardization standardize = Standardization.global(mnist.train());
        Dataset train = standardize.apply(mnist.train());
        pretraining = train.head(4000);
        fineTuning = train.subset(IntStream.range(4000, 4256).toArray());
        test = standardize.apply(mnist.test());
    }

    @Test
    void aFrozenPretrainedBodyWithANewHeadBeatsTrainingFromScratch() throws Exception {
        Path checkpoint = work.resolve("base.safetensors");
        float[] saved;
        try (TrainableNetwork base = StepNetworks.build(BASE, work.resolve("base"))) {
            trainer(base).fit(base, pretraining);
            base.getClass().getMethod("save", Path.class).invoke(base, checkpoint);
            saved = StepNetworks.parameters(base);
        }
        String transfer = "load_weights(\"" + checkpoint + "\", strict: false);\n        freeze(body);";
        double tunedAccuracy;
        try (TrainableNetwork tuned = StepNetworks.build(String.format(HEAD, transfer), work.resolve("tuned"))) {
            float[] loaded = StepNetworks.parameters(tuned);
            assertThat(Arrays.copyOf(loaded, BODY)).isEqualTo(Arrays.copyOf(saved, BODY));
            Trainer trainer = trainer(tuned);
            trainer.fit(tuned, fineTuning);
            float[] trained = StepNetworks.parameters(tuned);
            // The body, its batch-norm running statistics included, is exactly what was loaded.
            assertThat(Arrays.copyOf(trained, BODY)).isEqualTo(Arrays.copyOf(loaded, BODY));
            assertThat(Arrays.copyOfRange(trained, BODY, trained.length))
                    .isNotEqualTo(Arrays.copyOfRange(loaded, BODY, loaded.length));
            assertThat(tuned.steps()).isEqualTo(16); // 2 epochs of 256 / 32
            tunedAccuracy = trainer.evaluate(tuned, test).accuracy();
        }
        Evaluation scratch;
        try (TrainableNetwork fresh = StepNetworks.build(String.format(HEAD, ""), work.resolve("scratch"))) {
            Trainer trainer = trainer(fresh);
            trainer.fit(fresh, fineTuning);
            assertThat(fresh.steps()).isEqualTo(16);
            scratch = trainer.evaluate(fresh, test);
        }
        assertWithMessage("fine-tuned %s, from scratch %s", tunedAccuracy, scratch.accuracy())
                .that(tunedAccuracy).isAtLeast(scratch.accuracy() + 0.05);
    }

    /** The generated {@code trainer()}: the train section's settings, with no progress output. */
    private static Trainer trainer(TrainableNetwork net) throws Exception {
        return ((Trainer.Builder) net.getClass().getMethod("trainer").invoke(null)).build();
    }
}
