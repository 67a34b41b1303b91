package dev.cutover.sample;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One running sample app: a listener, its connections and its own small event loop group.
 * Tests start it in-process; {@link SampleApp} wraps it for the command line.
 */
public final class SampleServer implements AutoCloseable {

    /** How long a graceful close waits for requests in flight before it closes their connections anyway. */
    public static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CRASH_DELAY = Duration.ofMillis(300);

    private final SampleOptions options;
    private final EventLoopGroup group;
    private final Channel listener;
    private final ChannelGroup connections;
    private final InFlightRequests inFlight;
    private final AtomicBoolean stopped = new AtomicBoolean();

    private SampleServer(SampleOptions options, EventLoopGroup group, Channel listener, ChannelGroup connections,
                         InFlightRequests inFlight) {
        this.options = options;
        this.group = group;
        this.listener = listener;
        this.connections = connections;
        this.inFlight = inFlight;
    }

    /**
     * Waits the startup delay, binds, and returns once the port accepts connections.
     *
     * @throws SampleStartException when the behaviour says crash on start, or the port cannot be bound;
     *                              the message is the line an operator should read
     */
    public static SampleServer start(SampleOptions options) throws InterruptedException {
        // Like a slow framework boot, the delay comes before the bind: the port refuses connections meanwhile.
        TimeUnit.NANOSECONDS.sleep(options.startupDelay().toNanos());
        if (options.crashOnStart()) {
            TimeUnit.MILLISECONDS.sleep(CRASH_DELAY.toMillis());
            throw new SampleStartException(SampleStartException.Reason.CRASHED_ON_PURPOSE,
                    "sample-app " + options.version() + ": crashing on purpose (crash_on_start)", null);
        }
        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2,
                new DefaultThreadFactory("sample-" + options.version()), NioIoHandler.newFactory());
        final ChannelGroup connections = new DefaultChannelGroup("sample-" + options.version(), GlobalEventExecutor.INSTANCE);
        final InFlightRequests inFlight = new InFlightRequests();
        final ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                // The handlers ask for each read themselves: that is how uploads and pipelining get backpressure.
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new SamplePipeline(options, new ErrorInjection(options.errorRatio()), inFlight, connections));
        final ChannelFuture bind = bootstrap.bind(options.host(), options.port()).await();
        if (!bind.isSuccess()) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).await();
            throw bindFailure(options, bind.cause());
        }
        return new SampleServer(options, group, bind.channel(), connections, inFlight);
    }

    private static SampleStartException bindFailure(SampleOptions options, Throwable cause) {
        if (cause instanceof BindException && String.valueOf(cause.getMessage()).contains("in use")) {
            return new SampleStartException(SampleStartException.Reason.PORT_IN_USE,
                    "sample-app: port " + options.port() + " on " + options.host() + " is already in use", cause);
        }
        return new SampleStartException(SampleStartException.Reason.CANNOT_LISTEN,
                "sample-app: cannot listen on " + options.host() + ":" + options.port() + " ("
                        + (cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName())
                        + "); check that the host is an address of this machine", cause);
    }

    /** The port actually bound: the one asked for, or the one the OS picked for port 0. */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    public String host() {
        return options.host();
    }

    public String version() {
        return options.version();
    }

    /** Requests received whose response has not completed yet. */
    public long inFlight() {
        return inFlight.count();
    }

    /**
     * Graceful stop: stop accepting, let requests in flight finish (up to {@link #DRAIN_TIMEOUT}),
     * then close the idle connections and release the threads. Responses written meanwhile carry
     * {@code Connection: close}. Calling it again, or after {@link #kill()}, does nothing.
     */
    @Override
    public void close() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        inFlight.startDraining();
        listener.close().syncUninterruptibly();
        try {
            inFlight.awaitNone(DRAIN_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stop waiting, but still release everything below
        }
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    /**
     * Abrupt stop, as when a backend process dies: the listener and every open connection close at
     * once with a TCP reset (SO_LINGER 0), requests in flight included. Does nothing after {@link #close()}.
     */
    public void kill() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        listener.close().syncUninterruptibly();
        final List<Future<?>> resets = new ArrayList<>();
        for (Channel connection : connections) {
            resets.add(connection.eventLoop().submit(() -> {
                // With a zero linger time, close() discards unsent data and sends RST instead of FIN.
                connection.config().setOption(ChannelOption.SO_LINGER, 0);
                connection.close();
            }));
        }
        resets.forEach(Future::awaitUninterruptibly);
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
