package dev.cutover.server.control;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads an HTTP/1.1 chunked body as plain bytes. Never reads ahead into a chunk that has not
 * arrived: a streamed line is readable as soon as its chunk is.
 */
final class ChunkedBody extends InputStream {

    private final InputStream in;
    private long remaining;
    private boolean started;
    private boolean finished;

    ChunkedBody(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (remaining == 0 && !nextChunk()) {
            return -1;
        }
        int n = in.read(buffer, offset, (int) Math.min(length, remaining));
        if (n == -1) {
            throw new EOFException("the connection closed in the middle of a chunk");
        }
        remaining -= n;
        return n;
    }

    /** Moves to the next chunk; false at the last (empty) one, after its trailers. */
    private boolean nextChunk() throws IOException {
        if (finished) {
            return false;
        }
        if (started && !readLine().isEmpty()) {
            throw new IOException("a chunk did not end with CRLF");
        }
        started = true;
        String header = readLine();
        int extension = header.indexOf(';');
        String size = (extension >= 0 ? header.substring(0, extension) : header).trim();
        try {
            remaining = Long.parseLong(size, 16);
        } catch (NumberFormatException e) {
            throw new IOException("not a chunk size: '" + header + "'");
        }
        if (remaining < 0) {
            throw new IOException("not a chunk size: '" + header + "'");
        }
        if (remaining == 0) {
            while (!readLine().isEmpty()) {
                // trailers: none that we use
            }
            finished = true;
            return false;
        }
        return true;
    }

    private String readLine() throws IOException {
        return readLine(in);
    }

    /** One CRLF- (or LF-) terminated line of ASCII, without its terminator. */
    static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b == -1) {
                throw new EOFException("the connection closed in the middle of a line");
            }
            if (b == '\n') {
                int last = line.length() - 1;
                if (last >= 0 && line.charAt(last) == '\r') {
                    line.setLength(last);
                }
                return line.toString();
            }
            if (line.length() > 16 * 1024) {
                throw new IOException("a header line longer than 16 KiB: " + line.substring(0, 80) + "...");
            }
            line.append((char) b);
        }
    }
}
