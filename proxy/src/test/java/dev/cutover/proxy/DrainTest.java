package dev.cutover.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.cutover.sample.SampleServer;
import dev.cutover.testing.Eventually;
import dev.cutover.testing.RawHttp;
import dev.cutover.testing.RawHttpServer;

/** A drain waits for exactly the requests its target holds: not a sleep, not a guess. */
class DrainTest {

    private final ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
    private SampleServer blue;
    private SampleServer green;
    private ProxyHarness harness;

    @BeforeEach
    void start() throws Exception {
        blue = ProxyHarness.backend("blue");
        green = ProxyHarness.backend("green");
        harness = ProxyHarness.start();
    }

    @AfterEach
    void stop() {
        clients.shutdownNow();
        harness.close();
        blue.close();
        green.close();
    }

    @Test
    void drainCompletesWhenTheLastSlowRequestFinishesNotBeforeAndNotMuchLater() throws Exception {
        Target old = harness.routeTo(blue);
        List<CompletableFuture<RawHttp.Response>> slow = new ArrayList<>();
        for (int ms : new int[] {300, 600, 900, 1200}) {
            slow.add(get("/slow?ms=" + ms));
        }
        Eventually.await("4 slow requests in flight on blue", Duration.ofSeconds(5), () -> old.inFlight() == 4);
        long slowestEnds = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1200);

        harness.routeTo(green);
        CompletableFuture<DrainResult> drain = harness.proxy.drain(old, Duration.ofSeconds(30));
        assertThat(drain).as("drain must wait for the requests still running").isNotDone();

        DrainResult result = drain.get(10, TimeUnit.SECONDS);
        long lateByMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - slowestEnds);

        assertThat(result.clean()).isTrue();
        assertThat(old.inFlight()).isZero();
        assertThat(lateByMillis).as("drain completes right after the last request, not much later").isBetween(-250L, 300L);
        for (CompletableFuture<RawHttp.Response> response : slow) {
            assertThat(response.get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
            assertThat(response.get().bodyText()).as("requests dispatched before the switch finish on the old version").isEqualTo("blue\n");
        }
    }

    @Test
    void drainDoesNotHoldUpTrafficToTheNewTarget() throws Exception {
        Target old = harness.routeTo(blue);
        CompletableFuture<RawHttp.Response> slow = get("/slow?ms=1500");
        Eventually.await("the slow request in flight", Duration.ofSeconds(5), () -> old.inFlight() == 1);
        harness.routeTo(green);
        CompletableFuture<DrainResult> drain = harness.proxy.drain(old, Duration.ofSeconds(30));

        long start = System.nanoTime();
        try (RawHttp client = RawHttp.connect(harness.port())) {
            for (int i = 0; i < 20; i++) {
                assertThat(client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").readResponse().bodyText()).isEqualTo("green\n");
            }
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1000);
        assertThat(drain).isNotDone();
        assertThat(slow.get(5, TimeUnit.SECONDS).bodyText()).isEqualTo("blue\n");
        assertThat(drain.get(5, TimeUnit.SECONDS).clean()).isTrue();
    }

    @Test
    void drainOfAnIdleTargetCompletesAtOnce() throws Exception {
        Target old = harness.routeTo(blue);
        harness.routeTo(green);

        DrainResult result = harness.proxy.drain(old, Duration.ofSeconds(30)).get(1, TimeUnit.SECONDS);

        assertThat(result.clean()).isTrue();
        assertThat(result.elapsed()).isLessThan(Duration.ofMillis(200));
    }

    @Test
    void drainTimeoutAnswers504WhereNothingWasSentAndClosesWhereTheResponseHadStarted() throws Exception {
        Target old = harness.routeTo(blue);
        CompletableFuture<RawHttp.Response> waiting = get("/slow?ms=10000");
        RawHttp downloading = RawHttp.connect(harness.port());
        downloading.send("GET /download?bytes=1073741824 HTTP/1.1\r\nHost: x\r\n\r\n");
        byte[] head = downloading.input().readNBytes(15); // the response has started; then the client stops reading
        Eventually.await("both requests in flight on blue", Duration.ofSeconds(5), () -> old.inFlight() == 2);

        harness.routeTo(green);
        DrainResult result = harness.proxy.drain(old, Duration.ofMillis(300)).get(10, TimeUnit.SECONDS);

        assertThat(result.endedAtTimeout()).isEqualTo(2);
        assertThat(result.elapsed()).isBetween(Duration.ofMillis(250), Duration.ofSeconds(3));
        RawHttp.Response ended = waiting.get(5, TimeUnit.SECONDS);
        assertThat(ended.status()).isEqualTo(504);
        assertThat(ended.bodyText()).contains("was still answering when its drain timed out");
        assertThat(new String(head)).startsWith("HTTP/1.1 200");
        assertThat(drainedToClose(downloading)).as("a response already under way is cut by closing the connection").isTrue();
        assertThat(old.inFlight()).isZero();
    }

    @Test
    void idlePooledConnectionsToADrainedTargetAreClosed() throws Exception {
        try (RawHttpServer old = RawHttpServer.answering("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nold", RawHttpServer.After.KEEP_OPEN)) {
            Target oldTarget = ProxyHarness.targetOf(old, "old");
            harness.web.switchTo(oldTarget);
            try (RawHttp client = RawHttp.connect(harness.port())) {
                assertThat(client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").readResponse().bodyText()).isEqualTo("old");
            }
            assertThat(old.openConnections()).isEqualTo(1); // pooled by the proxy

            harness.routeTo(green);
            harness.proxy.drain(oldTarget, Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS);

            Eventually.await("the proxy to close its idle connection to the drained target", Duration.ofSeconds(5),
                    () -> old.openConnections() == 0);
        }
    }

    @Test
    void drainingATargetThatStillReceivesTrafficIsRefused() {
        Target active = harness.routeTo(blue);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> harness.proxy.drain(active, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("still receives traffic");
    }

    private CompletableFuture<RawHttp.Response> get(String path) {
        return CompletableFuture.supplyAsync(() -> {
            try (RawHttp client = RawHttp.connect(harness.port())) {
                return client.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, clients);
    }

    /** Reads what is left until the connection ends; true when it ended (rather than timing out). */
    private static boolean drainedToClose(RawHttp client) throws Exception {
        client.readTimeout(Duration.ofSeconds(5));
        try (client) {
            byte[] buffer = new byte[64 * 1024];
            while (client.input().read(buffer) != -1) {
                // discard what was already on its way
            }
            return true;
        } catch (java.net.SocketException reset) {
            return true;
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        }
    }
}
