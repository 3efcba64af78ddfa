package org.dnnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import java.util.List;

/**
 * A float expression of one fused step, printed as Java for the CPU loop and as CUDA C for the GPU
 * kernel. Both languages print the same tree, so the two cannot compute different formulas; only
 * the spelling of numbers and math functions differs ({@link Fn}).
 */
public sealed interface Formula {

    /** A local of the loop or kernel: an operand's element {@code x<k>} or an earlier step {@code t<k>}. */
    record Name(String name) implements Formula {}

    /** A whole-number constant of the formula itself, such as the 1 of {@code 1 - y*y}. */
    record Whole(int value) implements Formula {}

    /** An attribute of the op (a scale factor, an activation's alpha), as a float. */
    record Literal(float value) implements Formula {}

    /** {@code -operand}. */
    record Negate(Formula operand) implements Formula {}

    /** An arithmetic operator; parentheses are printed where precedence needs them. */
    record Arithmetic(Formula left, Operator operator, Formula right) implements Formula {}

    /** A math function of one or two arguments. */
    record Call(Fn fn, List<Formula> args) implements Formula {
        public Call {
            args = List.copyOf(args);
        }
    }

    /** {@code test > 0 ? then : otherwise}, the form every piecewise activation takes. */
    record Positive(Formula test, Formula then, Formula otherwise) implements Formula {}

    /** The operators, with their precedence and whether {@code a op (b op c)} may drop the parentheses. */
    enum Operator {
        ADD(" + ", 1, true), SUB(" - ", 1, false), MUL(" * ", 2, true), DIV(" / ", 2, false);

        final String symbol;
        final int precedence;
        final boolean associative;

        Operator(String symbol, int precedence, boolean associative) {
            this.symbol = symbol;
            this.precedence = precedence;
            this.associative = associative;
        }
    }

    /**
     * The math functions, by their Java and CUDA C names. Java's return double (but {@code max}), so
     * the Java spelling narrows them to float; CUDA C calls the float functions.
     */
    enum Fn {
        MAX("max", false, "fmaxf"), EXP("exp", true, "expf"), EXPM1("expm1", true, "expm1f"),
        TANH("tanh", true, "tanhf");

        final String javaName;
        final boolean javaNarrows;
        final String cudaName;

        Fn(String javaName, boolean javaNarrows, String cudaName) {
            this.javaName = javaName;
            this.javaNarrows = javaNarrows;
            this.cudaName = cudaName;
        }
    }

    /** This formula as a Java expression; {@code Math} is a type name, since the generated class may be called Math. */
    default CodeBlock java() {
        return FormulaPrinter.JAVA.print(this);
    }

    /** This formula as a CUDA C expression. */
    default String cuda() {
        return FormulaPrinter.CUDA.print(this).toString();
    }
}
