package org.dnnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import java.util.Set;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Op;

/**
 * A target's half of code generation: the statements that compute one node's value. The generator
 * owns everything else (fields, arenas, the order of calls, the class around them).
 */
public interface KernelEmitter {

    /**
     * The statements that compute {@code n} (and the rest of the call group it leads), in the
     * program {@code program}; the number of examples in the batch is the local {@code n}.
     *
     * @throws CodegenException if the target has no kernel for {@code n}'s op or these attributes
     */
    CodeBlock emit(Node n, ProgramView program) throws CodegenException;

    /** The op classes this target emits calls for; {@link #emit} refuses every other one, naming it. */
    Set<Class<? extends Op>> emitted();

    /**
     * The op classes that need no call on this target beside the view-only ops, which need none on
     * any (inputs and parameters, which the class fills before a program runs).
     */
    Set<Class<? extends Op>> free();
}
