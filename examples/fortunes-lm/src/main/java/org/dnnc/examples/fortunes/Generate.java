package org.dnnc.examples.fortunes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.Outputs;

/**
 * Writes text with a model saved by {@link Train}: starting from a prompt, it samples each next
 * byte from the network's distribution sharpened by a temperature (lower is more conservative),
 * reading the last 64 bytes as its window.
 *
 * <pre>java -cp ... org.dnnc.examples.fortunes.Generate MODEL_DIR PROMPT [BYTES] [TEMPERATURE] [SEED]</pre>
 */
public final class Generate {
    private static final int WINDOW = 64;

    private Generate() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: Generate MODEL_DIR PROMPT [BYTES] [TEMPERATURE] [SEED]");
            System.exit(2);
        }
        int bytes = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        double temperature = args.length > 3 ? Double.parseDouble(args[3]) : 0.8;
        long seed = args.length > 4 ? Long.parseLong(args[4]) : 1;
        try (FortunesLm net = FortunesLm.builder().threads(1).build()) {
            net.load(Path.of(args[0]).resolve("fortunes-lm.safetensors"));
            System.out.println(generate(net, args[1], bytes, temperature, new Random(seed)));
        }
    }

    /** The prompt followed by {@code count} sampled bytes, decoded as UTF-8. */
    static String generate(FortunesLm net, String prompt, int count, double temperature, Random random) {
        byte[] start = prompt.getBytes(StandardCharsets.UTF_8);
        byte[] text = Arrays.copyOf(start, start.length + count);
        for (int made = 0; made < count; made++) {
            int end = start.length + made;
            // The window holds the last 64 bytes; a shorter text is preceded by newlines, which
            // separate fortunes in the corpus.
            int[] window = new int[WINDOW];
            Arrays.fill(window, '\n');
            for (int i = Math.max(0, end - WINDOW); i < end; i++) {
                window[WINDOW - (end - i)] = text[i] & 0xff;
            }
            Outputs out = net.predict(Inputs.of("window", window));
            float[] logits = Arrays.copyOfRange(out.example("logits", 0), (WINDOW - 1) * 256, WINDOW * 256);
            text[end] = (byte) sample(logits, temperature, random);
        }
        return new String(text, StandardCharsets.UTF_8);
    }

    private static int sample(float[] logits, double temperature, Random random) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] weights = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            weights[i] = Math.exp((logits[i] - max) / temperature);
            sum += weights[i];
        }
        double r = random.nextDouble() * sum;
        for (int i = 0; i < weights.length; i++) {
            r -= weights[i];
            if (r <= 0) {
                return i;
            }
        }
        return weights.length - 1;
    }
}
