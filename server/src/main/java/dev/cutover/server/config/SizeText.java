package dev.cutover.server.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes as cutover.yml writes them: {@code 8192}, {@code 16KB}, {@code 1MB} (KB = 1024 bytes). */
final class SizeText {

    static final String EXAMPLES = "8192, 16KB or 1MB";

    private static final Pattern FORM = Pattern.compile("(\\d{1,10})\\s*(B|KB|K|MB|M)?");

    private SizeText() {
    }

    /** The size in bytes, or -1 when the text is not a size. */
    static long parse(String text) {
        Matcher m = FORM.matcher(text.trim().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            return -1;
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        return switch (unit) {
            case "KB", "K" -> amount * 1024;
            case "MB", "M" -> amount * 1024 * 1024;
            default -> amount;
        };
    }
}
