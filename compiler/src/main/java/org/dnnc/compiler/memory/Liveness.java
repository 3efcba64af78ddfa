package org.dnnc.compiler.memory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dnnc.compiler.ir.BatchNormStatistics;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Input;
import org.dnnc.compiler.ir.Layout;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Param;
import org.dnnc.compiler.ir.TensorType;

/**
 * Live intervals of a program's values over its schedule. Parameters live in the persistent arena
 * and are not part of it; views ({@code flatten}, {@code reshape}) only reinterpret their operand's
 * bytes, so they alias it and stretch its interval, and ops that can run in place (element-wise
 * ones) write over an operand that dies at them. Inputs are written before the first node runs,
 * and outputs are read after the last one, so both live to the program's edges. A call's scratch
 * lives during that call; what a call saves for its gradient's calls lives as long as its value,
 * and a batchnorm's saved statistics until the last gradient call that reads them.
 */
final class Liveness {
    private Liveness() {}

    /** The values to place, unplaced (offset 0), in schedule order. */
    static List<Buffer> intervals(Graph graph, int batch, Map<Integer, Integer> aliases, PlanRules rules) {
        List<Node> nodes = graph.nodes();
        Map<Integer, int[]> interval = new LinkedHashMap<>();
        Map<Integer, Node> byId = new HashMap<>();
        Map<Integer, Integer> position = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            byId.put(n.id(), n);
            position.put(n.id(), i);
            if (n.op() instanceof Param) {
                continue;
            }
            if (n.op().viewOnly()) {
                aliases.put(n.id(), root(aliases, n.inputs().get(0)));
                continue;
            }
            interval.put(n.id(), new int[] {n.op() instanceof Input ? 0 : i, i});
        }
        int last = nodes.size() - 1;
        for (int i = 0; i < nodes.size(); i++) {
            for (int operand : nodes.get(i).inputs()) {
                int[] live = interval.get(root(aliases, operand));
                if (live != null) {
                    live[1] = Math.max(live[1], i);
                }
            }
        }
        for (int output : graph.outputs().values()) {
            int[] live = interval.get(root(aliases, output));
            if (live != null) {
                live[1] = last;
            }
        }
        callTogether(graph, position, interval, aliases);
        runInPlace(nodes, byId, interval, aliases, graph, batch);
        // Resolve chains (a flatten of a value computed in place), so that one lookup finds the buffer.
        aliases.replaceAll((id, target) -> root(aliases, target));
        List<Buffer> buffers = new ArrayList<>();
        interval.forEach((id, live) -> {
            Node n = byId.get(id);
            buffers.add(new Buffer(id, Buffer.Role.VALUE, label(graph, n), bytes(n.type(), batch), live[0], live[1], 0));
        });
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            long scratch = rules.scratchBytes(graph, n, batch);
            if (scratch > 0) {
                buffers.add(new Buffer(n.id(), Buffer.Role.SCRATCH, "%" + n.id() + " scratch of " + n.op().mnemonic(),
                        scratch, i, i, 0));
            }
            long saved = rules.savedBytes(graph, n, batch);
            int[] live = interval.get(root(aliases, n.id()));
            if (saved > 0 && live != null) {
                // A batchnorm's gradients read its saved statistics but not its value.
                int end = live[1];
                for (Node reader : BatchNormStatistics.readersOf(graph, n)) {
                    end = Math.max(end, position.get(reader.id()));
                }
                buffers.add(new Buffer(n.id(), Buffer.Role.SAVED, "%" + n.id() + " saved by " + n.op().mnemonic(),
                        saved, i, end, 0));
            }
        }
        return buffers;
    }

    /**
     * A group runs as one call at its first member (see {@link CallGroups}): every member's result
     * is written there, and every member's operand is read until the last member's place.
     */
    private static void callTogether(Graph graph, Map<Integer, Integer> position, Map<Integer, int[]> interval,
            Map<Integer, Integer> aliases) {
        for (List<Node> members : CallGroups.of(graph).all()) {
            int first = position.get(members.get(0).id());
            int lastMember = position.get(members.get(members.size() - 1).id());
            for (Node m : members) {
                int[] own = interval.get(m.id());
                if (own != null) {
                    own[0] = Math.min(own[0], first);
                }
                for (int operand : m.inputs()) {
                    int[] live = interval.get(root(aliases, operand));
                    if (live != null) {
                        live[1] = Math.max(live[1], lastMember);
                    }
                }
            }
        }
    }

    static int root(Map<Integer, Integer> aliases, int id) {
        int root = id;
        while (aliases.containsKey(root)) {
            root = aliases.get(root);
        }
        return root;
    }

    /**
     * An op that can run in place may write its result over an operand that dies there: it reads
     * each element before writing it. The operand must be computed in this program (inputs belong to
     * the caller) and have the same size.
     */
    private static void runInPlace(List<Node> nodes, Map<Integer, Node> byId, Map<Integer, int[]> interval,
            Map<Integer, Integer> aliases, Graph graph, int batch) {
        var outputs = new java.util.HashSet<Integer>();
        graph.outputs().values().forEach(o -> outputs.add(root(aliases, o)));
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            if (!n.op().inPlaceCapable() || !interval.containsKey(n.id())) {
                continue;
            }
            for (int operand : n.inputs()) {
                int root = root(aliases, operand);
                int[] live = interval.get(root);
                if (live == null || live[1] != i || outputs.contains(root) || byId.get(root).op() instanceof Input
                        || bytes(byId.get(root).type(), batch) != bytes(n.type(), batch)) {
                    continue;
                }
                int[] mine = interval.remove(n.id());
                live[1] = Math.max(live[1], mine[1]);
                aliases.put(n.id(), root);
                if (outputs.remove(n.id())) {
                    outputs.add(root);
                }
                break;
            }
        }
    }

    /** Four bytes per element (f32 and i32), the batch dimension at {@code batch}, sequences at their bound. */
    static long bytes(TensorType type, int batch) {
        long elements = 1;
        for (Dim d : type.dims()) {
            elements *= d instanceof Dim.Batch ? batch : d.bound();
        }
        return elements * 4;
    }

    /** The value's node, and its layout where that is not NCHW (the planner sizes either alike). */
    private static String label(Graph graph, Node n) {
        if (n.op() instanceof Input input) {
            return "%" + n.id() + " input " + input.name();
        }
        Layout layout = graph.layout(n.id());
        return "%" + n.id() + " " + n.op().mnemonic() + (layout == Layout.NCHW ? "" : " " + layout.mnemonic());
    }
}
