package org.dnnc.compiler.cli;

/** When to colour output: {@code auto} colours on a terminal unless {@code NO_COLOR} is set. */
public enum ColorMode {
    AUTO,
    ALWAYS,
    NEVER;

    /**
     * The mode given by {@code --color} on a raw command line, before picocli parses it, so that
     * even usage errors and help follow it.
     */
    static ColorMode fromArgs(String[] args) {
        ColorMode mode = AUTO;
        for (int i = 0; i < args.length; i++) {
            String value = null;
            if (args[i].startsWith("--color=")) {
                value = args[i].substring("--color=".length());
            } else if (args[i].equals("--color") && i + 1 < args.length) {
                value = args[i + 1];
            }
            if (value != null) {
                for (ColorMode m : values()) {
                    if (m.name().equalsIgnoreCase(value)) {
                        mode = m;
                    }
                }
            }
        }
        return mode;
    }
}
