package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.dnnc.runtime.train.TrainableNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code load_weights} makes the builder start a network from a checkpoint. A base network takes
 * a step (so its parameters are not the initial ones) and is saved; a network with the same body
 * and another head is built from that file: the body's parameters are the saved ones, the head's
 * (not in the file) its initial ones with {@code strict: false}, and with {@code strict: true} the
 * build fails, naming the missing tensor.
 */
class GeneratedStartingWeightsTest {
    private static final String BASE = """
            package org.dnnc.test;

            network Base {
                input x: float[4];
                input label: int;
                hidden = x -> dense(5) -> tanh;
                logits = hidden -> dense(3);
                output probs = softmax(logits);
                train {
                    loss      = cross_entropy(logits, label);
                    optimizer = sgd(lr: 0.5);
                    batch     = 4;
                }
            }
            """;
    private static final String HEAD = """
            package org.dnnc.test;

            network Head {
                input x: float[4];
                input label: int;
                hidden = x -> dense(5) -> tanh;
                scores = hidden -> dense(2);
                output probs = softmax(scores);
                train {
                    loss = cross_entropy(scores, label);
                    %s
                }
            }
            """;
    /** The body's weights and bias come first in the parameters of both networks. */
    private static final int BODY = 4 * 5 + 5;

    @TempDir
    Path work;

    @Test
    void theBuilderStartsFromTheFile() throws Exception {
        Path file = work.resolve("base.safetensors");
        float[] saved;
        try (TrainableNetwork base = StepNetworks.build(BASE, work.resolve("base"))) {
            float[] initial = StepNetworks.parameters(base);
            base.trainStep(StepNetworks.stepInputs(base, Map.of("x", new float[] {1, -1, 0.5f, 2, 0, 1, -2, 1,
                    0.3f, 0.2f, -0.1f, 1, 2, 2, -1, 0}, "label", new int[] {0, 1, 2, 1})), 4, 0.5);
            saved = StepNetworks.parameters(base);
            assertThat(Arrays.copyOf(saved, BODY)).isNotEqualTo(Arrays.copyOf(initial, BODY));
            base.getClass().getMethod("save", Path.class).invoke(base, file);
        }
        float[] fresh;
        try (TrainableNetwork head = StepNetworks.build(String.format(HEAD, ""), work.resolve("fresh"))) {
            fresh = StepNetworks.parameters(head);
        }
        String loose = "load_weights(\"" + file + "\", strict: false);";
        try (TrainableNetwork head = StepNetworks.build(String.format(HEAD, loose), work.resolve("loose"))) {
            float[] started = StepNetworks.parameters(head);
            assertThat(Arrays.copyOf(started, BODY)).isEqualTo(Arrays.copyOf(saved, BODY));
            assertThat(Arrays.copyOfRange(started, BODY, started.length))
                    .isEqualTo(Arrays.copyOfRange(fresh, BODY, fresh.length));
            assertThat(head.steps()).isEqualTo(0);
        }
        String strict = "load_weights(\"" + file + "\");";
        Exception e = assertThrows(Exception.class,
                () -> StepNetworks.build(String.format(HEAD, strict), work.resolve("strict")));
        Throwable cause = e.getCause();
        assertThat(cause).isInstanceOf(UncheckedIOException.class);
        assertThat(cause).hasMessageThat().contains("missing tensor `scores.dense1.weight`");
    }
}
