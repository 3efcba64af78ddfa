package org.dnnc.compiler.memory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;

/**
 * Plans a program's memory ahead of time: values are placed largest first, each at the offset of
 * the tightest gap left by the already-placed values whose lifetimes overlap its own (greedy by
 * size, best fit), so that values that are never live together share bytes.
 */
public final class MemoryPlanner {
    private MemoryPlanner() {}

    /** Plans {@code graph} for batches of at most {@code batch} examples, aligned and with scratch as {@code rules} say. */
    public static MemoryPlan plan(Graph graph, int batch, PlanRules rules) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be positive, got " + batch);
        }
        Map<Integer, Integer> aliases = new LinkedHashMap<>();
        List<Buffer> unplaced = Liveness.intervals(graph, batch, aliases, rules).stream()
                .map(b -> new Buffer(b.value(), b.role(), b.label(), rules.align(b.bytes()), b.start(), b.end(), 0))
                .toList();
        List<Buffer> bySize = new ArrayList<>(unplaced);
        bySize.sort(Comparator.comparingLong(Buffer::bytes).reversed().thenComparingInt(Buffer::start)
                .thenComparing(Buffer::role).thenComparingInt(Buffer::value));
        Occupancy occupied = new Occupancy(graph.nodes().size());
        List<Buffer> placed = new ArrayList<>();
        for (Buffer b : bySize) {
            Buffer at = b.at(occupied.bestFit(b.start(), b.end(), b.bytes()));
            occupied.add(at.start(), at.end(), at.offset(), at.bytes());
            placed.add(at);
        }
        placed.sort(Comparator.comparingInt(Buffer::start).thenComparing(Buffer::role).thenComparingInt(Buffer::value));
        long arena = placed.stream().mapToLong(b -> b.offset() + b.bytes()).max().orElse(0);
        long naive = unplaced.stream().mapToLong(Buffer::bytes).sum();
        long persistent = graph.params().stream().mapToLong(n -> rules.align(Liveness.bytes(n.type(), batch))).sum();
        return new MemoryPlan(batch, rules.alignment(), placed, aliases, arena, naive, lowerBound(unplaced, graph.nodes()),
                persistent);
    }

    /** The most bytes live at one schedule position, by one sweep over the positions where buffers start and end. */
    private static long lowerBound(List<Buffer> buffers, List<Node> schedule) {
        long[] change = new long[schedule.size() + 1];
        for (Buffer b : buffers) {
            change[b.start()] += b.bytes();
            change[b.end() + 1] -= b.bytes();
        }
        long max = 0;
        long live = 0;
        for (int t = 0; t < schedule.size(); t++) {
            live += change[t];
            max = Math.max(max, live);
        }
        return max;
    }
}
