package org.dnnc.runtime.io;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * "Did you mean ...?" for tensor names: the closest candidate by edit distance, if it is close
 * enough to be a plausible typo or a near-miss of a renaming rule. (The compiler has its own for
 * source names; the runtime does not depend on the compiler.)
 */
final class NameSuggestions {
    private NameSuggestions() {}

    /** The candidate nearest {@code name}, within about a third of its length in edits. */
    static Optional<String> closest(String name, Collection<String> candidates) {
        int limit = Math.max(1, name.length() / 3);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            if (candidate.equals(name) || Math.abs(candidate.length() - name.length()) > limit) {
                continue;
            }
            int d = distance(name.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT), limit);
            if (d < bestDistance || (d == bestDistance && candidate.compareTo(best) < 0)) {
                bestDistance = d;
                best = candidate;
            }
        }
        return bestDistance <= limit ? Optional.of(best) : Optional.empty();
    }

    /**
     * Levenshtein distance of {@code a} and {@code b}, or {@code limit + 1} once every alignment
     * costs more than {@code limit} (which keeps many long names cheap).
     */
    static int distance(String a, String b, int limit) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            int rowMin = current[0];
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                rowMin = Math.min(rowMin, current[j]);
            }
            if (rowMin > limit) {
                return limit + 1;
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
