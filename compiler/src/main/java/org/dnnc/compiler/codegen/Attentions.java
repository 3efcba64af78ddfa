package org.dnnc.compiler.codegen;

import static org.dnnc.compiler.codegen.ProgramEmitter.stmt;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import java.util.List;
import org.dnnc.compiler.ir.AdditiveAttention;
import org.dnnc.compiler.ir.AdditiveAttentionGrad;
import org.dnnc.compiler.ir.AttentionWeights;
import org.dnnc.compiler.ir.Node;

/**
 * The calls of additive attention: the runtime's {@code forward} with the attention's constant
 * geometry and the workspace the planner placed (saved for the backward call in training, scratch
 * elsewhere), the same call writing only the weights for {@code attention_weights}, and one {@code
 * backward} for all the gradients of an attention, which reads the saved workspace.
 *
 * <p>The CPU's {@code Attention} and the GPU's {@code CudaAttention} take the same arguments, the
 * GPU's after its context: one instance per target says which class and what goes first.
 *
 * @param runtime the runtime class called
 * @param leading what comes before the twin's arguments: nothing, or the context and a comma
 */
public record Attentions(ClassName runtime, String leading) {
    /** The CPU's calls, into {@code org.dnnc.runtime.cpu.Attention}. */
    static final Attentions CPU = new Attentions(RuntimeNames.ATTENTION, "");

    /** Calls into {@code runtime}, a twin of {@code Attention} whose every method takes {@code context} first. */
    public static Attentions of(ClassName runtime, String context) {
        return new Attentions(runtime, context + ", ");
    }

    /** The forward call of an attention, writing its context. */
    public CodeBlock attention(Node n, ProgramView p) {
        String workspace = p.workspaceField(n.id());
        return forward(n, (AdditiveAttention) n.op(), p.field(n.id()), "null", workspace, p);
    }

    /** The forward call writing only the weights, for {@code attention_weights}. */
    public CodeBlock weights(Node n, ProgramView p) {
        return forward(n, ((AttentionWeights) n.op()).attention(), "null", p.field(n.id()), p.scratchField(n.id()), p);
    }

    private CodeBlock forward(Node n, AdditiveAttention a, String context, String weights, String workspace,
            ProgramView p) {
        List<Integer> in = n.inputs();
        return stmt("$T.forward($L$L, $L, $L, $L, $L, $L, $L, $L, $L, n)", runtime, leading, geometry(n, a, p),
                p.field(in.get(0)), p.field(in.get(1)), lengths(a, in, 0, p), p.field(in.get(2)), p.field(in.get(3)),
                context, weights, workspace);
    }

    /** The gradients of one attention that the program needs, {@code n} and the rest of its call group. */
    public CodeBlock gradient(Node n, ProgramView p) throws CodegenException {
        List<Node> members = p.callMembers(n);
        String[] gradients = {"null", "null", "null", "null"};
        for (Node m : members) {
            gradients[((AdditiveAttentionGrad) m.op()).wrt().operand()] = p.field(m.id());
        }
        List<Integer> in = n.inputs();
        int forward = in.get(1);
        String workspace = p.savedWorkspace(n, forward, "attention");
        int layer = AdditiveAttentionGrad.LAYER_OPERANDS;
        AdditiveAttention a = ((AdditiveAttentionGrad) n.op()).forward();
        return stmt("$T.backward($L$L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, n, false)", runtime, leading,
                geometry(p.node(forward), a, p), p.field(in.get(layer)), p.field(in.get(layer + 1)),
                lengths(a, in, layer, p), p.field(in.get(layer + 2)), p.field(in.get(layer + 3)), p.field(in.get(0)),
                workspace, gradients[0], gradients[1], gradients[2], gradients[3]);
    }

    /** The field of the attention's lengths, whose operands start at {@code layer} in {@code in}, or {@code null}. */
    private static String lengths(AdditiveAttention a, List<Integer> in, int layer, ProgramView p) {
        return a.lengths() ? p.field(in.get(layer + AdditiveAttention.LENGTHS)) : "null";
    }

    private static String geometry(Node forward, AdditiveAttention a, ProgramView p) {
        List<Integer> in = forward.inputs();
        return p.geometries().attention(a.units(), p.type(in.get(0)), p.type(in.get(1)), forward.origin().path());
    }
}
