package dev.cutover.proxy;

import java.util.Arrays;

import io.netty.buffer.ByteBuf;

/**
 * Where a head's header lines lie in the bytes they came in, each with what the proxy does with
 * it (a kind the head defines), and the header names the message's Connection header listed:
 * those are hop-by-hop too (RFC 9110 section 7.6.1). No line is copied until the head is written on.
 */
final class HeaderLines {

    private int[] lines = new int[3 * 16];   // (start, end without CRLF, kind) per line
    private int count;
    private int[] connectionNames = new int[4];
    private int connectionNameCount;

    void clear() {
        count = 0;
        connectionNameCount = 0;
    }

    void add(int start, int end, int kind) {
        if (3 * count + 3 > lines.length) {
            lines = Arrays.copyOf(lines, lines.length * 2);
        }
        lines[3 * count] = start;
        lines[3 * count + 1] = end;
        lines[3 * count + 2] = kind;
        count++;
    }

    int count() {
        return count;
    }

    int start(int line) {
        return lines[3 * line];
    }

    int end(int line) {
        return lines[3 * line + 1];
    }

    int kind(int line) {
        return lines[3 * line + 2];
    }

    /** Total bytes of the lines, with a CRLF each. */
    int size() {
        int size = 0;
        for (int i = 0; i < count; i++) {
            size += lines[3 * i + 1] - lines[3 * i] + 2;
        }
        return size;
    }

    void addConnectionName(int start, int end) {
        if (2 * connectionNameCount + 2 > connectionNames.length) {
            connectionNames = Arrays.copyOf(connectionNames, connectionNames.length * 2);
        }
        connectionNames[2 * connectionNameCount] = start;
        connectionNames[2 * connectionNameCount + 1] = end;
        connectionNameCount++;
    }

    static final int CLOSE = 1;
    static final int KEEP_ALIVE = 2;
    static final int UPGRADE = 4;

    private static final byte[] CLOSE_TOKEN = {'c', 'l', 'o', 's', 'e'};
    private static final byte[] KEEP_ALIVE_TOKEN = "keep-alive".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] UPGRADE_TOKEN = "upgrade".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * Reads a Connection header's value: returns which of close, keep-alive and upgrade it holds
     * ({@link #CLOSE} | {@link #KEEP_ALIVE} | {@link #UPGRADE}) and remembers every other name it lists.
     */
    int readConnection(ByteBuf bytes, int valueStart, int valueEnd) {
        int flags = 0;
        int token = valueStart;
        while (token < valueEnd) {
            int comma = bytes.indexOf(token, valueEnd, (byte) ',');
            int tokenEnd = comma < 0 ? valueEnd : comma;
            int start = HttpBytes.skipWhitespace(bytes, token, tokenEnd);
            int end = HttpBytes.trimWhitespace(bytes, start, tokenEnd);
            if (HttpBytes.is(bytes, start, end, CLOSE_TOKEN)) {
                flags |= CLOSE;
            } else if (HttpBytes.is(bytes, start, end, KEEP_ALIVE_TOKEN)) {
                flags |= KEEP_ALIVE;
            } else if (HttpBytes.is(bytes, start, end, UPGRADE_TOKEN)) {
                flags |= UPGRADE;
            } else if (end > start) {
                addConnectionName(start, end);
            }
            token = tokenEnd + 1;
        }
        return flags;
    }

    /** Whether {@code line} is a header the Connection header named (so it ends at this hop). */
    boolean namedInConnection(ByteBuf bytes, int line) {
        if (connectionNameCount == 0) {
            return false;
        }
        int start = start(line);
        int colon = bytes.indexOf(start, end(line), (byte) ':');
        for (int i = 0; i < connectionNameCount; i++) {
            int nameStart = connectionNames[2 * i];
            int length = connectionNames[2 * i + 1] - nameStart;
            if (length == colon - start && HttpBytes.equalsIgnoreCase(bytes, start, bytes, nameStart, length)) {
                return true;
            }
        }
        return false;
    }

    /** Writes line {@code line} and a CRLF. */
    void write(ByteBuf bytes, int line, ByteBuf out) {
        int start = start(line);
        out.writeBytes(bytes, start, end(line) - start).writeByte('\r').writeByte('\n');
    }

    /** Writes the trimmed value of every line of {@code kind}, each followed by ", ". */
    void writeValues(ByteBuf bytes, int kind, ByteBuf out) {
        for (int i = 0; i < count; i++) {
            if (kind(i) == kind) {
                int colon = bytes.indexOf(start(i), end(i), (byte) ':');
                int valueStart = HttpBytes.skipWhitespace(bytes, colon + 1, end(i));
                int valueEnd = HttpBytes.trimWhitespace(bytes, valueStart, end(i));
                if (valueEnd > valueStart) {
                    out.writeBytes(bytes, valueStart, valueEnd - valueStart).writeByte(',').writeByte(' ');
                }
            }
        }
    }
}
