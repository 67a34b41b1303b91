package dev.cutover.server.config;

import java.util.Collection;
import java.util.Locale;

/** The known key an unknown one was probably meant to be: a typo, a camelCase spelling, a cut-off name. */
final class ClosestKey {

    private ClosestKey() {
    }

    /** The best guess among {@code known}, or null when none is close enough to suggest. */
    static String to(String unknown, Collection<String> known) {
        String wanted = fold(unknown);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            String folded = fold(candidate);
            int distance = folded.startsWith(wanted) && wanted.length() >= 3 ? 1 : distance(wanted, folded);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return bestDistance <= Math.max(1, Math.min(3, wanted.length() / 3)) ? best : null;
    }

    /** drainTimeout, drain-timeout and DRAIN_TIMEOUT all mean drain_timeout. */
    private static String fold(String key) {
        return key.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
