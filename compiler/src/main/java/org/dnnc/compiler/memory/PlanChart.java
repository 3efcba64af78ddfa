package org.dnnc.compiler.memory;

import java.util.List;

/**
 * A text picture of a memory plan: time (schedule positions) runs left to right, the arena's bytes
 * top to bottom, and each cell shows the letter of the buffer that holds those bytes at that time
 * ({@code .} where nothing does), so buffers that share bytes at different times show as different
 * letters in the same rows.
 */
public final class PlanChart {
    private static final String LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private PlanChart() {}

    /** The chart, {@code rows} bands of bytes high and at most {@code columns} wide, then a legend. */
    public static String render(MemoryPlan plan, int rows, int columns) {
        List<Buffer> buffers = plan.buffers();
        int steps = buffers.stream().mapToInt(Buffer::end).max().orElse(0) + 1;
        int width = Math.min(columns, steps);
        long arena = Math.max(1, plan.arenaBytes());
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < rows; r++) {
            long low = arena * r / rows;
            long high = arena * (r + 1) / rows;
            out.append(String.format("%12s |", String.format("%,d", low)));
            for (int c = 0; c < width; c++) {
                int from = steps * c / width;
                int to = Math.max(from, steps * (c + 1) / width - 1);
                out.append(cell(buffers, low, high, from, to));
            }
            out.append("|\n");
        }
        out.append(String.format("%12s  time: schedule positions 0 to %d%n", String.format("%,d", arena), steps - 1));
        for (int i = 0; i < buffers.size(); i++) {
            Buffer b = buffers.get(i);
            out.append(String.format("  %c %s (%,d bytes at %,d, live %d-%d)%n", letter(i), b.label(), b.bytes(), b.offset(),
                    b.start(), b.end()));
        }
        return out.toString();
    }

    /** The buffer holding the most of these bytes over this time span, as a letter. */
    private static char cell(List<Buffer> buffers, long low, long high, int from, int to) {
        int best = -1;
        long bestOverlap = 0;
        for (int i = 0; i < buffers.size(); i++) {
            Buffer b = buffers.get(i);
            if (b.end() < from || b.start() > to) {
                continue;
            }
            long overlap = Math.min(high, b.offset() + b.bytes()) - Math.max(low, b.offset());
            if (overlap > bestOverlap) {
                bestOverlap = overlap;
                best = i;
            }
        }
        return best < 0 ? '.' : letter(best);
    }

    private static char letter(int i) {
        return LETTERS.charAt(i % LETTERS.length());
    }
}
