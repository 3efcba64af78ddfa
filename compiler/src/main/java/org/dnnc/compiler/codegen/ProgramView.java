package org.dnnc.compiler.codegen;

import java.util.List;
import org.dnnc.compiler.ir.BatchNormStatistics;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.TensorType;

/** What a target's {@link KernelEmitter} sees of the program it emits: its nodes, their types and where they live. */
public interface ProgramView {

    /** The program's graph. */
    Graph graph();

    /** The node with this id. */
    Node node(int id);

    /** The nodes of the program that read node {@code id}'s value. */
    List<Node> users(int id);

    /** The type of node {@code id}'s value. */
    TensorType type(int id);

    /** The Java field holding node {@code id}'s value (a view of an arena, or a parameter). */
    String field(int id);

    /** The field of the scratch the planner placed for node {@code id}'s call, or {@code "null"} when it has none. */
    String scratchField(int id);

    /**
     * The field of what node {@code id}'s call saves for its gradient's calls (see {@code
     * PlanRules.savedBytes}), or {@code "null"} when it saves nothing in this program.
     */
    String savedField(int id);

    /**
     * The field where the training batchnorm of which {@code n} is a gradient saved its batch
     * statistics ({@link BatchNormStatistics}), or {@code "null"} when it saved none: the gradient's
     * call then recomputes them.
     */
    default String savedStatistics(Node n) {
        return BatchNormStatistics.forwardOf(graph(), n).map(f -> savedField(f.id())).orElse("null");
    }

    /** The other members of the call that node {@code id} leads (see {@code CallGroups}); empty for most nodes. */
    List<Node> callGroup(int id);

    /** Every node that the call of {@code n} computes: its call group, or {@code n} alone. */
    default List<Node> callMembers(Node n) {
        List<Node> group = callGroup(n.id());
        return group.isEmpty() ? List.of(n) : group;
    }

    /**
     * The workspace of the forward call of a layer that keeps one (a recurrent layer, an attention):
     * what it saves for its gradient's call in training, its scratch elsewhere.
     */
    default String workspaceField(int id) {
        String saved = savedField(id);
        return saved.equals("null") ? scratchField(id) : saved;
    }

    /**
     * The workspace that the forward call {@code forward} saved, which the gradient call {@code n}
     * reads.
     *
     * @throws CodegenException if the forward call saved none, naming the {@code layer}
     */
    default String savedWorkspace(Node n, int forward, String layer) throws CodegenException {
        String workspace = savedField(forward);
        if (workspace.equals("null")) {
            throw new CodegenException("the " + layer + "'s forward call saved no workspace for its gradient",
                    n.origin());
        }
        return workspace;
    }

    /**
     * Whether the cross-entropy node {@code id} is the one whose correct predictions a step counts:
     * the program's first, when a weighted loss has several.
     */
    boolean countsAccuracy(int id);

    /** The class's constant layer geometries, shared by the programs. */
    Geometries geometries();
}
