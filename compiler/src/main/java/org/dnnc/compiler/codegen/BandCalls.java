package org.dnnc.compiler.codegen;

import static org.dnnc.compiler.codegen.ProgramEmitter.stmt;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import org.dnnc.compiler.ir.Concat;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Slice;
import org.dnnc.compiler.ir.TensorType;

/**
 * The calls of {@code concat} and {@code slice}: each operand is a block of rows, placed side by
 * side in the result's rows, or extracted from them. The CPU's {@code Concat} and the GPU's {@code
 * CudaConcat} take the same arguments, the GPU's after its context: one instance per target says
 * which class and what goes first.
 *
 * @param runtime the runtime class called
 * @param leading what comes before the twin's arguments: nothing, or the context and a comma
 */
public record BandCalls(ClassName runtime, String leading) {
    /** The CPU's calls, into {@code org.dnnc.runtime.cpu.Concat}. */
    static final BandCalls CPU = new BandCalls(RuntimeNames.CONCAT, "");

    /** Calls into {@code runtime}, a twin of {@code Concat} whose every method takes {@code context} first. */
    public static BandCalls of(ClassName runtime, String context) {
        return new BandCalls(runtime, context + ", ");
    }

    /** One {@code place} per operand, at increasing offsets in the result's rows. */
    public CodeBlock concat(Node n, ProgramView p) throws CodegenException {
        TensorType t = n.type();
        int axis = ((Concat) n.op()).axis() < 0 ? ((Concat) n.op()).axis() + t.rank() : ((Concat) n.op()).axis();
        if (axis == 0) {
            throw unsupported(n, "`concat` along the batch axis");
        }
        CodeBlock.Builder code = CodeBlock.builder();
        int offset = 0;
        for (int operand : n.inputs()) {
            int width = Sizes.inner(p.type(operand), axis);
            code.addStatement("$T.place($L$L, $L, $L, $L, $L, $L)", runtime, leading, p.field(operand), width,
                    p.field(n.id()), Sizes.inner(t, axis), offset, Sizes.outer(t, axis));
            offset += width;
        }
        return code.build();
    }

    /** One {@code extract} of the slice's band of each row. */
    public CodeBlock slice(Node n, ProgramView p) throws CodegenException {
        Slice s = (Slice) n.op();
        TensorType t = n.type();
        TensorType x = p.type(n.inputs().get(0));
        int axis = s.axis() < 0 ? s.axis() + t.rank() : s.axis();
        if (axis == 0) {
            throw unsupported(n, "`slice` along the batch axis");
        }
        int after = Sizes.inner(t, axis) / s.length();
        return stmt("$T.extract($L$L, $L, $L, $L, $L, $L)", runtime, leading, p.field(n.inputs().get(0)),
                Sizes.inner(x, axis), s.start() * after, p.field(n.id()), Sizes.inner(t, axis), Sizes.outer(t, axis));
    }

    private static CodegenException unsupported(Node n, String what) {
        return new CodegenException("code generation for " + what + " is not supported yet", n.origin());
    }
}
