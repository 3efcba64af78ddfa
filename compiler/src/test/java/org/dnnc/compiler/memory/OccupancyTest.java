package org.dnnc.compiler.memory;

import static com.google.common.truth.Truth.assertWithMessage;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The indexed best fit places every buffer where a scan of all placed buffers would. */
class OccupancyTest {

    @Test
    void agreesWithAScanOfEveryPlacedBuffer() {
        Random random = new Random(16);
        for (int round = 0; round < 200; round++) {
            int positions = 1 + random.nextInt(60);
            Occupancy index = new Occupancy(positions);
            List<long[]> placed = new ArrayList<>();
            int buffers = 1 + random.nextInt(80);
            for (int b = 0; b < buffers; b++) {
                int start = random.nextInt(positions);
                int end = start + random.nextInt(positions - start);
                long bytes = 64L * (1 + random.nextInt(round % 2 == 0 ? 4 : 40));
                long expected = scan(placed, start, end, bytes);
                long actual = index.bestFit(start, end, bytes);
                assertWithMessage("round %s, buffer %s: %s bytes live [%s, %s]", round, b, bytes, start, end)
                        .that(actual).isEqualTo(expected);
                index.add(start, end, actual, bytes);
                placed.add(new long[] {start, end, actual, bytes});
            }
        }
    }

    /** The planner's original best fit: every placed buffer that overlaps in time, by offset. */
    private static long scan(List<long[]> placed, int start, int end, long bytes) {
        List<long[]> conflicts = placed.stream().filter(p -> p[0] <= end && start <= p[1])
                .sorted(Comparator.comparingLong(p -> p[2])).toList();
        long best = -1;
        long bestGap = Long.MAX_VALUE;
        long cursor = 0;
        for (long[] c : conflicts) {
            long gap = c[2] - cursor;
            if (gap >= bytes && gap < bestGap) {
                best = cursor;
                bestGap = gap;
            }
            cursor = Math.max(cursor, c[2] + c[3]);
        }
        return best >= 0 ? best : cursor;
    }
}
