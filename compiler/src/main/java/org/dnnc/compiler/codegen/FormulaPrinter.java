package org.dnnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import org.dnnc.compiler.codegen.Formula.Arithmetic;
import org.dnnc.compiler.codegen.Formula.Call;
import org.dnnc.compiler.codegen.Formula.Literal;
import org.dnnc.compiler.codegen.Formula.Name;
import org.dnnc.compiler.codegen.Formula.Negate;
import org.dnnc.compiler.codegen.Formula.Positive;
import org.dnnc.compiler.codegen.Formula.Whole;

/**
 * Prints a {@link Formula} in one language. The languages share C's operator precedence, so only
 * numbers and calls are spelled differently: Java writes {@code 1f} and {@code (float) Math.exp(x)},
 * CUDA C {@code 1.0f} and {@code expf(x)}.
 */
enum FormulaPrinter {
    JAVA {
        @Override
        String whole(int value) {
            return value + "f";
        }

        @Override
        void call(CodeBlock.Builder out, Formula.Fn fn, java.util.List<Formula> args) {
            out.add(fn.javaNarrows ? "(float) $T.$L(" : "$T.$L(", Math.class, fn.javaName);
            arguments(out, args);
        }

        /** A call of the runtime's branch-free select: a ReLU's gradient takes either side at random. */
        @Override
        void positive(CodeBlock.Builder out, Positive p) {
            out.add("$T.positive(", RuntimeNames.ELEMENTWISE_CHAIN);
            arguments(out, java.util.List.of(p.test(), p.then(), p.otherwise()));
        }

        @Override
        int positivePrecedence() {
            return ATOM;
        }
    },
    CUDA {
        @Override
        String whole(int value) {
            return value + ".0f";
        }

        @Override
        void call(CodeBlock.Builder out, Formula.Fn fn, java.util.List<Formula> args) {
            out.add("$L(", fn.cudaName);
            arguments(out, args);
        }

        @Override
        void positive(CodeBlock.Builder out, Positive p) {
            operand(out, p.test(), 1, false);
            out.add(" > $L ? ", whole(0));
            print(out, p.then());
            out.add(" : ");
            print(out, p.otherwise());
        }

        @Override
        int positivePrecedence() {
            return 0;
        }
    };

    /** Binds tighter than every operator: names, numbers, calls and negations. */
    private static final int ATOM = 3;

    abstract String whole(int value);

    abstract void call(CodeBlock.Builder out, Formula.Fn fn, java.util.List<Formula> args);

    /** Prints {@code test > 0 ? then : otherwise}. */
    abstract void positive(CodeBlock.Builder out, Positive p);

    /** How tightly {@link #positive}'s spelling binds: a call, or C's conditional operator. */
    abstract int positivePrecedence();

    CodeBlock print(Formula f) {
        CodeBlock.Builder out = CodeBlock.builder();
        print(out, f);
        return out.build();
    }

    void print(CodeBlock.Builder out, Formula f) {
        if (f instanceof Name n) {
            out.add("$L", n.name());
        } else if (f instanceof Whole w) {
            out.add("$L", whole(w.value()));
        } else if (f instanceof Literal l) {
            // Float.toString spells every finite float so that both languages read it back exactly.
            out.add("$Lf", Float.toString(l.value()));
        } else if (f instanceof Negate n) {
            out.add("-");
            operand(out, n.operand(), ATOM, false);
        } else if (f instanceof Arithmetic a) {
            operand(out, a.left(), a.operator().precedence, false);
            out.add("$L", a.operator().symbol);
            operand(out, a.right(), a.operator().precedence, !a.operator().associative);
        } else if (f instanceof Call c) {
            call(out, c.fn(), c.args());
        } else if (f instanceof Positive p) {
            positive(out, p);
        }
    }

    /** {@code f} as an operand of an operator of {@code precedence}, in parentheses where needed. */
    void operand(CodeBlock.Builder out, Formula f, int precedence, boolean strict) {
        int own = f instanceof Arithmetic a ? a.operator().precedence
                : f instanceof Positive ? positivePrecedence() : ATOM;
        boolean parens = own < precedence || strict && own == precedence;
        out.add(parens ? "(" : "");
        print(out, f);
        out.add(parens ? ")" : "");
    }

    void arguments(CodeBlock.Builder out, java.util.List<Formula> args) {
        for (int i = 0; i < args.size(); i++) {
            out.add(i == 0 ? "" : ", ");
            print(out, args.get(i));
        }
        out.add(")");
    }
}
