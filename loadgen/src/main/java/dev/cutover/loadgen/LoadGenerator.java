package dev.cutover.loadgen;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Closed-loop HTTP/1.1 load that records every request's outcome exactly: N connections, each sending
 * one request, reading the whole response, recording it, and sending the next.
 *
 * <pre>{@code
 * LoadReport report = LoadGenerator.builder(URI.create("http://127.0.0.1:8080/"))
 *         .concurrency(32).duration(Duration.ofSeconds(10)).build().run();
 * }</pre>
 *
 * or in the background while something else happens: {@code start()}, then {@code stop()}, which
 * stops issuing requests, waits for those in flight (each is bounded by the request timeout) and
 * returns the report. A generator runs once.
 */
public final class LoadGenerator {

    /** Beyond the request timeout, for the I/O threads to notice and record a timeout. */
    private static final Duration STOP_MARGIN = Duration.ofSeconds(1);

    private final LoadSettings settings;
    private final AtomicLong issued = new AtomicLong();
    private final AtomicLong lastFinishNanos = new AtomicLong();
    private final AtomicReference<Throwable> listenerFailure = new AtomicReference<>();
    private final CountDownLatch connectionsDone;
    private volatile boolean stopRequested;

    // Set once by start(); the event loops see them through the tasks start() submits.
    private boolean started;
    private long deadlineNanos;
    private Transport transport;
    private RequestHeads heads;
    private OutcomeTally tally;
    private List<LoadConnection> connections;
    private ProgressTicker ticker;
    private LoadReport report;

    LoadGenerator(LoadSettings settings) {
        this.settings = settings;
        this.connectionsDone = new CountDownLatch(settings.concurrency());
    }

    public static LoadGeneratorBuilder builder(URI target) {
        return new LoadGeneratorBuilder(target);
    }

    /** Runs the load to its duration or request count, and reports. */
    public LoadReport run() {
        if (!settings.bounded()) {
            throw new IllegalStateException("run() would never return: give the load a duration or maxRequests,"
                    + " or use start() and stop()");
        }
        start();
        return awaitReport();
    }

    /** Opens the connections and starts the loops; returns at once. */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("this load generator has already run; build a new one");
        }
        final InetSocketAddress address = new InetSocketAddress(settings.host(), settings.port());
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("cannot resolve the host '" + settings.host() + "' of "
                    + settings.target() + "; check the URL");
        }
        started = true;
        transport = Transport.create(settings.ioThreads());
        heads = new RequestHeads(settings.hostHeader(), settings.normalTarget(), settings.slowTarget(),
                settings.uploadTarget(), settings.uploadBytes());
        final long startNanos = System.nanoTime();
        tally = new OutcomeTally(startNanos);
        deadlineNanos = settings.duration() == null ? Long.MAX_VALUE : startNanos + settings.duration().toNanos();
        final Bootstrap bootstrap = new Bootstrap()
                .channel(transport.channelClass())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.min(Integer.MAX_VALUE, settings.requestTimeout().toMillis()))
                .remoteAddress(address);
        connections = new ArrayList<>(settings.concurrency());
        for (int i = 0; i < settings.concurrency(); i++) {
            final EventLoop loop = transport.group().next();
            connections.add(new LoadConnection(this, bootstrap.clone(loop), loop, heads, settings));
        }
        if (settings.progress() != null) {
            ticker = new ProgressTicker(tally, startNanos, settings.progressInterval(), settings.progress(),
                    failure -> listenerFailure.compareAndSet(null, failure));
        }
        connections.forEach(LoadConnection::start);
    }

    /**
     * Stops issuing requests, waits for the ones in flight (each ends within the request timeout),
     * closes everything and returns the report. Safe to call more than once.
     */
    public LoadReport stop() {
        requireStarted();
        stopRequested = true;
        if (!awaitConnections(settings.requestTimeout().plus(STOP_MARGIN))) {
            // Cannot happen while every request has its timeout armed; if it does, end them rather than hang.
            connections.forEach(LoadConnection::abort);
            awaitConnections(STOP_MARGIN);
        }
        return finish();
    }

    /**
     * Waits until the run ends by itself (duration or request count reached, or {@link #stop()} called
     * elsewhere), then returns the report. Interrupting the waiting thread stops the run.
     *
     * @throws RuntimeException or Error: the first one a listener or progress consumer threw
     */
    public LoadReport awaitReport() {
        requireStarted();
        try {
            connectionsDone.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return stop();
        }
        return finish();
    }

    /** The next request's run-wide number (from 1), or 0 when no more requests may be issued. */
    long claim() {
        if (stopRequested || System.nanoTime() - deadlineNanos >= 0) {
            return 0;
        }
        final long sequence = issued.incrementAndGet();
        return sequence <= settings.maxRequests() ? sequence : 0;
    }

    void record(RequestRecord record) {
        tally.add(record);
        final RequestListener listener = settings.listener();
        if (listener != null) {
            try {
                listener.onRequest(record);
            } catch (RuntimeException | Error e) {
                // Thrown on an I/O thread it would only break this connection's loop; surface it to the caller.
                listenerFailure.compareAndSet(null, e);
            }
        }
    }

    void connectionFinished() {
        lastFinishNanos.accumulateAndGet(System.nanoTime(), Math::max);
        connectionsDone.countDown();
    }

    private synchronized LoadReport finish() {
        if (report == null) {
            if (ticker != null) {
                ticker.close();
            }
            // The connections have closed their channels; this only waits for the threads to exit.
            transport.group().shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
            heads.release();
            final long end = connectionsDone.getCount() == 0 ? lastFinishNanos.get() : System.nanoTime();
            report = tally.report(settings.target(), settings.concurrency(), end);
        }
        final Throwable failure = listenerFailure.get();
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        return report;
    }

    private boolean awaitConnections(Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return connectionsDone.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private synchronized void requireStarted() {
        if (!started) {
            throw new IllegalStateException("the load generator has not been started");
        }
    }
}
