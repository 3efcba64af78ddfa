package org.dnnc.compiler.sema;

import java.util.List;
import org.dnnc.compiler.diag.Span;
import org.dnnc.compiler.ir.TensorType;

/** What an expression evaluates to during resolution. Tensors are IR values; the rest are constants. */
public sealed interface Val {

    /** Words for error messages: "an integer", "a tensor f32[N,10]". */
    String describe();

    /** An IR value with its type and the layer that produced it (named in shape errors). */
    record Tensor(int id, TensorType type, String producer, Span span) implements Val {
        @Override
        public String describe() {
            return "a tensor " + type;
        }
    }

    record Int(long value) implements Val {
        @Override
        public String describe() {
            return "an integer (" + value + ")";
        }
    }

    record Real(double value) implements Val {
        @Override
        public String describe() {
            return "a number (" + value + ")";
        }
    }

    record Bool(boolean value) implements Val {
        @Override
        public String describe() {
            return "a boolean";
        }
    }

    record Str(String value) implements Val {
        @Override
        public String describe() {
            return "a string";
        }
    }

    /** A bare name that is no value: an option such as {@code same} or {@code val_loss}, or a typo. */
    record Symbol(String name, Span span) implements Val {
        @Override
        public String describe() {
            return "the name `" + name + "`";
        }
    }

    /** A number with a unit: {@code 5 epochs}. */
    record Duration(long amount, String unit) implements Val {
        @Override
        public String describe() {
            return "a duration (" + amount + " " + unit + ")";
        }
    }

    record ListOf(List<Val> items) implements Val {
        public ListOf {
            items = List.copyOf(items);
        }

        @Override
        public String describe() {
            return "a list";
        }
    }

    /** A layer not yet applied to a tensor, e.g. {@code enc = dense(128)}; applying it twice shares weights. */
    record Layer(LayerInstance instance) implements Val {
        @Override
        public String describe() {
            return "a layer (`" + instance.spec().name() + "`)";
        }
    }

    /** The result of something already reported as an error; it silences follow-on errors. */
    record Error() implements Val {
        @Override
        public String describe() {
            return "an erroneous value";
        }
    }

    Val ERROR = new Error();
}
