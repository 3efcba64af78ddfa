package org.dnnc.examples.topics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.Outputs;

/**
 * Says which topic each sentence on the command line reads like, with a model saved by {@link
 * Train}, and which bytes the attention weighed most.
 *
 * <pre>java -cp ... org.dnnc.examples.topics.Classify MODEL_DIR SENTENCE...</pre>
 */
public final class Classify {
    private Classify() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: Classify MODEL_DIR SENTENCE...");
            System.exit(2);
        }
        try (FortunesTopics net = FortunesTopics.builder().threads(1).build()) {
            net.load(Path.of(args[0]).resolve("fortunes-topics.safetensors"));
            for (int i = 1; i < args.length; i++) {
                System.out.println(describe(net, args[i]));
            }
        }
    }

    /** The topics' probabilities for {@code sentence}, and the stretch of it the attention weighed most. */
    static String describe(FortunesTopics net, String sentence) {
        byte[] bytes = sentence.getBytes(StandardCharsets.UTF_8);
        int[] text = new int[Topics.MAX_BYTES];
        int length = Topics.encode(bytes, text, 0);
        Outputs out = net.predict(Inputs.of("text", text).and("length", new int[] {length}));
        float[] probs = out.example("probs", 0);
        float[] weights = out.example("weights", 0);
        StringBuilder line = new StringBuilder(sentence).append(" ->");
        for (int t = 0; t < probs.length; t++) {
            line.append(String.format(Locale.ROOT, "%s %s %.1f%%", t == 0 ? "" : ",", Topics.NAMES.get(t), 100 * probs[t]));
        }
        int peak = 0;
        for (int j = 1; j < length; j++) {
            if (weights[j] > weights[peak]) {
                peak = j;
            }
        }
        int from = Math.max(0, peak - 6);
        int to = Math.min(length, peak + 7);
        return line.append(String.format(Locale.ROOT, "; attention peaks at \"%s\"",
                new String(bytes, from, to - from, StandardCharsets.UTF_8))).toString();
    }
}
