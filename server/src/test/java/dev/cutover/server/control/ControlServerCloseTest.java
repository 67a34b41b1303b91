package dev.cutover.server.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cutover.testing.Eventually;

class ControlServerCloseTest {

    /** Not the common pool: on a 2-core machine it has one thread, and a blocked call would hold it. */
    private static final java.util.concurrent.Executor BACKGROUND = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

    @TempDir
    Path dir;

    @Test
    void closeStopsAcceptingAtOnceAndLetsARunningHandlerFinish() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        ControlRoutes routes = ControlRoutes.builder()
                .post("/v1/services/{service}/deploy", (req, res) -> {
                    started.countDown();
                    finish.await(20, TimeUnit.SECONDS);
                    res.json(200, Map.of("outcome", "SUCCEEDED"));
                })
                .build();
        ControlServer server = ControlServer.builder(routes).unixSocket(dir.resolve("control.sock"))
                .shutdownGrace(Duration.ofSeconds(20)).start();
        ControlClient client = ControlClient.unix(server.socket());
        CompletableFuture<JsonNode> deploy = CompletableFuture.supplyAsync(() -> client.call("POST", "/v1/services/web/deploy", null), BACKGROUND);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close, BACKGROUND);

        Eventually.await("the socket file is gone", Duration.ofSeconds(10), () -> !Files.exists(server.socket()));
        assertThatThrownBy(() -> client.call("POST", "/v1/services/api/deploy", null))
                .isInstanceOf(DaemonUnreachableException.class);
        assertThat(closing).isNotDone();

        finish.countDown();
        assertThat(deploy.get(10, TimeUnit.SECONDS).get("outcome").asText()).isEqualTo("SUCCEEDED");
        closing.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aHandlerStillRunningAfterTheGraceIsInterruptedAndAnswers503() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        ControlRoutes routes = ControlRoutes.builder()
                .get("/v1/forever", (req, res) -> {
                    started.countDown();
                    Thread.sleep(60_000);
                    res.json(200, Map.of("never", true));
                })
                .build();
        ControlServer server = ControlServer.builder(routes).unixSocket(dir.resolve("control.sock"))
                .shutdownGrace(Duration.ofMillis(300)).start();
        ControlClient client = ControlClient.unix(server.socket());
        CompletableFuture<JsonNode> call = CompletableFuture.supplyAsync(() -> client.call("GET", "/v1/forever", null), BACKGROUND);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        long before = System.nanoTime();
        server.close();

        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(10));
        assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(ControlException.class)
                .cause().satisfies(e -> {
                    assertThat(((ControlException) e).status()).isEqualTo(503);
                    assertThat(e.getMessage()).contains("shutting down");
                });
    }

    @Test
    void closeWithAnIdleConnectionOpenDoesNotWaitForIt() throws Exception {
        ControlServer server = ControlServer.builder(ControlRoutes.builder().build()).unixSocket(dir.resolve("control.sock"))
                .shutdownGrace(Duration.ofSeconds(30)).start();
        try (RawUnixHttp idle = RawUnixHttp.connect(server.socket())) {
            long before = System.nanoTime();
            server.close();

            assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(10));
            assertThat(endsWithoutAnswer(idle)).isTrue();
        }
    }

    /** Closed: an orderly end, or a reset when the close came before the daemon had accepted it. */
    private static boolean endsWithoutAnswer(RawUnixHttp connection) {
        try {
            return connection.readToEnd().isEmpty();
        } catch (java.io.IOException reset) {
            return true;
        }
    }
}
