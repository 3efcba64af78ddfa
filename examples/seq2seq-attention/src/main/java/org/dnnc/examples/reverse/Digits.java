package org.dnnc.examples.reverse;

import java.util.Random;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.data.Dataset;

/**
 * The task: strings of 5 to 20 random digits and their reverses, as the ids {@link Reverser}
 * reads. Id 0 pads, 1 starts the decoder (BOS), 2 ends the output (EOS), and digit d is d + 3.
 *
 * @param src the digits of each string, {@link #SOURCE} ids per example, padded with 0
 * @param lengths the number of digits of each string
 * @param tgt each string reversed, then EOS, {@link #TARGET} ids per example, padded with 0
 */
record Digits(int[] src, int[] lengths, int[] tgt) {
    static final int BOS = 1;
    static final int EOS = 2;
    static final int SOURCE = 20;
    static final int TARGET = SOURCE + 1;
    static final int SHORTEST = 5;

    /** {@code count} random strings, each length in {@code [5, 20]} equally likely. */
    static Digits random(int count, long seed) {
        Random random = new Random(seed);
        String[] strings = new String[count];
        for (int i = 0; i < count; i++) {
            StringBuilder s = new StringBuilder();
            int length = SHORTEST + random.nextInt(SOURCE - SHORTEST + 1);
            for (int t = 0; t < length; t++) {
                s.append((char) ('0' + random.nextInt(10)));
            }
            strings[i] = s.toString();
        }
        return of(strings);
    }

    /** The given strings of 1 to 20 digits. */
    static Digits of(String... strings) {
        int[] src = new int[strings.length * SOURCE];
        int[] lengths = new int[strings.length];
        int[] tgt = new int[strings.length * TARGET];
        for (int i = 0; i < strings.length; i++) {
            String s = strings[i];
            if (s.isEmpty() || s.length() > SOURCE || !s.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("`" + s + "` is not a string of 1 to " + SOURCE + " digits");
            }
            lengths[i] = s.length();
            for (int t = 0; t < s.length(); t++) {
                src[i * SOURCE + t] = s.charAt(t) - '0' + 3;
                tgt[i * TARGET + t] = s.charAt(s.length() - 1 - t) - '0' + 3;
            }
            tgt[i * TARGET + s.length()] = EOS;
        }
        return new Digits(src, lengths, tgt);
    }

    int count() {
        return lengths.length;
    }

    /** The columns {@code src}, {@code length} and {@code tgt} for training. */
    Dataset dataset() {
        return Dataset.builder().ints("src", src, SOURCE).ints("length", lengths).ints("tgt", tgt, TARGET).build();
    }

    /** What decoding reads: every input but the target. */
    Inputs sources() {
        return Inputs.of("src", src).and("length", lengths);
    }

    /** Example {@code i}'s digits, read from {@code ids} of {@code width} per example up to EOS (or the end). */
    static String text(int[] ids, int i, int width) {
        StringBuilder s = new StringBuilder();
        for (int t = 0; t < width; t++) {
            int id = ids[i * width + t];
            if (id == EOS || id == 0) {
                break;
            }
            s.append(id >= 3 ? (char) ('0' + id - 3) : '?');
        }
        return s.toString();
    }
}
