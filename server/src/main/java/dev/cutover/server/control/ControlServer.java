package dev.cutover.server.control;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * The daemon's control API: HTTP/1.1 and JSON on a Unix socket (mode 0600: file permissions are
 * the access control), and optionally on TCP, where every request needs the bearer token and the
 * connection is TLS (plain HTTP only on a loopback address, when asked for).
 *
 * <pre>{@code
 * try (ControlServer server = ControlServer.builder(routes).unixSocket(stateDir.resolve("control.sock")).start()) {
 *     ...
 * }
 * }</pre>
 *
 * One event loop thread parses requests; each handler runs on its own virtual thread. Closing stops
 * accepting at once, lets running handlers finish within the shutdown grace, then closes what is left.
 */
public final class ControlServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);

    private final SocketFile socketFile;
    private final EventLoopGroup group;
    private final ExecutorService handlers;
    private final ChannelGroup connections = new DefaultChannelGroup("control-connections", GlobalEventExecutor.INSTANCE);
    private final List<Channel> listeners = new ArrayList<>();
    private final Duration shutdownGrace;
    private final AtomicBoolean closed = new AtomicBoolean();
    private InetSocketAddress tcpAddress;

    private ControlServer(Builder b) throws IOException {
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("the control API's Unix socket needs Netty's native epoll transport, which is not available"
                    + " here (" + Epoll.unavailabilityCause() + "); the cutover daemon runs on Linux x86_64 and aarch64");
        }
        this.shutdownGrace = b.shutdownGrace;
        this.socketFile = SocketFile.claim(b.socket);
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("cutover-control"), EpollIoHandler.newFactory());
        this.handlers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("cutover-control-handler-", 0).factory());
        SslContext tls = null;
        try {
            // The TCP listener first: whoever sees the socket answer may use every listener at once.
            if (b.tcp != null) {
                tls = b.certChain == null ? null : TlsServerContext.load(b.certChain, b.key);
                Channel tcp = bind(EpollServerSocketChannel.class, b.tcp, b, b.token, tls,
                        "cannot open the TCP control listener on " + b.tcp.getHostString() + ":" + b.tcp.getPort());
                listeners.add(tcp);
                tcpAddress = (InetSocketAddress) tcp.localAddress();
            }
            listeners.add(bind(EpollServerDomainSocketChannel.class, new DomainSocketAddress(b.socket.toString()), b, null, null,
                    "cannot listen on the control socket " + b.socket));
            socketFile.restrictToOwner();
        } catch (IOException | RuntimeException e) {
            closeNow();
            throw e;
        }
        log.info("control API listening on {}{}", b.socket, tcpAddress == null ? ""
                : " and on " + (tls == null ? "plain HTTP (loopback) " : "HTTPS ") + tcpAddress);
    }

    public static Builder builder(ControlRoutes routes) {
        return new Builder(routes);
    }

    /** The Unix socket's path, as given. */
    public Path socket() {
        return socketFile.path();
    }

    /** The TCP listener's bound address (port 0 resolved), when there is one. */
    public Optional<InetSocketAddress> tcpAddress() {
        return Optional.ofNullable(tcpAddress);
    }

    private Channel bind(Class<? extends ServerChannel> type, java.net.SocketAddress address, Builder b, String token,
                         SslContext tlsContext, String failure) throws IOException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(type)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        if (tlsContext != null) {
                            ch.pipeline().addLast(new HttpsOnly(tlsContext));
                        }
                        ch.pipeline().addLast(new HttpServerCodec());
                        if (token != null) {
                            ch.pipeline().addLast(new BearerTokenCheck(token));
                        }
                        ch.pipeline().addLast(new LimitedBodyAggregator(b.maxBodyBytes));
                        ch.pipeline().addLast(new ControlDispatcher(b.routes, handlers, b.stallTimeout));
                    }
                });
        ChannelFuture bound = bootstrap.bind(address).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            Throwable cause = bound.cause();
            BindException e = new BindException(failure + ": " + cause.getMessage());
            e.initCause(cause);
            throw e;
        }
        return bound.channel();
    }

    /**
     * Stops accepting at once (the socket file goes), waits up to the shutdown grace for running
     * handlers and their answers, then interrupts the handlers still running and closes everything.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long deadline = System.nanoTime() + shutdownGrace.toNanos();
        for (Channel listener : listeners) {
            listener.close().awaitUninterruptibly();
        }
        socketFile.delete();
        handlers.shutdown();
        if (!awaitHandlers(deadline)) {
            log.warn("control API requests still running after the {} ms shutdown grace; interrupting them", shutdownGrace.toMillis());
            handlers.shutdownNow();
            awaitHandlers(System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
        }
        // Answered connections close themselves once their last byte is out; the others have nothing coming.
        for (Channel connection : connections) {
            ControlDispatcher dispatcher = connection.pipeline().get(ControlDispatcher.class);
            ControlResponse response = dispatcher == null ? null : dispatcher.response();
            if (response == null || !response.done()) {
                connection.close();
            }
        }
        long left = Math.max(deadline - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(500));
        if (!connections.newCloseFuture().awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
            connections.close().awaitUninterruptibly();
        }
        closeNow();
    }

    private boolean awaitHandlers(long deadline) {
        try {
            return handlers.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void closeNow() {
        handlers.shutdownNow();
        for (Channel listener : listeners) {
            listener.close();
        }
        connections.close().awaitUninterruptibly();
        socketFile.delete();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** Where and how the control API listens. */
    public static final class Builder {

        private final ControlRoutes routes;
        private Path socket;
        private InetSocketAddress tcp;
        private String token;
        private Path certChain;
        private Path key;
        private Duration shutdownGrace = Duration.ofSeconds(30);
        private Duration stallTimeout = Duration.ofSeconds(30);
        private int maxBodyBytes = 1024 * 1024;

        private Builder(ControlRoutes routes) {
            this.routes = Objects.requireNonNull(routes, "routes");
        }

        /** The Unix socket (required). Its directory is created (0700) if missing. */
        public Builder unixSocket(Path socket) {
            this.socket = Objects.requireNonNull(socket, "socket");
            return this;
        }

        /**
         * Also listen on TCP; every request there must carry {@code Authorization: Bearer <token>}.
         *
         * @throws IllegalArgumentException when the token is null or blank
         */
        public Builder tcp(InetSocketAddress address, String token) {
            if (token == null || token.isBlank()) {
                throw new IllegalArgumentException("refusing to open a TCP control listener without a token: set control.token_file");
            }
            this.tcp = Objects.requireNonNull(address, "address");
            this.token = token.trim();
            return this;
        }

        /**
         * Serve the TCP listener over TLS (1.2 or 1.3): {@code certChain} is PEM, the daemon's certificate
         * first; {@code key} its PEM PKCS#8 private key. Without this, {@link #start()} allows TCP on loopback only.
         */
        public Builder tls(Path certChain, Path key) {
            this.certChain = Objects.requireNonNull(certChain, "certChain");
            this.key = Objects.requireNonNull(key, "key");
            return this;
        }

        /** How long {@link #close()} waits for running handlers (a deploy in progress); 30 s by default. */
        public Builder shutdownGrace(Duration grace) {
            this.shutdownGrace = Objects.requireNonNull(grace, "grace");
            return this;
        }

        /** How long a stream waits for a client that reads nothing before dropping it; 30 s by default. */
        public Builder stallTimeout(Duration timeout) {
            this.stallTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** The largest request body accepted (413 above it); 1 MiB by default. */
        public Builder maxBodyBytes(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxBodyBytes must be positive, got " + bytes);
            }
            this.maxBodyBytes = bytes;
            return this;
        }

        /**
         * Binds and starts serving.
         *
         * @throws BindException when another daemon is listening on the socket, or a listener cannot bind
         * @throws IOException   when the socket's directory or file cannot be prepared, or the TLS files cannot be used
         * @throws IllegalStateException when TCP is asked for on an address other machines reach, without {@link #tls}
         */
        public ControlServer start() throws IOException {
            if (socket == null) {
                throw new IllegalStateException("the control API needs a Unix socket path (unixSocket(...))");
            }
            if (certChain != null && tcp == null) {
                throw new IllegalStateException("TLS is for the TCP control listener; ask for one with tcp(...)");
            }
            if (tcp != null && certChain == null && !tcp.getAddress().isLoopbackAddress()) {
                throw new IllegalStateException("refusing to serve the control API in plain HTTP on " + tcp.getHostString() + ":"
                        + tcp.getPort() + ", which other machines can reach: the token would cross the network in clear"
                        + " text; set control.tls");
            }
            return new ControlServer(this);
        }
    }
}
