package dev.cutover.loadgen;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server on a plain {@link ServerSocket} that answers with exact bytes: for the misbehaviour a real
 * HTTP server would never produce (wrong echoes, cut responses, garbage, silence). One virtual thread
 * per connection runs the test's conversation.
 */
final class RawHttpServer implements AutoCloseable {

    @FunctionalInterface
    interface Conversation {
        void talk(Socket socket, InputStream in, OutputStream out) throws IOException, InterruptedException;
    }

    private final ServerSocket listener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();

    private RawHttpServer(Conversation conversation) throws IOException {
        listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread.ofVirtual().name("raw-http-accept").start(() -> {
            while (!listener.isClosed()) {
                try {
                    final Socket socket = listener.accept();
                    accepted.incrementAndGet();
                    sockets.add(socket);
                    Thread.ofVirtual().name("raw-http-connection").start(() -> {
                        try (socket) {
                            conversation.talk(socket, socket.getInputStream(), socket.getOutputStream());
                        } catch (IOException | InterruptedException e) {
                            // the client went away, or the test is over
                        }
                    });
                } catch (IOException e) {
                    return; // closed
                }
            }
        });
    }

    static RawHttpServer start(Conversation conversation) throws IOException {
        return new RawHttpServer(conversation);
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort() + "/");
    }

    int connectionsAccepted() {
        return accepted.get();
    }

    /** The request head up to and including the blank line, or null when the client closed first. */
    static String readHead(InputStream in) throws IOException {
        final ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            final int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Long.parseLong(line.substring("content-length:".length()).strip());
            }
        }
        return 0;
    }

    static void skip(InputStream in, long bytes) throws IOException {
        long left = bytes;
        final byte[] sink = new byte[8192];
        while (left > 0) {
            final int n = in.read(sink, 0, (int) Math.min(sink.length, left));
            if (n < 0) {
                throw new IOException("client closed mid-body");
            }
            left -= n;
        }
    }

    static void write(OutputStream out, String bytes) throws IOException {
        out.write(bytes.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
