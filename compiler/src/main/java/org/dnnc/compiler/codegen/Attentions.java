package org.dnnc.compiler.codegen;

import static org.dnnc.compiler.codegen.ProgramEmitter.stmt;

import com.palantir.javapoet.CodeBlock;
import java.util.List;
import org.dnnc.compiler.ir.AdditiveAttention;
import org.dnnc.compiler.ir.AdditiveAttentionGrad;
import org.dnnc.compiler.ir.AttentionWeights;
import org.dnnc.compiler.ir.Node;

/**
 * The calls of additive attention: the runtime's {@code Attention.forward} with the attention's
 * constant geometry and the workspace the planner placed (saved for the backward call in training,
 * scratch elsewhere), the same call writing only the weights for {@code attention_weights}, and one
 * {@code Attention.backward} for all the gradients of an attention, which reads the saved workspace.
 */
final class Attentions {
    private Attentions() {}

    static CodeBlock attention(Node n, ProgramView p) {
        String workspace = p.workspaceField(n.id());
        return forward(n, (AdditiveAttention) n.op(), p.field(n.id()), "null", workspace, p);
    }

    static CodeBlock weights(Node n, ProgramView p) {
        return forward(n, ((AttentionWeights) n.op()).attention(), "null", p.field(n.id()), p.scratchField(n.id()), p);
    }

    private static CodeBlock forward(Node n, AdditiveAttention a, String context, String weights, String workspace,
            ProgramView p) {
        List<Integer> in = n.inputs();
        return stmt("$T.forward($L, $L, $L, $L, $L, $L, $L, $L, $L, n)", RuntimeNames.ATTENTION, geometry(n, a, p),
                p.field(in.get(0)), p.field(in.get(1)), lengths(a, in, 0, p), p.field(in.get(2)), p.field(in.get(3)),
                context, weights, workspace);
    }

    /** The gradients of one attention that the program needs, {@code n} and the rest of its call group. */
    static CodeBlock gradient(Node n, ProgramView p) throws CodegenException {
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
        return stmt("$T.backward($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, n, false)", RuntimeNames.ATTENTION,
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
