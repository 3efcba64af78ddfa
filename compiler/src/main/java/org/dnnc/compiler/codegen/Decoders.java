package org.dnnc.compiler.codegen;

import static org.dnnc.compiler.codegen.ProgramEmitter.stmt;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dnnc.compiler.ir.AttentionDecoder;
import org.dnnc.compiler.ir.AttentionDecoderGrad;
import org.dnnc.compiler.ir.DecoderWeights;
import org.dnnc.compiler.ir.Node;

/**
 * The calls of encoder–decoders: the runtime's {@code forward} with the decoder's constant geometry
 * and the workspace the planner placed (saved for the backward call in training, scratch
 * elsewhere), the same call writing only the weights for {@code attention_weights}, and one {@code
 * backward} for all the gradients of a decoder.
 *
 * <p>The CPU's {@code AttentionDecoder} and the GPU's {@code CudaAttentionDecoder} take the same
 * arguments, the GPU's after its context: one instance per target says which class and what goes
 * first.
 *
 * @param runtime the runtime class called
 * @param leading what comes before the twin's arguments: nothing, or the context and a comma
 */
public record Decoders(ClassName runtime, String leading) {
    /** The CPU's calls, into {@code org.dnnc.runtime.cpu.AttentionDecoder}. */
    static final Decoders CPU = new Decoders(RuntimeNames.ATTENTION_DECODER, "");

    /** Calls into {@code runtime}, a twin of {@code AttentionDecoder} whose every method takes {@code context} first. */
    public static Decoders of(ClassName runtime, String context) {
        return new Decoders(runtime, context + ", ");
    }

    /** The forward call of a decoder, writing its output. */
    public CodeBlock decoder(Node n, ProgramView p) {
        String workspace = p.workspaceField(n.id());
        return forward(n, (AttentionDecoder) n.op(), p.field(n.id()), "null", workspace, p);
    }

    /** The forward call writing only the weights, for {@code attention_weights}. */
    public CodeBlock weights(Node n, ProgramView p) {
        return forward(n, ((DecoderWeights) n.op()).decoder(), "null", p.field(n.id()), p.scratchField(n.id()), p);
    }

    private CodeBlock forward(Node n, AttentionDecoder d, String y, String weights, String workspace,
            ProgramView p) {
        List<Integer> in = n.inputs();
        return stmt("$T.forward($L$L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, n)", runtime, leading,
                geometry(n, d, p), p.field(in.get(0)), p.field(in.get(1)),
                optional(d.lengthsOperand(), in, 0, p), optional(d.initialStateOperand(), in, 0, p),
                p.field(in.get(2)), p.field(in.get(3)), p.field(in.get(4)), p.field(in.get(5)), p.field(in.get(6)),
                p.field(in.get(7)), y, weights, workspace);
    }

    /** The gradients of one decoder that the program needs, {@code n} and the rest of its call group. */
    public CodeBlock gradient(Node n, ProgramView p) throws CodegenException {
        List<Node> members = p.callMembers(n);
        String[] gradients = new String[AttentionDecoderGrad.Wrt.values().length];
        Arrays.fill(gradients, "null");
        for (Node m : members) {
            gradients[((AttentionDecoderGrad) m.op()).wrt().ordinal()] = p.field(m.id());
        }
        List<Integer> in = n.inputs();
        int forward = in.get(1);
        String workspace = p.savedWorkspace(n, forward, "decoder");
        int layer = AttentionDecoderGrad.LAYER_OPERANDS;
        AttentionDecoder d = ((AttentionDecoderGrad) n.op()).forward();
        List<Object> args = new ArrayList<>(List.of(runtime, leading, geometry(p.node(forward), d, p),
                p.field(in.get(layer)), p.field(in.get(layer + 1)), optional(d.lengthsOperand(), in, layer, p),
                p.field(in.get(layer + 2)), p.field(in.get(layer + 3)), p.field(in.get(layer + 6)),
                p.field(in.get(layer + 7)), p.field(in.get(0)), workspace));
        args.addAll(List.of(gradients));
        return stmt("$T.backward($L" + "$L, ".repeat(args.size() - 2) + "n, false)", args.toArray());
    }

    /** The field of the decoder operand at {@code index} (operands start at {@code layer} in {@code in}), or {@code null}. */
    private static String optional(int index, List<Integer> in, int layer, ProgramView p) {
        return index < 0 ? "null" : p.field(in.get(layer + index));
    }

    private static String geometry(Node forward, AttentionDecoder d, ProgramView p) {
        List<Integer> in = forward.inputs();
        return p.geometries().decoder(d, p.type(in.get(0)), p.type(in.get(1)), forward.origin().path());
    }
}
