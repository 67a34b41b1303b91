package dev.cutover.engine.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import dev.cutover.engine.HealthSpec;
import dev.cutover.engine.runtime.AppStartException;
import dev.cutover.engine.runtime.PortCheck;
import dev.cutover.engine.runtime.ProcessRuntime;
import dev.cutover.engine.runtime.RunningApp;
import dev.cutover.engine.runtime.TestLaunches;
import dev.cutover.testing.Eventually;

/** The sample app as a real process for the real cases; a JDK HttpServer for exact answer sequences. */
class HealthCheckTest {

    @TempDir
    Path dir;

    private final ProcessRuntime runtime = new ProcessRuntime();
    private final HealthCheck health = new HealthCheck();
    private final List<HealthAttempt> attempts = new CopyOnWriteArrayList<>();
    private final List<RunningApp> started = new CopyOnWriteArrayList<>();
    private HttpServer server;

    @AfterEach
    void cleanUp() {
        started.forEach(app -> runtime.stop(app, Duration.ZERO));
        runtime.close();
        health.close();
        if (server != null) {
            server.stop(0);
        }
    }

    private static HealthSpec spec(Duration interval, Duration timeout, Duration deadline, int threshold) {
        return new HealthSpec("/health", interval, timeout, deadline, threshold, 0);
    }

    private RunningApp startSample(int port, String... flags) throws AppStartException {
        final RunningApp app = runtime.start(TestLaunches.sampleApp(dir, port, "v1", flags));
        started.add(app);
        return app;
    }

    @Test
    void sampleAppIsHealthyAfterThresholdGoodAnswersInARow() throws Exception {
        final int port = TestLaunches.freePort();
        final RunningApp app = startSample(port);
        final HealthResult result = health.await(spec(Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofSeconds(60), 3),
                port, runtime.onExit(app), attempts::add);
        assertThat(result.healthy()).as(result.failure() + " / " + runtime.logTail(app, 20)).isTrue();
        assertThat(result.failure()).isNull();
        assertThat(result.exitCode()).isNull();
        final List<HealthAttempt> lastThree = attempts.subList(attempts.size() - 3, attempts.size());
        assertThat(lastThree).extracting(HealthAttempt::status).containsExactly(200, 200, 200);
        assertThat(lastThree).extracting(HealthAttempt::streak).containsExactly(1, 2, 3);
        assertThat(result.attempts()).isEqualTo(attempts.size());
    }

    @Test
    void neverHealthyAppFailsAtTheDeadlineWithItsLastAnswer() throws Exception {
        final int port = TestLaunches.freePort();
        final RunningApp app = startSample(port, "--never-healthy");
        // Wait until it listens, so every try below gets an answer and the count is exact.
        Eventually.await("sample app listens on " + port, Duration.ofSeconds(30),
                () -> PortCheck.listener(port).isPresent() || !runtime.isAlive(app));
        final HealthResult result = health.await(spec(Duration.ofMillis(250), Duration.ofSeconds(1), Duration.ofSeconds(2), 1),
                port, runtime.onExit(app), attempts::add);
        assertThat(result.healthy()).isFalse();
        assertThat(result.attempts()).isEqualTo(8);
        assertThat(result.failure()).matches("never became healthy: 8 tries over [0-9.]+ s, last answer 503 from GET /health on port " + port);
        assertThat(result.took()).isBetween(Duration.ofMillis(1700), Duration.ofSeconds(10));
        assertThat(attempts).extracting(HealthAttempt::maxAttempts).containsOnly(8);
        assertThat(attempts).extracting(HealthAttempt::streak).containsOnly(0);
        assertThat(result.exitCode()).isNull();
    }

