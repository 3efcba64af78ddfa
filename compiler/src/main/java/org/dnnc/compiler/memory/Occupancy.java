package org.dnnc.compiler.memory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The bytes that placed buffers occupy over time, so that the planner can ask, for a new buffer,
 * which byte ranges are taken at some point of its lifetime, without looking at every placed buffer.
 * A buffer is never live at once with more than a few others in an inference chain, but in a
 * training step every saved activation is live at the turn from forward to backward; scanning them
 * all for each new buffer made planning quadratic in the depth of the network.
 *
 * <p>Time positions are the leaves of a segment tree. A buffer is recorded in the nodes that its live
 * range covers exactly ({@code own}), and in the union of their subtrees ({@code below}) up to the
 * root. The buffers live during a range are then those recorded below the nodes that cover the range
 * and those recorded on the nodes above them: a few unions of byte ranges, whatever the lifetimes.
 */
final class Occupancy {
    private final int leaves;
    private final Ranges[] own;
    private final Ranges[] below;

    /** An index for time positions 0 to {@code positions - 1}. */
    Occupancy(int positions) {
        int size = 1;
        while (size < Math.max(1, positions)) {
            size *= 2;
        }
        this.leaves = size;
        this.own = new Ranges[2 * size];
        this.below = new Ranges[2 * size];
    }

    /** Records that bytes {@code [offset, offset + bytes)} are taken from {@code start} to {@code end}, inclusive. */
    void add(int start, int end, long offset, long bytes) {
        for (int node : cover(start, end)) {
            ranges(own, node).add(offset, offset + bytes);
            ranges(below, node).add(offset, offset + bytes);
        }
        for (int node : above(start, end)) {
            ranges(below, node).add(offset, offset + bytes);
        }
    }

    /**
     * The best fit for {@code bytes} live from {@code start} to {@code end}: the lowest offset of the
     * smallest free gap that holds it among the bytes taken during that time, else the first byte
     * past them all.
     */
    long bestFit(int start, int end, long bytes) {
        List<long[]> taken = new ArrayList<>();
        for (int node : cover(start, end)) {
            collect(below[node], taken);
        }
        for (int node : above(start, end)) {
            collect(own[node], taken);
        }
        taken.sort(Comparator.comparingLong(r -> r[0]));
        long best = -1;
        long bestGap = Long.MAX_VALUE;
        long cursor = 0;
        for (long[] range : taken) {
            long gap = range[0] - cursor;
            if (gap >= bytes && gap < bestGap) {
                best = cursor;
                bestGap = gap;
            }
            cursor = Math.max(cursor, range[1]);
        }
        return best >= 0 ? best : cursor;
    }

    /** The nodes whose leaves together are exactly {@code [start, end]}. */
    private List<Integer> cover(int start, int end) {
        List<Integer> nodes = new ArrayList<>();
        for (int l = start + leaves, r = end + leaves + 1; l < r; l >>= 1, r >>= 1) {
            if ((l & 1) == 1) {
                nodes.add(l++);
            }
            if ((r & 1) == 1) {
                nodes.add(--r);
            }
        }
        return nodes;
    }

    /** The strict ancestors of the covering nodes: those on the paths from the range's two ends to the root. */
    private List<Integer> above(int start, int end) {
        List<Integer> nodes = new ArrayList<>();
        int l = (start + leaves) >> 1;
        int r = (end + leaves) >> 1;
        while (l >= 1) {
            nodes.add(l);
            if (r != l) {
                nodes.add(r);
            }
            l >>= 1;
            r >>= 1;
        }
        return nodes;
    }

    private static Ranges ranges(Ranges[] level, int node) {
        if (level[node] == null) {
            level[node] = new Ranges();
        }
        return level[node];
    }

    private static void collect(Ranges ranges, List<long[]> into) {
        if (ranges != null) {
            for (int k = 0; k < ranges.size; k += 2) {
                into.add(new long[] {ranges.bounds[k], ranges.bounds[k + 1]});
            }
        }
    }

    /**
     * A union of byte ranges {@code [from, to)}, kept as disjoint ranges that do not touch, in order,
     * as pairs in one array: most hold one or two ranges, so an array beats a tree.
     */
    private static final class Ranges {
        private long[] bounds = new long[4];
        private int size;

        void add(long from, long to) {
            // The first range that ends at or after from, and the first that starts after to.
            int first = 0;
            while (first < size && bounds[first + 1] < from) {
                first += 2;
            }
            int last = first;
            while (last < size && bounds[last] <= to) {
                last += 2;
            }
            if (first < last) {
                from = Math.min(from, bounds[first]);
                to = Math.max(to, bounds[last - 1]);
            }
            int removed = last - first;
            if (removed == 0) {
                if (size + 2 > bounds.length) {
                    bounds = Arrays.copyOf(bounds, bounds.length * 2);
                }
                System.arraycopy(bounds, first, bounds, first + 2, size - first);
                size += 2;
            } else if (removed > 2) {
                System.arraycopy(bounds, last, bounds, first + 2, size - last);
                size -= removed - 2;
            }
            bounds[first] = from;
            bounds[first + 1] = to;
        }
    }
}
