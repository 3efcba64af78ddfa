package org.dnnc.compiler.codegen;

import static org.dnnc.compiler.codegen.ProgramEmitter.stmt;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import java.util.List;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Recurrent;
import org.dnnc.compiler.ir.RecurrentGrad;

/**
 * The calls of recurrent layers: the runtime's {@code forward} with the layer's constant geometry
 * and the workspace the planner placed, saved for the backward call in training ({@code infer},
 * which keeps no gates, with a scratch workspace elsewhere), and one {@code backward} for all the
 * gradients of a layer, which reads that saved workspace. Examples start from the layer's initial
 * state, or a zero one.
 *
 * <p>The CPU's {@code Recurrent} and the GPU's {@code CudaRecurrent} take the same arguments, the
 * GPU's after its context: one instance per target says which class and what goes first.
 *
 * @param runtime the runtime class called
 * @param leading what comes before the twin's arguments: nothing, or the context and a comma
 */
public record Sequences(ClassName runtime, String leading) {
    /** The CPU's calls, into {@code org.dnnc.runtime.cpu.Recurrent}. */
    static final Sequences CPU = new Sequences(RuntimeNames.RECURRENT, "");

    /** Calls into {@code runtime}, a twin of {@code Recurrent} whose every method takes {@code context} first. */
    public static Sequences of(ClassName runtime, String context) {
        return new Sequences(runtime, context + ", ");
    }

    /** The forward call of a layer. */
    public CodeBlock recurrent(Node n, ProgramView p) {
        List<Integer> in = n.inputs();
        String workspace = p.workspaceField(n.id());
        Recurrent r = (Recurrent) n.op();
        // Without a saved workspace no backward follows: the lean pass keeps no gates.
        String pass = p.savedField(n.id()).equals("null") ? "infer" : "forward";
        return stmt("$T.$L($L$L, $L, $L, $L, null, $L, $L, $L, $L, $L, $L, n)", runtime, pass, leading,
                geometry(n, r, p), p.field(in.get(0)), lengths(r, in, 0, p), initialState(r, in, 0, p),
                p.field(in.get(1)), p.field(in.get(2)), p.field(in.get(3)), p.field(in.get(4)), p.field(n.id()),
                workspace);
    }

    /** The gradients of one layer that the program needs, {@code n} and the rest of its call group. */
    public CodeBlock recurrentGrad(Node n, ProgramView p) throws CodegenException {
        List<Node> members = p.callMembers(n);
        String[] gradients = {"null", "null", "null", "null", "null", "null"};
        for (Node m : members) {
            gradients[((RecurrentGrad) m.op()).wrt().ordinal()] = p.field(m.id());
        }
        List<Integer> in = n.inputs();
        int forward = in.get(1);
        String workspace = p.savedWorkspace(n, forward, "recurrent layer");
        int layer = RecurrentGrad.LAYER_OPERANDS;
        Recurrent r = ((RecurrentGrad) n.op()).forward();
        return stmt("$T.backward($L$L, $L, $L, $L, $L, $L, null, $L, $L, $L, $L, $L, $L, $L, null, n, false)",
                runtime, leading, geometry(p.node(forward), r, p), p.field(in.get(layer)),
                lengths(r, in, layer, p), p.field(in.get(layer + 1)), p.field(in.get(layer + 2)), p.field(in.get(0)),
                workspace, gradients[0], gradients[1], gradients[2], gradients[3], gradients[4], gradients[5]);
    }

    /** The field of the layer's lengths, whose operands start at {@code layer} in {@code in}, or {@code null}. */
    private static String lengths(Recurrent r, List<Integer> in, int layer, ProgramView p) {
        return r.lengths() ? p.field(in.get(layer + Recurrent.LENGTHS)) : "null";
    }

    /** The field of the layer's initial state, whose operands start at {@code layer} in {@code in}, or {@code null}. */
    private static String initialState(Recurrent r, List<Integer> in, int layer, ProgramView p) {
        return r.initialState() ? p.field(in.get(layer + r.initialStateOperand())) : "null";
    }

    private static String geometry(Node forward, Recurrent r, ProgramView p) {
        return p.geometries().recurrent(r, p.type(forward.inputs().get(0)), forward.origin().path());
    }
}
