package org.dnnc.compiler.codegen.cuda;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dnnc.compiler.autodiff.Program;
import org.dnnc.compiler.ir.FusedElementwise;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.lowering.LoweredProgram;
import org.dnnc.compiler.lowering.Lowering;

/**
 * Every generated CUDA C kernel of a lowered network: one per distinct fused element-wise chain of
 * its programs. A kernel is named by its chain, {@code fused_<12 hex digits of the chain's SHA-256>},
 * so the same chain in several programs (or twice in one) is one kernel, and a call names its
 * kernel without knowing which program it is in.
 */
public final class FusedKernels {
    private FusedKernels() {}

    /** One generated kernel and the fused nodes that launch it, such as {@code train %93}. */
    public record Kernel(List<String> uses, String chain, FusedKernelSource source) {

        /** A C comment naming the nodes that launch the kernel and the chain it computes. */
        public String header() {
            return "// " + String.join(", ", uses) + ": " + chain + "\n";
        }
    }

    /** The kernel's name for the fused node {@code n}. */
    public static String name(Node n) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body(n).getBytes(StandardCharsets.UTF_8));
            return "fused_" + HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** The kernels of {@code lowering}'s programs, in the order their first use runs (training first). */
    public static List<Kernel> of(Lowering lowering) {
        Map<String, List<String>> uses = new LinkedHashMap<>();
        Map<String, Node> first = new LinkedHashMap<>();
        for (Program.Kind kind : Program.Kind.values()) {
            LoweredProgram program = lowering.program(kind).orElse(null);
            if (program == null) {
                continue;
            }
            for (Node n : program.graph().nodes()) {
                if (n.op() instanceof FusedElementwise) {
                    String name = name(n);
                    first.putIfAbsent(name, n);
                    String where = n.origin().path().isEmpty() ? "" : " (" + n.origin().path() + ")";
                    uses.computeIfAbsent(name, k -> new ArrayList<>())
                            .add(kind.name().toLowerCase(Locale.ROOT) + " %" + n.id() + where);
                }
            }
        }
        List<Kernel> kernels = new ArrayList<>();
        first.forEach((name, n) -> kernels.add(new Kernel(uses.get(name), body(n),
                FusedKernelSource.of(name, (FusedElementwise) n.op()))));
        return kernels;
    }

    /** What the kernel computes: the chain's steps, and which operands are per channel if any. */
    private static String body(Node n) {
        Object channels = n.op().attrs().get("channels");
        return n.op().attrs().get("body") + (channels == null ? "" : "; per channel: " + channels);
    }
}
