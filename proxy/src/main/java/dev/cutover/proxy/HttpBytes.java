package dev.cutover.proxy;

import io.netty.buffer.ByteBuf;

/** HTTP/1.1 syntax checked on bytes in place (RFC 9110 section 5.6), without making strings. */
final class HttpBytes {

    private static final boolean[] TOKEN = new boolean[256];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
    }

    private HttpBytes() {
    }

    static boolean isToken(ByteBuf buf, int start, int end) {
        if (start >= end) {
            return false;
        }
        for (int i = start; i < end; i++) {
            if (!TOKEN[buf.getByte(i) & 0xFF]) {
                return false;
            }
        }
        return true;
    }

    /** ASCII case-insensitive comparison of {@code length} bytes of {@code a} at {@code ai} with {@code b} at {@code bi}. */
    static boolean equalsIgnoreCase(ByteBuf a, int ai, ByteBuf b, int bi, int length) {
        for (int i = 0; i < length; i++) {
            if (lower(a.getByte(ai + i)) != lower(b.getByte(bi + i))) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code buf[start, end)} is {@code lowerCaseName}, ignoring ASCII case. */
    static boolean is(ByteBuf buf, int start, int end, byte[] lowerCaseName) {
        if (end - start != lowerCaseName.length) {
            return false;
        }
        for (int i = 0; i < lowerCaseName.length; i++) {
            if (lower(buf.getByte(start + i)) != lowerCaseName[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code [start, end)} holds a control character other than a tab (a CR, an LF, a NUL, DEL...). */
    static boolean hasControlCharacter(ByteBuf buf, int start, int end) {
        for (int i = start; i < end; i++) {
            int b = buf.getByte(i) & 0xFF;
            if ((b < 0x20 && b != '\t') || b == 0x7F) {
                return true;
            }
        }
        return false;
    }

    /** A request target: visible characters only (bytes above 0x7F pass, as clients send UTF-8 paths). */
    static boolean isRequestTarget(ByteBuf buf, int start, int end) {
        for (int i = start; i < end; i++) {
            int b = buf.getByte(i) & 0xFF;
            if (b <= 0x20 || b == 0x7F) {
                return false;
            }
        }
        return end > start;
    }

    /** Whether {@code [start, end)} contains {@code lowerCaseWord}, ignoring ASCII case. */
    static boolean containsIgnoreCase(ByteBuf buf, int start, int end, byte[] lowerCaseWord) {
        for (int i = start; i + lowerCaseWord.length <= end; i++) {
            if (is(buf, i, i + lowerCaseWord.length, lowerCaseWord)) {
                return true;
            }
        }
        return false;
    }

    static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\t';
    }

    /** The first index in {@code [start, end)} that is not a space or tab. */
    static int skipWhitespace(ByteBuf buf, int start, int end) {
        while (start < end && isWhitespace(buf.getByte(start))) {
            start++;
        }
        return start;
    }

    /** One past the last index in {@code [start, end)} that is not a space or tab. */
    static int trimWhitespace(ByteBuf buf, int start, int end) {
        while (end > start && isWhitespace(buf.getByte(end - 1))) {
            end--;
        }
        return end;
    }

    /** A non-negative decimal in {@code [start, end)}, or -1 if it is not one (empty, other characters, too large). */
    static long decimal(ByteBuf buf, int start, int end) {
        if (start >= end || end - start > 18) {
            return -1;
        }
        long value = 0;
        for (int i = start; i < end; i++) {
            int digit = buf.getByte(i) - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    /** Up to 80 characters of a bad line, for an error message; anything unprintable shows as '?'. */
    static String printable(ByteBuf buf, int start, int end) {
        StringBuilder text = new StringBuilder();
        for (int i = start; i < Math.min(end, start + 80); i++) {
            char c = (char) (buf.getByte(i) & 0xFF);
            text.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return text.toString();
    }

    private static int lower(byte b) {
        return b >= 'A' && b <= 'Z' ? b + 32 : b;
    }
}
