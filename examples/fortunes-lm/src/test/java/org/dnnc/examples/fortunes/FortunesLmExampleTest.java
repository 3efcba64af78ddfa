package org.dnnc.examples.fortunes;

import static com.google.common.truth.Truth.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.dnnc.runtime.data.Dataset;
import org.dnnc.runtime.data.TextCorpus;
import org.dnnc.runtime.train.Trainer;
import org.junit.jupiter.api.Test;

/**
 * The example as its users run it, on a small text of its own: the generated class trains on
 * next-byte windows, its loss falls, and {@link Generate} continues a prompt.
 */
class FortunesLmExampleTest {
    @Test
    void trainsOnWindowsAndContinuesAPrompt() throws Exception {
        byte[] text = "Q: Why did the chicken cross the road?\nA: To get to the other side.\n%\n".repeat(40)
                .getBytes(StandardCharsets.US_ASCII);
        Path file = Files.createTempFile("fortunes", ".txt");
        try {
            Files.write(file, text);
            Dataset train = TextCorpus.bytes(file).windows(64, "window", "next");
            try (FortunesLm net = FortunesLm.builder().threads(1).build()) {
                // 50 steps at a learning rate of 1e-2; the train section's 2e-3 is for the whole corpus.
                Trainer trainer = FortunesLm.trainer().epochs(25).learningRate(1e-2).progress(false).build();
                double before = trainer.evaluate(net, train).loss();
                trainer.fit(net, train);
                double after = trainer.evaluate(net, train).loss();
                // From ln 256 = 5.5 nats per byte, untrained, to well under half of it.
                assertThat(before).isGreaterThan(5.0);
                assertThat(after).isLessThan(2.5);
                String written = Generate.generate(net, "Q: Why", 40, 0.5, new Random(3));
                assertThat(written).startsWith("Q: Why");
                assertThat(written.length()).isAtLeast(40);
            }
        } finally {
            Files.delete(file);
        }
    }
}
