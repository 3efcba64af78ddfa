package org.dnnc.compiler.codegen.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.dnnc.compiler.autodiff.Program;
import org.dnnc.compiler.ir.FusedElementwise;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.lowering.LoweredProgram;
import org.dnnc.compiler.lowering.Lowering;

/**
 * Every generated CUDA C kernel of a lowered network: one per fused element-wise chain of each of
 * its programs, named {@code fused_<program>_<node>} (node ids repeat across programs).
 */
public final class FusedKernels {
    private FusedKernels() {}

    /** One generated kernel and the node it computes. */
    public record Kernel(Program.Kind program, Node node, FusedKernelSource source) {

        /** A C comment naming the program, the node, its chain and where in the source it comes from. */
        public String header() {
            String where = node.origin().path().isEmpty() ? "" : ", from " + node.origin().path();
            return "// " + program.name().toLowerCase(Locale.ROOT) + " %" + node.id() + where + ": "
                    + node.op().attrs().get("body") + "\n";
        }
    }

    /** The kernels of {@code lowering}'s programs, training first, each in the order its program runs them. */
    public static List<Kernel> of(Lowering lowering) {
        List<Kernel> kernels = new ArrayList<>();
        for (Program.Kind kind : Program.Kind.values()) {
            LoweredProgram program = lowering.program(kind).orElse(null);
            if (program == null) {
                continue;
            }
            for (Node n : program.graph().nodes()) {
                if (n.op() instanceof FusedElementwise chain) {
                    String name = "fused_" + kind.name().toLowerCase(Locale.ROOT) + "_" + n.id();
                    kernels.add(new Kernel(kind, n, FusedKernelSource.of(name, chain)));
                }
            }
        }
        return kernels;
    }
}
