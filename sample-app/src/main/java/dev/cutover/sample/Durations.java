package dev.cutover.sample;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as operators write them in flags, env vars and behavior files: {@code 500ms}, {@code 2s}, {@code 1m}. */
public final class Durations {

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)");

    private Durations() {
    }

    /**
     * Parses {@code 500ms}, {@code 2s} or {@code 1m}; a bare {@code 0} also means no delay.
     *
     * @throws IllegalArgumentException naming the value and showing the accepted forms
     */
    public static Duration parse(String text) {
        final String trimmed = text.trim();
        if (trimmed.equals("0")) {
            return Duration.ZERO;
        }
        final Matcher m = DURATION.matcher(trimmed);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; write it like 500ms, 2s or 1m");
        }
        final long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            default -> Duration.ofMinutes(amount);
        };
    }
}
