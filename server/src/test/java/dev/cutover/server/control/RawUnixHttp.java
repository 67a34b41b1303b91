package dev.cutover.server.control;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Exact bytes over a Unix socket, for the cases a well-behaved client cannot produce. */
final class RawUnixHttp implements AutoCloseable {

    private final SocketChannel channel;
    private final InputStream in;
    private final OutputStream out;

    private RawUnixHttp(SocketChannel channel) {
        this.channel = channel;
        this.in = Channels.newInputStream(channel);
        this.out = Channels.newOutputStream(channel);
    }

    static RawUnixHttp connect(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        return new RawUnixHttp(channel);
    }

    /** Sends {@code request} and returns everything the server sends until it closes. */
    static String exchange(Path socket, String request) throws IOException {
        try (RawUnixHttp raw = connect(socket)) {
            raw.send(request);
            return raw.readToEnd();
        }
    }

    RawUnixHttp send(String ascii) throws IOException {
        out.write(ascii.getBytes(StandardCharsets.UTF_8));
        out.flush();
        return this;
    }

    String readToEnd() throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
