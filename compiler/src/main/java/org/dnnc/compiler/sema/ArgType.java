package org.dnnc.compiler.sema;

import java.util.List;

/** The type of a layer or option argument; {@link ArgBinder} converts expressions to it. */
public sealed interface ArgType {

    /** Words for messages and docs: "an integer ≥ 1". */
    String describe();

    record IntArg(long min, long max) implements ArgType {
        @Override
        public String describe() {
            if (max >= Integer.MAX_VALUE) {
                if (min <= Integer.MIN_VALUE) {
                    return "an integer";
                }
                return min == 1 ? "a positive integer" : min == 0 ? "a non-negative integer" : "an integer >= " + min;
            }
            return "an integer from " + min + " to " + max;
        }
    }

    record RealArg(double min, double max, boolean minExclusive, boolean maxExclusive) implements ArgType {
        @Override
        public String describe() {
            if (min == Double.NEGATIVE_INFINITY && max == Double.POSITIVE_INFINITY) {
                return "a number";
            }
            if (max == Double.POSITIVE_INFINITY) {
                return "a number " + (minExclusive ? "> " : ">= ") + fmt(min);
            }
            return "a number in " + (minExclusive ? "(" : "[") + fmt(min) + ", " + fmt(max) + (maxExclusive ? ")" : "]");
        }

        private static String fmt(double d) {
            return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
        }
    }

    record BoolArg() implements ArgType {
        @Override
        public String describe() {
            return "`true` or `false`";
        }
    }

    record StrArg() implements ArgType {
        @Override
        public String describe() {
            return "a string";
        }
    }

    /** One of a fixed set of names, written bare: {@code monitor: val_loss}. */
    record EnumArg(List<String> values) implements ArgType {
        @Override
        public String describe() {
            return "one of " + String.join(", ", values.stream().map(v -> "`" + v + "`").toList());
        }
    }

    /** An integer >= min, or a pair {@code [height, width]}. */
    record PairArg(long min) implements ArgType {
        @Override
        public String describe() {
            return "an integer >= " + min + " or a pair [h, w]";
        }
    }

    /** A list of integers >= min: {@code [1, 28, 28]}. */
    record IntListArg(long min) implements ArgType {
        @Override
        public String describe() {
            return "a list of integers >= " + min;
        }
    }

    /** A scalar loss computed from the network's values: {@code cross_entropy(logits, label)}. */
    record LossArg() implements ArgType {
        @Override
        public String describe() {
            return "a loss expression";
        }
    }

    /** {@code same}, {@code valid}, an integer, or a pair {@code [h, w]}. */
    record PaddingArg() implements ArgType {
        @Override
        public String describe() {
            return "`same`, `valid`, an integer or a pair [h, w]";
        }
    }

    /** A count with a unit: {@code 5 epochs}, {@code 1000 steps}. */
    record DurationArg(List<String> units) implements ArgType {
        @Override
        public String describe() {
            return "a count with a unit (" + String.join(" or ", units) + ")";
        }
    }

    /** A registry entry of one category, by name or call: {@code adam(lr: 1e-3)}. */
    record OptionArg(Category category) implements ArgType {
        @Override
        public String describe() {
            return category.withArticle();
        }
    }

    /** A layer that is not applied yet, e.g. {@code lstm(64)} given to {@code bidirectional}. */
    record LayerArg(List<String> layers) implements ArgType {
        @Override
        public String describe() {
            return "a layer (" + String.join(", ", layers) + ")";
        }
    }

    /** The name of a value defined in the network, e.g. for {@code freeze(features)}. */
    record ValueNameArg() implements ArgType {
        @Override
        public String describe() {
            return "the name of a value in the network";
        }
    }
}
