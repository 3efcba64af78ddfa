package org.dnnc.compiler.syntax;

import java.util.List;
import java.util.Optional;
import org.dnnc.compiler.diag.Span;

/** Expressions: values, calls, chains and arithmetic. */
public sealed interface Expr {
    Span span();

    /** A number as written, with an optional unit: {@code 64}, {@code 1e-3}, {@code 5 epochs}. */
    record Number(String text, boolean integral, Optional<Ident> unit, Span span) implements Expr {}

    record Str(String value, Span span) implements Expr {}

    record Bool(boolean value, Span span) implements Expr {}

    /** A bare identifier: a value, a parameter, a layer used without arguments, or an option symbol. */
    record Name(Ident ident, Span span) implements Expr {}

    /** {@code f(a, b, key: c)}. */
    record Call(Ident callee, List<Arg> args, Span span) implements Expr {
        public Call {
            args = List.copyOf(args);
        }
    }

    /** {@code input -> stage}: the stage (a {@link Name} or {@link Call}) applied to the input. */
    record Chain(Expr input, Expr stage, Span span) implements Expr {}

    record Binary(BinaryOp op, Expr left, Expr right, Span span) implements Expr {}

    record Negate(Expr operand, Span span) implements Expr {}

    record ListLit(List<Expr> items, Span span) implements Expr {
        public ListLit {
            items = List.copyOf(items);
        }
    }

    /** An argument, positional or named. */
    record Arg(Optional<Ident> name, Expr value, Span span) {}

    enum BinaryOp {
        ADD("+"),
        SUB("-"),
        MUL("*"),
        DIV("/");

        private final String symbol;

        BinaryOp(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }
    }
}
