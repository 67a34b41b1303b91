package dev.cutover.server.control;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

/**
 * The CLI's side of the control API: plain JDK sockets and Jackson, no Netty, so a command starts
 * fast. One connection per request ({@code Connection: close}). There is no read timeout: a
 * deploy's answer may take minutes, and Ctrl-C ends a wait.
 *
 * <p>On TCP the client speaks HTTPS ({@link #https}) and checks the daemon's certificate and host
 * name before the token leaves the machine, or plain HTTP ({@link #tcp}), which the CLI only uses
 * towards loopback.
 *
 * <p>Failures: {@link DaemonUnreachableException} when the daemon cannot be reached, cannot be
 * trusted (TLS handshake failed) or the connection breaks mid-answer; {@link ControlException} for
 * any non-2xx answer, carrying the daemon's {@code error} text.
 */
public final class ControlClient {

    private static final int TCP_CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final int TLS_HANDSHAKE_TIMEOUT_MILLIS = 10_000;

    private final Path socket;
    private final String host;
    private final int port;
    private final String token;
    private final ControlTrust trust;

    private ControlClient(Path socket, String host, int port, String token, ControlTrust trust) {
        this.socket = socket;
        this.host = host;
        this.port = port;
        this.token = token;
        this.trust = trust;
    }

    /** The daemon on its Unix socket. */
    public static ControlClient unix(Path socket) {
        return new ControlClient(Objects.requireNonNull(socket, "socket"), null, -1, null, null);
    }

    /** The daemon on a plain-HTTP TCP listener (loopback, {@code tls: off}), with the token from its control.token_file. */
    public static ControlClient tcp(String host, int port, String token) {
        return new ControlClient(null, Objects.requireNonNull(host, "host"), port, Objects.requireNonNull(token, "token"), null);
    }

    /**
     * The daemon on its HTTPS listener. Its certificate must chain to {@code trust} and name {@code host}
     * (a DNS name or an IP address in its subjectAltName); only then is the token sent.
     */
    public static ControlClient https(String host, int port, String token, ControlTrust trust) {
        return new ControlClient(null, Objects.requireNonNull(host, "host"), port, Objects.requireNonNull(token, "token"),
                Objects.requireNonNull(trust, "trust"));
    }

    /** Where this client goes, as an operator would write it: a socket path or a URL. */
    public String target() {
        if (socket != null) {
            return socket.toString();
        }
        String shownHost = host.contains(":") ? "[" + host + "]" : host;
        return (trust != null ? "https://" : "http://") + shownHost + ":" + port;
    }

    /**
     * Sends one request and returns the answer's JSON document ({@link NullNode} for an empty body).
     *
     * @param body any value Jackson can write, or null for no body
     */
    public JsonNode call(String method, String path, Object body) {
        try (Connection connection = connect()) {
            Answer answer = exchange(connection, method, path, body);
            if (answer.status / 100 == 2 && answer.chunked()) {
                throw new IllegalStateException(method + " " + path + " answers with a stream of lines; read it with stream(...)");
            }
            byte[] bytes = answer.readAll();
            if (answer.status / 100 != 2) {
                throw failure(answer.status, bytes);
            }
            return parse(bytes);
        } catch (IOException e) {
            throw lost(e);
        }
    }