    @Test
    void crashOnStartEndsTheWaitAtOnceWithTheExitCode() throws Exception {
        final int port = TestLaunches.freePort();
        final RunningApp app = startSample(port, "--crash-on-start");
        final HealthResult result = health.await(spec(Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofSeconds(120), 2),
                port, runtime.onExit(app), attempts::add);
        assertThat(result.healthy()).isFalse();
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.failure()).isEqualTo("exited with code 3 while waiting to become healthy");
        assertThat(result.took()).as("well before the 120 s deadline").isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void startupDelayIsRefusedFirstThenHealthy() throws Exception {
        final int port = TestLaunches.freePort();
        final long began = System.nanoTime();
        final RunningApp app = startSample(port, "--startup-delay", "2s");
        final HealthResult result = health.await(spec(Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofSeconds(60), 2),
                port, runtime.onExit(app), attempts::add);
        assertThat(result.healthy()).as(result.failure()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(attempts.get(0).status()).isZero();
        assertThat(attempts.get(0).detail()).isEqualTo("connection refused");
        assertThat(attempts.get(attempts.size() - 1).status()).isEqualTo(200);
    }

    @Test
    void badAnswerResetsTheStreakAndRedirectsAreNotFollowed() throws Exception {
        final int[] script = {200, 503, 302, 200, 200};
        final AtomicInteger served = new AtomicInteger();
        final int port = serve(exchangeNumber -> script[Math.min(exchangeNumber, script.length - 1)], 0, served);
        final HealthResult result = health.await(spec(Duration.ofMillis(20), Duration.ofSeconds(1), Duration.ofSeconds(30), 2),
                port, new CompletableFuture<>(), attempts::add);
        assertThat(result.healthy()).isTrue();
        assertThat(attempts).extracting(HealthAttempt::status).containsExactly(200, 503, 302, 200, 200);
        assertThat(attempts).extracting(HealthAttempt::streak).containsExactly(1, 0, 0, 1, 2);
        assertThat(served.get()).as("the 302 was not followed").isEqualTo(5);
    }

    @Test
    void slowAnswerCountsAsATimeout() throws Exception {
        final int port = serve(n -> 200, 2_000, new AtomicInteger());
        final HealthResult result = health.await(spec(Duration.ofMillis(100), Duration.ofMillis(300), Duration.ofMillis(900), 1),
                port, new CompletableFuture<>(), attempts::add);
        assertThat(result.healthy()).isFalse();
        assertThat(attempts.get(0).detail()).isEqualTo("timed out after 0.3 s");
        assertThat(result.failure()).startsWith("never became healthy: ").contains("timed out after");
        assertThat(result.took()).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void interruptCancelsTheWait() throws Exception {
        final int port = TestLaunches.freePort(); // nobody listens: refused forever
        final ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            final Future<HealthResult> waiting = executor.submit(() -> {
                final HealthResult r = health.await(spec(Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ofSeconds(120), 1),
                        port, new CompletableFuture<>(), attempts::add);
                assertThat(Thread.currentThread().isInterrupted()).as("interrupt flag kept").isTrue();
                return r;
            });
            Eventually.await("a few tries", Duration.ofSeconds(10), () -> attempts.size() >= 2);
            final long began = System.nanoTime();
            waiting.cancel(true);
            executor.shutdown();
            assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).as("returned at once after the interrupt").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(2));
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void interruptedWaitReportsCancellation() throws Exception {
        final int port = TestLaunches.freePort();
        Thread.currentThread().interrupt();
        final HealthResult result = health.await(spec(Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ofSeconds(120), 1),
                port, new CompletableFuture<>(), attempts::add);
        assertThat(Thread.interrupted()).as("flag set again (and cleared here)").isTrue();
        assertThat(result.healthy()).isFalse();
        assertThat(result.failure()).startsWith("the health check was cancelled after 1 tries of GET /health on port " + port);
    }

    @Test
    void processAlreadyDeadReturnsWithoutTrying() {
        final HealthResult result = health.await(HealthSpec.DEFAULT, TestLaunches.freePort(),
                CompletableFuture.completedFuture(-1), attempts::add);
        assertThat(result.attempts()).isZero();
        assertThat(result.exitCode()).isEqualTo(-1);
        assertThat(result.failure()).isEqualTo("exited (exit code unknown) while waiting to become healthy");
    }

    /** A server answering /health with {@code status(n)} for the n-th request (from 0), after {@code delayMillis}. */
    private int serve(java.util.function.IntUnaryOperator status, long delayMillis, AtomicInteger served) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            final int code = status.applyAsInt(served.getAndIncrement());
            if (code == 302) {
                exchange.getResponseHeaders().add("Location", "/login");
            }
            exchange.sendResponseHeaders(code, -1);
            exchange.close();
        });
        server.start();
        return server.getAddress().getPort();
    }
}
