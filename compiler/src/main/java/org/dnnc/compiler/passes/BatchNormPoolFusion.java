package org.dnnc.compiler.passes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dnnc.compiler.ir.BatchNorm;
import org.dnnc.compiler.ir.BatchNormGradGamma;
import org.dnnc.compiler.ir.BatchNormGradInput;
import org.dnnc.compiler.ir.BatchNormReluGradBeta;
import org.dnnc.compiler.ir.BatchNormReluMaxPool;
import org.dnnc.compiler.ir.BatchNormReluMaxPoolGrad;
import org.dnnc.compiler.ir.BatchNormReluMaxPoolGrad.Wrt;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Pool2d;
import org.dnnc.compiler.ir.Pool2dGrad;
import org.dnnc.compiler.ir.PoolKind;

/**
 * Fuses the max pooling after a training {@code batchnorm_relu} into it, forward and backward, so
 * that the full-size activation y is never written. Forward, {@code maxpool2d(batchnorm_relu(x))}
 * becomes one {@code batchnorm_relu_maxpool2d}, which writes only the pooled values. Backward, the
 * pooling's gradient {@code maxpool2d_grad(dp, y)} and the batchnorm's ReLU-masked gradients that
 * read it and y become {@code batchnorm_relu_maxpool2d_grad_input}, {@code _grad_gamma} and
 * {@code _grad_beta} of (dp, x, gamma, beta), which recompute y from x. Run after {@link
 * BatchNormReluFusion}. A y read by anything but the pooling and those gradients is left alone
 * (the fused op would have to write it anyway), as is an average pooling.
 */
public final class BatchNormPoolFusion implements Pass, Explaining {

    @Override
    public String name() {
        return "fuse-batchnorm-relu-maxpool";
    }

    @Override
    public String description() {
        return "Fuses a max pooling after training batchnorm+ReLU into its pass, and their gradients.";
    }

    /**
     * One fusion: the pooling {@code pool} of the batchnorm_relu {@code norm}, the pooling's gradient
     * {@code poolGrad} (null in a program without backward) and the batchnorm gradients reading it.
     */
    private record Candidate(Node pool, Node norm, Node poolGrad, List<Node> normGrads) {}

    @Override
    public Graph run(Graph graph) {
        Map<Integer, Node> replacement = new HashMap<>();
        Set<Integer> removed = new HashSet<>();
        for (Node n : graph.nodes()) {
            if (!(candidate(graph, n) instanceof Candidate c)) {
                continue;
            }
            BatchNorm bn = (BatchNorm) c.norm().op();
            BatchNormReluMaxPool fused = new BatchNormReluMaxPool(bn.eps(), bn.momentum(), (Pool2d) n.op());
            replacement.put(n.id(), new Node(n.id(), fused, c.norm().inputs(), n.type(), n.origin()));
            removed.add(c.norm().id());
            if (c.poolGrad() != null) {
                removed.add(c.poolGrad().id());
                List<Integer> operands = List.of(c.poolGrad().inputs().get(0), c.norm().inputs().get(0),
                        c.norm().inputs().get(1), c.norm().inputs().get(2));
                for (Node g : c.normGrads()) {
                    replacement.put(g.id(), new Node(g.id(), new BatchNormReluMaxPoolGrad(fused, wrt(g)), operands,
                            g.type(), g.origin()));
                }
            }
        }
        List<Node> nodes = new ArrayList<>();
        for (Node n : graph.nodes()) {
            if (!removed.contains(n.id())) {
                nodes.add(replacement.getOrDefault(n.id(), n));
            }
        }
        return new Graph(graph.name(), nodes, graph.outputs());
    }

    @Override
    public List<String> explain(Graph graph) {
        List<String> lines = new ArrayList<>();
        for (Node n : graph.nodes()) {
            if (candidate(graph, n) instanceof String why) {
                lines.add("batchnorm_relu %" + n.inputs().get(0) + " not fused with maxpool2d %" + n.id() + ": " + why);
            }
        }
        return lines;
    }

    /**
     * The fusion of the pooling {@code n}, or why there is none (a String), or null when {@code n} is
     * not a max pooling of a batchnorm_relu at all.
     */
    private static Object candidate(Graph graph, Node n) {
        if (!(n.op() instanceof Pool2d p) || p.kind() != PoolKind.MAX) {
            return null;
        }
        Node norm = graph.node(n.inputs().get(0));
        if (!(norm.op() instanceof BatchNorm bn) || !bn.relu() || bn.residual()) {
            return null;
        }
        int y = norm.id();
        Uses uses = new Uses(graph);
        if (graph.outputs().containsValue(y)) {
            return "its result is read by " + uses.readers(y);
        }
        Node poolGrad = null;
        List<Node> normGrads = new ArrayList<>();
        for (Node r : graph.users(y)) {
            if (r.id() == n.id()) {
                continue;
            }
            if (r.op() instanceof Pool2dGrad g && g.forward().equals(p) && poolGrad == null
                    && r.inputs().get(1) == y && r.inputs().get(0) != y) {
                poolGrad = r;
            } else if (isMaskedNormGrad(r, norm)) {
                normGrads.add(r);
            } else {
                return "its result is read by " + uses.readers(y);
            }
        }
        if (poolGrad == null) {
            return normGrads.isEmpty() ? new Candidate(n, norm, null, List.of())
                    : "its gradients read it without a pooling gradient";
        }
        int dy = poolGrad.id();
        boolean gradsReadDy = normGrads.stream().allMatch(g -> g.inputs().get(0) == dy);
        if (normGrads.isEmpty() || !gradsReadDy || graph.outputs().containsValue(dy)
                || graph.users(dy).size() != normGrads.size()) {
            return "the pooling's gradient %" + dy + " is read by " + uses.readers(dy);
        }
        return new Candidate(n, norm, poolGrad, normGrads);
    }

    /** Whether {@code r} is a ReLU-masked gradient of the batchnorm {@code norm} (reading its y). */
    private static boolean isMaskedNormGrad(Node r, Node norm) {
        int x = norm.inputs().get(0);
        int y = norm.id();
        List<Integer> in = r.inputs();
        if (r.op() instanceof BatchNormGradInput g) {
            return g.relu() && in.get(1) == x && in.get(2).equals(norm.inputs().get(1)) && in.get(3) == y;
        }
        if (r.op() instanceof BatchNormGradGamma g) {
            return g.relu() && in.get(1) == x && in.get(2) == y;
        }
        return r.op() instanceof BatchNormReluGradBeta && in.get(1) == y;
    }

    private static Wrt wrt(Node g) {
        return g.op() instanceof BatchNormGradInput ? Wrt.INPUT : g.op() instanceof BatchNormGradGamma ? Wrt.GAMMA
                : Wrt.BETA;
    }
}
