package org.dnnc.examples.topics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.dnnc.runtime.data.Dataset;
import org.dnnc.runtime.data.TextCorpus;

/**
 * The labelled corpus: the fortunes of Debian's {@code computers}, {@code politics} and {@code
 * science} files ({@code apt-get install fortunes}; the fortunes are in the public domain or quoted
 * as fair use, as the package's copyright file says), one example per fortune, labelled by file.
 * A fortune is its bytes, cut to {@value #MAX_BYTES}, padded with 0 and given its length.
 */
public final class Topics {
    private Topics() {}

    /** The topics, by label. */
    public static final List<String> NAMES = List.of("computers", "politics", "science");
    /** The longest text the network reads, as declared in FortunesTopics.dnn. */
    public static final int MAX_BYTES = 256;

    /** One fortune and its label. */
    public record Fortune(byte[] text, int topic) {}

    /** A training and a test part. */
    public record Split(Dataset train, Dataset test) {}

    /** Every fortune of the three files under {@code dir}, in file order. */
    public static List<Fortune> read(Path dir) throws IOException {
        List<Fortune> all = new ArrayList<>();
        for (int topic = 0; topic < NAMES.size(); topic++) {
            Path file = dir.resolve(NAMES.get(topic));
            if (!Files.isRegularFile(file)) {
                throw new IOException(file + " does not exist; install the corpus with `apt-get install fortunes`");
            }
            for (String fortune : Files.readString(file, StandardCharsets.UTF_8).split("(?m)^%\\R")) {
                String text = fortune.strip();
                if (!text.isEmpty()) {
                    all.add(new Fortune(text.getBytes(StandardCharsets.UTF_8), topic));
                }
            }
        }
        return all;
    }

    /** The fortunes of {@link TextCorpus#FORTUNES}, shuffled with {@code seed}, the last {@code testFraction} for testing. */
    public static Split load(Path dir, double testFraction, long seed) throws IOException {
        List<Fortune> all = read(dir);
        Collections.shuffle(all, new Random(seed));
        int test = (int) Math.round(all.size() * testFraction);
        return new Split(dataset(all.subList(0, all.size() - test)), dataset(all.subList(all.size() - test, all.size())));
    }

    /** The fortunes as the network's columns: {@code text} [256], {@code length} and the label {@code topic}. */
    public static Dataset dataset(List<Fortune> fortunes) {
        int n = fortunes.size();
        int[] text = new int[n * MAX_BYTES];
        int[] length = new int[n];
        int[] topic = new int[n];
        for (int i = 0; i < n; i++) {
            length[i] = encode(fortunes.get(i).text(), text, i * MAX_BYTES);
            topic[i] = fortunes.get(i).topic();
        }
        return Dataset.builder().ints("text", text, MAX_BYTES).ints("length", length).labels("topic", topic).build();
    }

    /** Writes the first {@value #MAX_BYTES} bytes of {@code text} at {@code at} (the rest stays 0) and returns how many. */
    public static int encode(byte[] text, int[] into, int at) {
        int n = Math.min(text.length, MAX_BYTES);
        for (int j = 0; j < n; j++) {
            into[at + j] = text[j] & 0xFF;
        }
        return n;
    }
}
