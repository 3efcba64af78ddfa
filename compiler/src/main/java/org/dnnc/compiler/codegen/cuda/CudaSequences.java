package org.dnnc.compiler.codegen.cuda;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import java.util.List;
import org.dnnc.compiler.codegen.Attentions;
import org.dnnc.compiler.codegen.BandCalls;
import org.dnnc.compiler.codegen.CodegenException;
import org.dnnc.compiler.codegen.Decoders;
import org.dnnc.compiler.codegen.ProgramView;
import org.dnnc.compiler.codegen.Sequences;
import org.dnnc.compiler.codegen.Sizes;
import org.dnnc.compiler.codegen.StepCalls;
import org.dnnc.compiler.ir.EmbeddingGrad;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.TensorType;

/**
 * The CUDA target's calls for sequences: recurrent layers ({@code CudaRecurrent}, with the CPU's
 * arguments and workspace after the context, through the CPU's {@link Sequences}), additive
 * attention ({@code CudaAttention}, likewise through {@link Attentions}), attention decoders
 * ({@code CudaAttentionDecoder}, through {@link Decoders}), embeddings
 * ({@code CudaEmbedding}), the time-axis moves ({@code CudaSteps}, through {@link StepCalls}) and
 * the bands of rows that join a bidirectional layer's directions and split their gradient ({@code
 * CudaConcat}, through {@link BandCalls}: {@code concat} and {@code slice} on any axis but the
 * batch).
 */
final class CudaSequences {
    private static final String CUDA = "org.dnnc.runtime.cuda";
    private static final ClassName EMBEDDING = ClassName.get(CUDA, "CudaEmbedding");
    static final Sequences RECURRENT = Sequences.of(ClassName.get(CUDA, "CudaRecurrent"), "ctx");
    static final Attentions ATTENTIONS = Attentions.of(ClassName.get(CUDA, "CudaAttention"), "ctx");
    static final Decoders DECODERS = Decoders.of(ClassName.get(CUDA, "CudaAttentionDecoder"), "ctx");
    static final StepCalls STEPS = StepCalls.of(ClassName.get(CUDA, "CudaSteps"), "ctx");
    static final BandCalls BANDS = BandCalls.of(ClassName.get(CUDA, "CudaConcat"), "ctx");

    private CudaSequences() {}

    /** One table row per id; the ids of every example are rows of one lookup. */
    static CodeBlock embedding(Node n, ProgramView p) {
        List<Integer> in = n.inputs();
        TensorType table = p.type(in.get(1));
        return CodeBlock.builder().addStatement("$T.forward(ctx, $L, $L, $L, $L, $L, $L)", EMBEDDING,
                p.field(in.get(0)), p.field(in.get(1)), p.field(n.id()), Sizes.count(p.type(in.get(0))),
                table.dim(0).bound(), Sizes.last(table)).build();
    }

    /**
     * The table's gradient, dense: the CUDA target does not mark embedding gradients sparse ({@code
     * CudaTarget.sparseEmbeddingGradients}), whose rows the CPU lists on the host.
     */
    static CodeBlock embeddingGrad(Node n, ProgramView p) throws CodegenException {
        if (((EmbeddingGrad) n.op()).sparse()) {
            throw new CodegenException("the cuda target has no kernel call for a sparse `embedding_grad`; its"
                    + " lowering keeps embedding gradients dense", n.origin());
        }
        List<Integer> in = n.inputs();
        return CodeBlock.builder().addStatement("$T.backward(ctx, $L, $L, $L, $L, $L, $L)", EMBEDDING,
                p.field(in.get(1)), p.field(in.get(0)), p.field(n.id()), Sizes.count(p.type(in.get(1))),
                ((EmbeddingGrad) n.op()).vocab(), Sizes.last(n.type())).build();
    }
}
