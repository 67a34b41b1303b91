package dev.cutover.testing;

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
import java.util.function.Function;

/**
 * A server on a plain {@link ServerSocket} that answers with exact bytes: for the misbehaviour a
 * real HTTP server would never produce (hop-by-hop headers, wrong echoes, cut responses, garbage,
 * silence, a stray 101). One virtual thread per connection runs the test's conversation.
 */
public final class RawHttpServer implements AutoCloseable {

    /** What one connection does, from accept to close. */
    @FunctionalInterface
    public interface Conversation {
        void talk(Socket socket, InputStream in, OutputStream out) throws IOException, InterruptedException;
    }

    /** What to do with a connection after a scripted response. */
    public enum After { KEEP_OPEN, CLOSE }

    private final ServerSocket listener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();

    private RawHttpServer(Function<RawHttpServer, Conversation> conversation) throws IOException {
        listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Conversation talk = conversation.apply(this);
        Thread.ofVirtual().name("raw-http-accept").start(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket socket = listener.accept();
                    accepted.incrementAndGet();
                    open.incrementAndGet();
                    sockets.add(socket);
                    Thread.ofVirtual().name("raw-http-connection").start(() -> {
                        try (socket) {
                            talk.talk(socket, socket.getInputStream(), socket.getOutputStream());
                        } catch (IOException | InterruptedException e) {
                            // the client went away, or the test is over
                        } finally {
                            open.decrementAndGet();
                        }
                    });
                } catch (IOException e) {
                    return; // closed
                }
            }
        });
    }

    public static RawHttpServer start(Conversation conversation) throws IOException {
        return new RawHttpServer(server -> conversation);
    }

    /** Answers every request with the same bytes. */
    public static RawHttpServer answering(String response, After after) throws IOException {
        byte[] bytes = response.getBytes(StandardCharsets.ISO_8859_1);
        return answering(head -> bytes, after);
    }

    /**
     * Answers each request head with the bytes {@code script} returns for it (its body, if it has
     * a Content-Length, is read and dropped); null drops the connection without an answer.
     */
    public static RawHttpServer answering(Function<String, byte[]> script, After after) throws IOException {
        return new RawHttpServer(server -> (socket, in, out) -> {
            String head;
            while ((head = readHead(in)) != null) {
                server.requests.add(head);
                skip(in, contentLength(head));
                byte[] response = script.apply(head);
                if (response == null) {
                    return;
                }
                out.write(response);
                out.flush();
                if (after == After.CLOSE) {
                    return;
                }
            }
        });
    }

    public int port() {
        return listener.getLocalPort();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port() + "/");
    }

    /** Request heads received by a scripted server, in order. */
    public List<String> requests() {
        return requests;
    }

    public int connectionsAccepted() {
        return accepted.get();
    }

    /** Connections accepted and not yet closed by either side. */
    public int openConnections() {
        return open.get();
    }

    /** The request head up to and including the blank line, or null when the client closed first. */
    public static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    public static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Long.parseLong(line.substring("content-length:".length()).strip());
            }
        }
        return 0;
    }

    public static void skip(InputStream in, long bytes) throws IOException {
        long left = bytes;
        byte[] sink = new byte[8192];
        while (left > 0) {
            int n = in.read(sink, 0, (int) Math.min(sink.length, left));
            if (n < 0) {
                throw new IOException("client closed mid-body");
            }
            left -= n;
        }
    }

    public static void write(OutputStream out, String bytes) throws IOException {
        out.write(bytes.getBytes(StandardCharsets.ISO_8859_1));
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
