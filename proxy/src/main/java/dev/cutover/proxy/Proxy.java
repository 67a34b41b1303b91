package dev.cutover.proxy;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * The data plane: an HTTP/1.1 reverse proxy that routes each request to its service's active
 * target, counts what each target holds in flight, and drains a target exactly.
 *
 * <pre>
 * Proxy proxy = Proxy.start(config, RoutingTable.builder().route(web).build());
 * Target previous = web.switchTo(green);           // one atomic swap
 * proxy.drain(previous, Duration.ofSeconds(30));    // completes when its last request has
 * </pre>
 */
public final class Proxy implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Proxy.class);

    private final ProxyConfig config;
    private final Transport transport;
    private final EventLoopGroup group;
    private final Map<EventExecutor, LoopState> loops;
    private final ForwardedHeaders forwardedHeaders;
    private final AtomicInteger connections = new AtomicInteger();
    private final CompletableFuture<Void> allConnectionsClosed = new CompletableFuture<>();
    private volatile RoutingTable routes;
    private volatile boolean shuttingDown;
    private volatile CompletableFuture<Void> shutdown;
    private Channel listener;

    private Proxy(ProxyConfig config, RoutingTable routes) {
        this.config = config;
        this.routes = Objects.requireNonNull(routes, "routes");
        this.forwardedHeaders = new ForwardedHeaders(config.trustedProxies());
        this.transport = Transport.select(config.transport());
        this.group = new MultiThreadIoEventLoopGroup(config.effectiveIoThreads(),
                new DefaultThreadFactory("cutover-io", true), transport.ioHandlerFactory());
        Map<EventExecutor, LoopState> states = new IdentityHashMap<>();
        for (EventExecutor executor : group) {
            EventLoop loop = (EventLoop) executor;
            LoopState state = new LoopState(loop, transport, config);
            states.put(loop, state);
            loop.scheduleAtFixedRate(state.pool::sweep, 1, 1, TimeUnit.SECONDS);
        }
        this.loops = states;
    }

    /**
     * Starts listening on {@code config.listen()}.
     *
     * @throws IOException when the address cannot be bound (in use, not local, no permission)
     */
    public static Proxy start(ProxyConfig config, RoutingTable routes) throws IOException {
        Proxy proxy = new Proxy(config, routes);
        proxy.bind();
        return proxy;
    }

    private void bind() throws IOException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ClientInitializer(this, config));
        ChannelFuture bound = bootstrap.bind(config.listen()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            InetSocketAddress at = config.listen();
            String where = at.getHostString() + ":" + at.getPort();
            String why = bound.cause().getMessage() != null && bound.cause().getMessage().contains("in use")
                    ? "the address is already in use (another process listens there: stop it or choose another proxy.listen)"
                    : bound.cause().getMessage();
            BindException e = new BindException("cutover cannot listen on " + where + ": " + why);
            e.initCause(bound.cause());
            throw e;
        }
        listener = bound.channel();
        log.info("proxy listening on {} ({} I/O threads, {})", listener.localAddress(),
                config.effectiveIoThreads(), transport.name());
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) listener.localAddress();
    }

    public ProxyConfig config() {
        return config;
    }

    public String transportName() {
        return transport.name();
    }

    public RoutingTable routes() {
        return routes;
    }

    /** Replaces the routing table atomically; requests already dispatched keep their target. */
    public void routes(RoutingTable routes) {
        this.routes = Objects.requireNonNull(routes, "routes");
    }

    public int openConnections() {
        return connections.get();
    }

    /**
     * Waits until {@code target} holds no request, after it was switched away from. At
     * {@code timeout}, whatever still runs on it is ended (504 before any response byte, a close
     * frame 1001 for a WebSocket, a closed connection otherwise). Then its idle pooled
     * connections are closed. Never blocks traffic to other targets.
     *
     * @throws IllegalStateException if the target still receives traffic
     */
    public CompletableFuture<DrainResult> drain(Target target, Duration timeout) {
        if (target.isActive()) {
            throw new IllegalStateException(target + " still receives traffic: switch its service to another target before draining it");
        }
        long start = System.nanoTime();
        CompletableFuture<Void> idle = target.idle();
        AtomicLong ended = new AtomicLong();
        ScheduledFuture<?> deadline = group.next().schedule(() -> {
            if (!idle.isDone() && !target.isActive()) {
                onEveryLoop(state -> state.endAll(target, ended));
            }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        return idle.thenCompose(ignored -> {
            deadline.cancel(false);
            DrainResult result = new DrainResult(target, Duration.ofNanos(System.nanoTime() - start), ended.get());
            return onEveryLoop(state -> state.pool.closeIdle(target)).thenApply(closed -> result);
        });
    }

    /**
     * Stops accepting, lets every running request finish (keep-alive connections are closed
     * after their current response), ends what still runs at {@code timeout}, then stops the
     * event loops. Completes when all of that is done; never blocks the caller.
     */
    public synchronized CompletableFuture<Void> shutdown(Duration timeout) {
        if (shutdown != null) {
            return shutdown;
        }
        shuttingDown = true;
        AtomicLong ended = new AtomicLong();
        CompletableFuture<Void> stopAccepting = listener == null ? CompletableFuture.completedFuture(null) : completion(listener.close());
        shutdown = stopAccepting
                .thenCompose(closed -> onEveryLoop(state -> List.copyOf(state.clients).forEach(ClientConnection::closeIfIdle)))
                .thenCompose(idleClosed -> {
                    if (connections.get() == 0) {
                        allConnectionsClosed.complete(null);
                    }
                    return allConnectionsClosed.completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS);
                })
                .thenCompose(finishedOrTimedOut -> connections.get() == 0 ? CompletableFuture.completedFuture(null)
                        : onEveryLoop(state -> {
                            state.endAll(ended);
                            List.copyOf(state.clients).forEach(ClientConnection::abort);
                        }).thenRun(() -> log.warn("proxy shutdown: {} requests were still running after {} and were ended",
                                ended.get(), timeout)))
                .thenCompose(allEnded -> onEveryLoop(state -> state.pool.closeAll()))
                .thenCompose(poolsClosed -> completion(group.shutdownGracefully(0, 2, TimeUnit.SECONDS)));
        return shutdown;
    }

    @Override
    public void close() {
        shutdown(Duration.ofSeconds(30)).join();
    }

    public boolean isShuttingDown() {
        return shuttingDown;
    }

    // --- for the pipeline ---

    LoopState loopState(EventLoop loop) {
        return loops.get(loop);
    }

    ForwardedHeaders forwardedHeaders() {
        return forwardedHeaders;
    }

    boolean admitConnection(Channel channel) {
        // Count first, then decide: a refused connection is uncounted by the same path as any other,
        // so the count never dips below the connections really open (shutdown waits for zero).
        if (connections.incrementAndGet() > config.maxConnections() || shuttingDown) {
            connectionClosed();
            return false;
        }
        channel.closeFuture().addListener(f -> connectionClosed());
        return true;
    }

    private void connectionClosed() {
        if (connections.decrementAndGet() == 0 && shuttingDown) {
            allConnectionsClosed.complete(null);
        }
    }

    /** Runs {@code action} on every event loop, each on its own thread; never waits for them. */
    private CompletableFuture<Void> onEveryLoop(Consumer<LoopState> action) {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (LoopState state : loops.values()) {
            CompletableFuture<Void> ran = new CompletableFuture<>();
            done.add(ran);
            if (state.loop.isShuttingDown()) {
                ran.complete(null);
                continue;
            }
            state.loop.execute(() -> {
                try {
                    action.accept(state);
                    ran.complete(null);
                } catch (RuntimeException e) {
                    ran.completeExceptionally(e);
                }
            });
        }
        return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new));
    }

    private static CompletableFuture<Void> completion(io.netty.util.concurrent.Future<?> future) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        future.addListener(f -> done.complete(null));
        return done;
    }
}
