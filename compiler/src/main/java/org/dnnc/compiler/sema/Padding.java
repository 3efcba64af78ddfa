package org.dnnc.compiler.sema;

/** A padding argument: {@code same}, {@code valid}, or explicit sizes. */
public sealed interface Padding {
    record Same() implements Padding {
        @Override
        public String toString() {
            return "same";
        }
    }

    record Valid() implements Padding {
        @Override
        public String toString() {
            return "valid";
        }
    }

    record Explicit(int height, int width) implements Padding {
        @Override
        public String toString() {
            return height == width ? Integer.toString(height) : "[" + height + ", " + width + "]";
        }
    }
}
