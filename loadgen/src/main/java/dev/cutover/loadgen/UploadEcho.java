package dev.cutover.loadgen;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an upload endpoint says it received: {@code {"bytes":N,"sha256":"hex"}}. Two fields do not
 * justify a JSON library in the measuring instrument; the patterns accept any field order and spacing.
 */
record UploadEcho(long bytes, String sha256) {

    private static final Pattern BYTES = Pattern.compile("\"bytes\"\\s*:\\s*(\\d{1,18})");
    private static final Pattern SHA256 = Pattern.compile("\"sha256\"\\s*:\\s*\"([0-9a-fA-F]+)\"");

    /** @return the echo, or null when the text does not hold both fields */
    static UploadEcho parse(CharSequence json) {
        final Matcher bytes = BYTES.matcher(json);
        final Matcher sha256 = SHA256.matcher(json);
        if (!bytes.find() || !sha256.find()) {
            return null;
        }
        return new UploadEcho(Long.parseLong(bytes.group(1)), sha256.group(1));
    }
}
