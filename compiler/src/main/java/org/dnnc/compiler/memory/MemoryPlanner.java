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
        List<Buffer> placed = new ArrayList<>();
        for (Buffer b : bySize) {
            placed.add(b.at(bestFit(b, placed)));
        }
        placed.sort(Comparator.comparingInt(Buffer::start).thenComparing(Buffer::role).thenComparingInt(Buffer::value));
        long arena = placed.stream().mapToLong(b -> b.offset() + b.bytes()).max().orElse(0);
        long naive = unplaced.stream().mapToLong(Buffer::bytes).sum();
        long persistent = graph.params().stream().mapToLong(n -> rules.align(Liveness.bytes(n.type(), batch))).sum();
        return new MemoryPlan(batch, rules.alignment(), placed, aliases, arena, naive, lowerBound(unplaced, graph.nodes()),
                persistent);
    }

    /** The smallest gap between time-overlapping buffers that holds {@code b}, else the first byte past them. */
    private static long bestFit(Buffer b, List<Buffer> placed) {
        List<Buffer> conflicts = placed.stream().filter(b::overlapsInTime)
                .sorted(Comparator.comparingLong(Buffer::offset)).toList();
        long best = -1;
        long bestGap = Long.MAX_VALUE;
        long cursor = 0;
        for (Buffer c : conflicts) {
            long gap = c.offset() - cursor;
            if (gap >= b.bytes() && gap < bestGap) {
                best = cursor;
                bestGap = gap;
            }
            cursor = Math.max(cursor, c.offset() + c.bytes());
        }
        return best >= 0 ? best : cursor;
    }

    private static long lowerBound(List<Buffer> buffers, List<Node> schedule) {
        long max = 0;
        for (int t = 0; t < schedule.size(); t++) {
            long live = 0;
            for (Buffer b : buffers) {
                if (b.start() <= t && t <= b.end()) {
                    live += b.bytes();
                }
            }
            max = Math.max(max, live);
        }
        return max;
    }
}
