package org.dnnc.examples.reverse;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Reverses the digit strings given on the command line with the parameters {@link Train} saved,
 * printing each one's attention weights as a grid.
 *
 * <pre>java -cp ... org.dnnc.examples.reverse.Translate MODEL_DIR DIGITS...</pre>
 */
public final class Translate {
    private Translate() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: Translate MODEL_DIR DIGITS...");
            System.exit(2);
        }
        try (Reverser net = Reverser.builder().build()) {
            net.load(Path.of(args[0]).resolve("reverser.safetensors"));
            for (int i = 1; i < args.length; i++) {
                System.out.print(reverse(net, args[i]));
            }
        }
    }

    /** The reverse of {@code digits} as {@code net} decodes it, and the grid of where each output digit looked. */
    static String reverse(Reverser net, String digits) {
        Digits input = Digits.of(digits);
        int[] decoded = net.generate(input.sources(), Digits.EOS);
        float[] weights = net.predict(input.sources().and("tgt", decoded)).get("weights");
        String output = Digits.text(decoded, 0, Digits.TARGET);
        return digits + " -> " + output + "\n" + AttentionGrid.of(weights, 0, digits, output);
    }
}
