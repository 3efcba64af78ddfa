package org.dnnc.compiler.codegen.cuda;

import com.palantir.javapoet.CodeBlock;
import java.util.Set;
import org.dnnc.compiler.codegen.CodegenException;
import org.dnnc.compiler.codegen.KernelEmitter;
import org.dnnc.compiler.codegen.ProgramView;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Op;

/**
 * The CUDA target's Java kernel calls. None is generated yet: the generated class does not yet
 * switch to the device (issue 14), so every op is refused at its source, naming what does exist,
 * rather than emitting a class that would run on the CPU while claiming the GPU.
 */
public final class CudaKernels implements KernelEmitter {

    @Override
    public CodeBlock emit(Node n, ProgramView program) throws CodegenException {
        throw new CodegenException("the cuda target does not generate Java classes yet (no kernel call for `"
                + n.op().mnemonic() + "`); `dnnc graph`, `dnnc plan` and `dnnc emit cuda` show what it compiles",
                n.origin());
    }

    @Override
    public Set<Class<? extends Op>> emitted() {
        return Set.of();
    }

    @Override
    public Set<Class<? extends Op>> free() {
        return Set.of();
    }
}
