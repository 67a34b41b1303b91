package dev.cutover.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A backend that answers each request head with bytes the test wrote, exactly: for responses a
 * real app rarely sends (hop-by-hop headers, close-delimited bodies, truncated answers, a stray
 * 101). It records the request heads it received.
 */
final class ScriptedBackend implements AutoCloseable {

    /** What to do with a connection after writing the response. */
    enum After { KEEP_OPEN, CLOSE }

    private final ServerSocket server;
    private final Function<String, byte[]> script;
    private final After after;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();

    private ScriptedBackend(Function<String, byte[]> script, After after) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.script = script;
        this.after = after;
        Thread.ofVirtual().start(this::acceptLoop);
    }

    static ScriptedBackend answering(String response, After after) throws IOException {
        byte[] bytes = response.getBytes(StandardCharsets.ISO_8859_1);
        return new ScriptedBackend(head -> bytes, after);
    }

    static ScriptedBackend answering(Function<String, byte[]> script, After after) throws IOException {
        return new ScriptedBackend(script, after);
    }

    int port() {
        return server.getLocalPort();
    }

    Target target(String name) {
        return Target.of(name, "127.0.0.1", port());
    }

    List<String> requests() {
        return requests;
    }

    int connections() {
        return connections.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                sockets.add(socket);
                connections.incrementAndGet();
                Thread.ofVirtual().start(() -> serve(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                requests.add(head);
                skipBody(in, head);
                byte[] response = script.apply(head);
                if (response == null) { // the script wants the connection dropped without an answer
                    return;
                }
                socket.getOutputStream().write(response);
                socket.getOutputStream().flush();
                if (after == After.CLOSE) {
                    return;
                }
            }
        } catch (IOException ignored) {
            // the proxy went away; nothing to answer
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while ((b = in.read()) != -1) {
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static void skipBody(InputStream in, String head) throws IOException {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                in.readNBytes(Integer.parseInt(line.substring(15).trim()));
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
