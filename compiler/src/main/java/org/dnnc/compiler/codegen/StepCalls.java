package org.dnnc.compiler.codegen;

import static org.dnnc.compiler.codegen.ProgramEmitter.stmt;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import java.util.List;
import org.dnnc.compiler.ir.LastStep;
import org.dnnc.compiler.ir.LastStepGrad;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.ShiftRight;
import org.dnnc.compiler.ir.TensorType;

/**
 * The calls that move along the time axis: ids shifted right (a decoder's input under teacher
 * forcing), a sequence's last (valid) step and its gradient. The CPU's {@code Steps} and the GPU's
 * {@code CudaSteps} take the same arguments, the GPU's after its context: one instance per target
 * says which class and what goes first.
 *
 * @param runtime the runtime class called
 * @param leading what comes before the twin's arguments: nothing, or the context and a comma
 */
public record StepCalls(ClassName runtime, String leading) {
    /** The CPU's calls, into {@code org.dnnc.runtime.cpu.Steps}. */
    static final StepCalls CPU = new StepCalls(RuntimeNames.STEPS, "");

    /** Calls into {@code runtime}, a twin of {@code Steps} whose every method takes {@code context} first. */
    public static StepCalls of(ClassName runtime, String context) {
        return new StepCalls(runtime, context + ", ");
    }

    /** {@code shift_right}: ids {@code [N, T]} one step later, the fill first. */
    public CodeBlock shiftRight(Node n, ProgramView p) {
        TensorType ids = n.type();
        return stmt("$T.shiftRight($L$L, $L, n, $L, $L)", runtime, leading, p.field(n.inputs().get(0)),
                p.field(n.id()), ids.dim(1).bound(), ((ShiftRight) n.op()).fill());
    }

    /** {@code last}: each sequence's last (valid) step. */
    public CodeBlock last(Node n, ProgramView p) {
        List<Integer> in = n.inputs();
        TensorType x = p.type(in.get(0));
        return stmt("$T.last($L$L, $L, $L, n, $L, $L)", runtime, leading, p.field(in.get(0)),
                ((LastStep) n.op()).lengths() ? p.field(in.get(1)) : "null", p.field(n.id()), x.dim(1).bound(),
                x.dim(2).bound());
    }

    /** The gradient of {@code last}. */
    public CodeBlock lastGrad(Node n, ProgramView p) {
        List<Integer> in = n.inputs();
        TensorType dx = n.type();
        return stmt("$T.lastBackward($L$L, $L, $L, n, $L, $L)", runtime, leading, p.field(in.get(0)),
                ((LastStepGrad) n.op()).forward().lengths() ? p.field(in.get(1)) : "null", p.field(n.id()),
                dx.dim(1).bound(), dx.dim(2).bound());
    }
}
