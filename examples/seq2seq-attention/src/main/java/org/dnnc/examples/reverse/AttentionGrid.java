package org.dnnc.examples.reverse;

/** One example's attention weights as a small text grid: a row per output digit, a column per input digit. */
final class AttentionGrid {
    /** Shades from weight 0 to 1. */
    private static final String SHADES = " .:-=+*#%@";

    private AttentionGrid() {}

    /**
     * The grid of example {@code i} of {@code weights} ({@code [TARGET × SOURCE]} per example) over
     * its {@code input} digits and the {@code output} digits decoded from them (and EOS).
     */
    static String of(float[] weights, int i, String input, String output) {
        StringBuilder s = new StringBuilder("     ");
        for (char c : input.toCharArray()) {
            s.append(c).append(' ');
        }
        s.append('\n');
        for (int step = 0; step <= output.length(); step++) {
            s.append(step < output.length() ? "  " + output.charAt(step) + "  " : "EOS  ");
            for (int j = 0; j < input.length(); j++) {
                float w = weights[(i * Digits.TARGET + step) * Digits.SOURCE + j];
                int shade = Math.min(SHADES.length() - 1, Math.round(w * (SHADES.length() - 1)));
                s.append(SHADES.charAt(shade)).append(' ');
            }
            s.append('\n');
        }
        return s.toString();
    }
}
