package org.dnnc.compiler.memory;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where every value of a program lives: one arena of {@code arenaBytes} for the step's values,
 * and a persistent one for the parameters.
 *
 * @param buffers         the placed values, in schedule order
 * @param aliases         value -> the value whose bytes it reuses (flatten, reshape, in place)
 * @param naiveBytes      what one buffer per value would take
 * @param lowerBound      the most bytes live at any one point: no plan can do better
 * @param persistentBytes the parameters (their gradients and optimizer state are planned by the caller)
 */
public record MemoryPlan(int batch, int alignment, List<Buffer> buffers, Map<Integer, Integer> aliases, long arenaBytes,
        long naiveBytes, long lowerBound, long persistentBytes) {

    public MemoryPlan {
        buffers = List.copyOf(buffers);
        aliases = Collections.unmodifiableMap(new LinkedHashMap<>(aliases));
    }

    /** The buffer of a value, following aliases. */
    public Buffer bufferOf(int value) {
        int root = aliases.getOrDefault(value, value);
        return buffers.stream().filter(b -> b.role() == Buffer.Role.VALUE && b.value() == root).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("value %" + value + " has no buffer"));
    }

    /** Planned bytes over the lower bound: 1.0 is optimal. */
    public double overhead() {
        return lowerBound == 0 ? 1 : (double) arenaBytes / lowerBound;
    }
}
