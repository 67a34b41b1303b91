package dev.cutover.sample;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 connection over a plain socket: the test writes exact bytes and reads responses
 * exactly as they arrive, so framing (Content-Length, chunked, 100 Continue, keep-alive) is checked
 * byte for byte rather than through a client library that hides it.
 */
final class RawConnection implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawConnection(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(15_000); // a read that hangs fails the test instead of the build
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** Sends text as ISO-8859-1, with {@code \n} written as CRLF. */
    RawConnection send(String text) throws IOException {
        out.write(text.replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return this;
    }

    OutputStream out() {
        return out;
    }

    InputStream in() {
        return in;
    }

    Socket socket() {
        return socket;
    }

    /** Reads one response to a request that may carry a body. */
    RawResponse read() throws IOException {
        return read(false);
    }

    /** Reads one response to a HEAD request: its head only, whatever Content-Length says. */
    RawResponse readHead() throws IOException {
        return read(true);
    }

    private RawResponse read(boolean toHead) throws IOException {
        final String statusLine = line();
        final String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP status line: '" + statusLine + "'");
        }
        final int status = Integer.parseInt(parts[1]);
        final Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String line = line(); !line.isEmpty(); line = line()) {
            final int colon = line.indexOf(':');
            headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(line.substring(colon + 1).trim());
        }
        final RawResponse head = new RawResponse(status, headers, new byte[0]);
        final byte[] body;
        if (toHead || status / 100 == 1 || status == 204 || status == 304) {
            body = new byte[0];
        } else if ("chunked".equalsIgnoreCase(head.header("transfer-encoding"))) {
            body = readChunked();
        } else if (head.header("content-length") != null) {
            body = in.readNBytes(Integer.parseInt(head.header("content-length")));
        } else {
            body = in.readAllBytes(); // delimited by the connection closing
        }
        return new RawResponse(status, headers, body);
    }

    private byte[] readChunked() throws IOException {
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            final int size = Integer.parseInt(line().split(";")[0].trim(), 16);
            if (size == 0) {
                while (!line().isEmpty()) {
                    // trailers: none expected, skip any
                }
                return body.toByteArray();
            }
            body.write(in.readNBytes(size));
            if (!line().isEmpty()) {
                throw new IOException("chunk of " + size + " bytes was not followed by CRLF");
            }
        }
    }

    private String line() throws IOException {
        final StringBuilder line = new StringBuilder();
        while (true) {
            final int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed in the middle of a response head (read so far: '" + line + "')");
            }
            if (b == '\n') {
                final int end = line.length() > 0 && line.charAt(line.length() - 1) == '\r' ? line.length() - 1 : line.length();
                return line.substring(0, end);
            }
            line.append((char) b);
        }
    }

    /** Whether the server closed this connection: the next read sees end of stream. */
    boolean closedByServer() throws IOException {
        return in.read() < 0;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    record RawResponse(int status, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            final List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : values.get(0);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }
}
