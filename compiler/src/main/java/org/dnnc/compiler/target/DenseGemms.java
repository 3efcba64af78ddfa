package org.dnnc.compiler.target;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.dnnc.compiler.ir.Dense;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.MatMul;
import org.dnnc.compiler.ir.MatMulGradInput;
import org.dnnc.compiler.ir.MatMulGradWeight;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.TensorType;

/**
 * Where the CPU runtime runs each GEMM of a dense layer ({@code Dense.forward}, {@code
 * backwardInput}, {@code backwardWeights}), for {@code dnnc graph --explain}: oneDNN's matmul for a
 * call of at least {@code Dense.ONEDNN_MIN_MACS} multiply-adds, else OpenBLAS. The rule is the
 * runtime's, so the generated call is the same either way; the sizes are known here, but not the
 * context's thread count, which decides whether oneDNN may run at all.
 */
public final class DenseGemms {

    /**
     * The runtime's {@code Dense.ONEDNN_MIN_MACS}, which the compiler cannot read, as it does not
     * depend on the runtime; a test holds the two equal.
     */
    static final long ONEDNN_MIN_MACS = 1L << 24;

    private DenseGemms() {}

    /** The GEMM of {@code n} as batch rows × in × out for batches of {@code batch}, if it has one. */
    static Optional<long[]> shape(Graph graph, Node n, int batch) {
        if (n.op() instanceof Dense || n.op() instanceof MatMul) {
            TensorType x = graph.node(n.inputs().get(0)).type();
            return Optional.of(new long[] {rows(x, batch), last(x), last(n.type())});
        }
        if (n.op() instanceof MatMulGradInput) {
            TensorType dy = graph.node(n.inputs().get(0)).type();
            return Optional.of(new long[] {rows(dy, batch), last(n.type()), last(dy)});
        }
        if (n.op() instanceof MatMulGradWeight) {
            TensorType dy = graph.node(n.inputs().get(0)).type();
            TensorType x = graph.node(n.inputs().get(1)).type();
            return Optional.of(new long[] {rows(dy, batch), last(x), last(dy)});
        }
        return Optional.empty();
    }

    /** One line per dense GEMM of {@code graph} for batches of {@code batch}: its node, shape and side of the rule. */
    public static List<String> explain(Graph graph, int batch) {
        List<String> lines = new ArrayList<>();
        for (Node n : graph.nodes()) {
            shape(graph, n, batch).ifPresent(s -> {
                long macs = s[0] * s[1] * s[2];
                String side = macs >= ONEDNN_MIN_MACS
                        ? "at least 2^24: oneDNN's matmul"
                        : "fewer than 2^24: OpenBLAS";
                lines.add(String.format(Locale.ROOT, "%s %%%d (%s, %dx%dx%d, %,d multiply-adds): %s", n.op().mnemonic(),
                        n.id(), n.origin().path(), s[0], s[1], s[2], macs, side));
            });
        }
        return lines;
    }

    private static long rows(TensorType t, int batch) {
        long rows = 1;
        List<Dim> dims = t.dims();
        for (int i = 0; i < dims.size() - 1; i++) {
            rows *= dims.get(i) instanceof Dim.Batch ? batch : dims.get(i).bound();
        }
        return rows;
    }

    private static long last(TensorType t) {
        return t.dim(-1).bound();
    }
}