    /**
     * Sends one request and hands each line of the NDJSON answer to {@code onLine} as it arrives.
     * A final line {@code {"error": "..."}} means the daemon's handler failed mid-stream: it is
     * thrown as a {@link ControlException} (status 500), not handed over. A one-document answer
     * is handed over as a single line.
     */
    public void stream(String method, String path, Object body, Consumer<JsonNode> onLine) {
        try (Connection connection = connect()) {
            Answer answer = exchange(connection, method, path, body);
            if (answer.status / 100 != 2) {
                throw failure(answer.status, answer.readAll());
            }
            if (!answer.chunked()) {
                JsonNode document = parse(answer.readAll());
                if (!document.isNull()) {
                    onLine.accept(document);
                }
                return;
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(answer.body, StandardCharsets.UTF_8));
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = parse(line.getBytes(StandardCharsets.UTF_8));
                if (node.isObject() && node.size() == 1 && node.get("error") != null) {
                    throw new ControlException(500, node.get("error").asText());
                }
                onLine.accept(node);
            }
        } catch (IOException e) {
            throw lost(e);
        }
    }

    private Answer exchange(Connection connection, String method, String path, Object body) throws IOException {
        byte[] content = body == null ? new byte[0] : ControlJson.MAPPER.writeValueAsBytes(body);
        StringBuilder head = new StringBuilder()
                .append(method.toUpperCase(Locale.ROOT)).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(socket != null ? "localhost" : host).append("\r\n")
                .append("User-Agent: cutover-cli\r\n")
                .append("Accept: application/json, application/x-ndjson\r\n")
                .append("Connection: close\r\n")
                .append("Content-Length: ").append(content.length).append("\r\n");
        if (content.length > 0) {
            head.append("Content-Type: application/json\r\n");
        }
        if (token != null) {
            head.append("Authorization: Bearer ").append(token).append("\r\n");
        }
        head.append("\r\n");
        OutputStream out = connection.out;
        try {
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            out.write(content);
            out.flush();
        } catch (IOException writeFailed) {
            // The daemon may have refused the request before reading all of it (413, 401) and
            // closed: its answer is still there to read, and says more than "broken pipe".
            try {
                return Answer.read(connection.in);
            } catch (IOException noAnswer) {
                throw writeFailed;
            }
        }
        return Answer.read(connection.in);
    }

    private Connection connect() {
        return socket != null ? connectUnix() : connectTcp();
    }

    private Connection connectUnix() {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            throw noSuchSocket();
        }
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            return new Connection(channel, new BufferedInputStream(Channels.newInputStream(channel)), Channels.newOutputStream(channel));
        } catch (IOException e) {
            closeQuietly(channel);
            String reason = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
            if (e instanceof AccessDeniedException || reason.contains("permission denied")) {
                throw new DaemonUnreachableException("cannot reach the cutover daemon: you lack permission on " + socket
                        + " (it is 0600, owned by the daemon's user); run this command as that user", e);
            }
            if (reason.contains("no such file")) {
                throw noSuchSocket();
            }
            if (e instanceof ConnectException || reason.contains("refused")) {
                throw new DaemonUnreachableException("cannot reach the cutover daemon at " + socket + ": connection refused"
                        + " (the socket file is there but no daemon is listening; did it crash? start `cutover serve --config ...`)", e);
            }
            throw new DaemonUnreachableException("cannot reach the cutover daemon at " + socket + ": " + e.getMessage(), e);
        }
    }

    private DaemonUnreachableException noSuchSocket() {
        return new DaemonUnreachableException("cannot reach the cutover daemon at " + socket
                + ": no such socket (is `cutover serve --config ...` running?)");
    }

    private Connection connectTcp() {
        Socket tcp = new Socket();
        try {
            tcp.connect(new InetSocketAddress(host, port), TCP_CONNECT_TIMEOUT_MILLIS);
        } catch (IOException e) {
            closeQuietly(tcp);
            throw unreachable(e);
        }
        if (trust == null) {
            try {
                return new Connection(tcp, new BufferedInputStream(tcp.getInputStream()), tcp.getOutputStream());
            } catch (IOException e) {
                closeQuietly(tcp);
                throw unreachable(e);
            }
        }
        return handshake(tcp);
    }

    /**
     * TLS over the connected socket, checked before anything is sent: the certificate must chain to what
     * this client trusts and name the host it was asked to reach (HTTPS endpoint identification).
     */
    private Connection handshake(Socket tcp) {
        DaemonCertificateCheck check = trust.newCheck();
        SSLSocket tls = null;
        try {
            tls = (SSLSocket) trust.context(check).getSocketFactory().createSocket(tcp, host, port, true);
            SSLParameters parameters = tls.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
            tls.setSSLParameters(parameters);
            tls.setSoTimeout(TLS_HANDSHAKE_TIMEOUT_MILLIS);
            tls.startHandshake();
            tls.setSoTimeout(0); // an answer may take minutes (a deploy); Ctrl-C ends a wait
            return new Connection(tls, new BufferedInputStream(tls.getInputStream()), tls.getOutputStream());
        } catch (IOException e) {
            closeQuietly(tls != null ? tls : tcp);
            throw new TlsFailure(target(), trust.source(), host, check, TLS_HANDSHAKE_TIMEOUT_MILLIS / 1000).explain(e);
        }
    }

    private DaemonUnreachableException unreachable(IOException e) {
        String where = "cannot reach the cutover daemon at " + target() + ": ";
        if (e instanceof UnknownHostException) {
            return new DaemonUnreachableException(where + "unknown host " + host, e);
        }
        if (e instanceof ConnectException) {
            return new DaemonUnreachableException(where + "connection refused (is `cutover serve` running with a TCP control listener there?)", e);
        }
        if (e instanceof SocketTimeoutException) {
            return new DaemonUnreachableException(where + "no answer within " + TCP_CONNECT_TIMEOUT_MILLIS / 1000
                    + " s (a firewall, or the wrong address?)", e);
        }
        return new DaemonUnreachableException(where + e.getMessage(), e);
    }

    private DaemonUnreachableException lost(IOException e) {
        if (e instanceof EOFException) {
            return new DaemonUnreachableException("the cutover daemon at " + target()
                    + " closed the connection before its answer was complete (did it stop or restart?)", e);
        }
        return new DaemonUnreachableException("lost the connection to the cutover daemon at " + target() + ": " + e.getMessage(), e);
    }

    private static ControlException failure(int status, byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).trim();
        try {
            JsonNode node = ControlJson.MAPPER.readTree(body);
            if (node != null && node.hasNonNull("error")) {
                return new ControlException(status, node.get("error").asText());
            }
        } catch (IOException notJson) {
            // fall through: show what came back as it is
        }
        return new ControlException(status, "the cutover daemon answered " + status + (text.isEmpty() ? "" : ": " + text));
    }

    private JsonNode parse(byte[] bytes) {
        if (bytes.length == 0) {
            return NullNode.getInstance();
        }
        try {
            JsonNode node = ControlJson.MAPPER.readTree(bytes);
            return node == null || node.isMissingNode() ? NullNode.getInstance() : node;
        } catch (IOException e) {
            String why = e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
            throw new IllegalStateException("the cutover daemon at " + target() + " answered something that is not JSON ("
                    + why + "); is it a cutover daemon of the same version as this command?", e);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            } catch (Exception ignored) {
                // already failing; the first error is the one to report
            }
        }
    }

    private record Connection(AutoCloseable socket, InputStream in, OutputStream out) implements AutoCloseable {
        @Override
        public void close() {
            closeQuietly(socket);
        }
    }

    /** A response's status and headers, and its body as a stream (de-chunked when chunked). */
    private record Answer(int status, Map<String, String> headers, InputStream body) {

        static Answer read(InputStream in) throws IOException {
            String statusLine = ChunkedBody.readLine(in);
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("the answer is not HTTP: '" + statusLine + "'");
            }
            int status;
            try {
                status = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IOException("the answer is not HTTP: '" + statusLine + "'");
            }
            Map<String, String> headers = new HashMap<>();
            for (String line = ChunkedBody.readLine(in); !line.isEmpty(); line = ChunkedBody.readLine(in)) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
                }
            }
            InputStream body;
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                body = new ChunkedBody(in);
            } else if (headers.containsKey("content-length")) {
                long length = Long.parseLong(headers.get("content-length"));
                byte[] bytes = in.readNBytes((int) Math.min(length, Integer.MAX_VALUE));
                if (bytes.length < length) {
                    throw new EOFException("the answer ended after " + bytes.length + " of " + length + " bytes");
                }
                body = new ByteArrayInputStream(bytes);
            } else {
                body = in; // until the connection closes
            }
            return new Answer(status, headers, body);
        }

        boolean chunked() {
            return body instanceof ChunkedBody;
        }

        byte[] readAll() throws IOException {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            body.transferTo(all);
            return all.toByteArray();
        }
    }
}
