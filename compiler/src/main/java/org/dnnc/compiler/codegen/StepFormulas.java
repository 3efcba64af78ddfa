package org.dnnc.compiler.codegen;

import java.util.List;
import org.dnnc.compiler.codegen.Formula.Arithmetic;
import org.dnnc.compiler.codegen.Formula.Call;
import org.dnnc.compiler.codegen.Formula.Fn;
import org.dnnc.compiler.codegen.Formula.Literal;
import org.dnnc.compiler.codegen.Formula.Name;
import org.dnnc.compiler.codegen.Formula.Negate;
import org.dnnc.compiler.codegen.Formula.Operator;
import org.dnnc.compiler.codegen.Formula.Positive;
import org.dnnc.compiler.codegen.Formula.Whole;
import org.dnnc.compiler.ir.Activation;
import org.dnnc.compiler.ir.ActivationGrad;
import org.dnnc.compiler.ir.Binary;
import org.dnnc.compiler.ir.FusedElementwise;
import org.dnnc.compiler.ir.Op;
import org.dnnc.compiler.ir.Scale;

/**
 * The one table of what each element-wise op computes inside a fused chain, as a {@link Formula}
 * that the CPU's Java loop and the GPU's CUDA C kernel both print.
 */
public final class StepFormulas {
    private StepFormulas() {}

    /** The local holding operand {@code k}'s element, {@code x<k>}, or step {@code k}'s value, {@code t<k>}. */
    public static String local(FusedElementwise.Ref ref) {
        return (ref.step() ? "t" : "x") + ref.index();
    }

    /** The formula of {@code step} of a fused chain over the locals of {@link #local}. */
    public static Formula of(FusedElementwise.Step step) {
        return of(step.op(), step.args().stream().map(StepFormulas::local).toList());
    }

    /**
     * The formula of one step of op {@code op} over the locals {@code args} (its operands in order).
     *
     * @throws IllegalArgumentException if {@code op} is not element-wise
     */
    public static Formula of(Op op, List<String> args) {
        List<Formula> a = args.stream().<Formula>map(Name::new).toList();
        if (op instanceof Binary b) {
            Operator operator = switch (b.kind()) {
                case ADD -> Operator.ADD;
                case SUB -> Operator.SUB;
                case MUL -> Operator.MUL;
            };
            return new Arithmetic(a.get(0), operator, a.get(1));
        }
        if (op instanceof Scale s) {
            return times(new Literal((float) s.factor()), a.get(0));
        }
        if (op instanceof Activation act) {
            return activation(act, a.get(0));
        }
        if (op instanceof ActivationGrad g) {
            return gradient(g, a.get(0), a.get(1));
        }
        throw new IllegalArgumentException(op.mnemonic() + " is not element-wise");
    }

    private static Formula activation(Activation act, Formula x) {
        Literal alpha = new Literal((float) act.alpha());
        return switch (act.kind()) {
            case RELU -> new Call(Fn.MAX, List.of(x, new Whole(0)));
            case LEAKY_RELU -> new Positive(x, x, times(alpha, x));
            case ELU -> new Positive(x, x, times(alpha, new Call(Fn.EXPM1, List.of(x))));
            case SIGMOID -> new Arithmetic(new Whole(1), Operator.DIV,
                    new Arithmetic(new Whole(1), Operator.ADD, new Call(Fn.EXP, List.of(new Negate(x)))));
            case TANH -> new Call(Fn.TANH, List.of(x));
            case IDENTITY -> x;
        };
    }

    /** The input's gradient from the output's gradient {@code dy} and the output {@code y}. */
    private static Formula gradient(ActivationGrad g, Formula dy, Formula y) {
        Literal alpha = new Literal((float) g.alpha());
        return switch (g.kind()) {
            case RELU -> new Positive(y, dy, new Whole(0));
            case LEAKY_RELU -> new Positive(y, dy, times(alpha, dy));
            case ELU -> new Positive(y, dy, times(dy, new Arithmetic(y, Operator.ADD, alpha)));
            case SIGMOID -> times(times(dy, y), new Arithmetic(new Whole(1), Operator.SUB, y));
            case TANH -> times(dy, new Arithmetic(new Whole(1), Operator.SUB, times(y, y)));
            case IDENTITY -> dy;
        };
    }

    private static Formula times(Formula left, Formula right) {
        return new Arithmetic(left, Operator.MUL, right);
    }
}
