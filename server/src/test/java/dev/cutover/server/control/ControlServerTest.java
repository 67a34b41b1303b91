package dev.cutover.server.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

class ControlServerTest {

    record Release(String service, String version, Instant at, Duration took) {
    }

    /** Not the common pool: on a 2-core machine it has one thread, and a blocked call would hold it. */
    private static final java.util.concurrent.Executor BACKGROUND = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

    @TempDir
    Path dir;

    private final CountDownLatch releaseSlowHandler = new CountDownLatch(1);
    private ControlServer server;
    private ControlClient client;

    @BeforeEach
    void start() throws Exception {
        ControlRoutes routes = ControlRoutes.builder()
                .post("/v1/echo", (req, res) -> {
                    Map<String, Object> answer = new LinkedHashMap<>();
                    answer.put("body", req.body());
                    answer.put("query", req.query());
                    answer.put("release", req.body().has("service") ? req.bodyAs(Release.class) : null);
                    res.json(200, answer);
                })
                .get("/v1/services/{service}/releases/{version}", (req, res) -> res.json(200, req.params()))
                .get("/v1/services/{service}", (req, res) -> res.json(200, Map.of("route", "param", "service", req.param("service"))))
                .get("/v1/services/all", (req, res) -> res.json(200, Map.of("route", "literal")))
                .post("/v1/services/{service}/deploy", (req, res) -> res.json(202, Map.of("deploying", req.param("service"))))
                .get("/v1/boom", (req, res) -> {
                    throw new IllegalStateException("the engine is not started");
                })
                .get("/v1/missing", (req, res) -> {
                    throw new ControlException(404, "no service named nope in cutover.yml");
                })
                .get("/v1/silent", (req, res) -> { })
                .get("/v1/thread", (req, res) -> res.json(200, Map.of("virtual", Thread.currentThread().isVirtual(),
                        "name", Thread.currentThread().getName())))
                .get("/v1/slow", (req, res) -> {
                    boolean released = releaseSlowHandler.await(10, TimeUnit.SECONDS);
                    res.json(200, Map.of("released", released));
                })
                .build();
        Path socket = dir.resolve("state/control.sock");
        server = ControlServer.builder(routes).unixSocket(socket).start();
        client = ControlClient.unix(socket);
    }

    @AfterEach
    void stop() {
        releaseSlowHandler.countDown();
        server.close();
    }

    @Test
    void jsonRoundTripsOverTheUnixSocketWithIsoDatesAndDurations() {
        Release sent = new Release("web", "1.4.2", Instant.parse("2025-06-01T12:00:00.123Z"), Duration.ofMillis(1500));

        JsonNode answer = client.call("POST", "/v1/echo?dry_run=true&who=ci&who=me", sent);

        assertThat(answer.at("/body/service").asText()).isEqualTo("web");
        assertThat(answer.at("/body/at").asText()).isEqualTo("2025-06-01T12:00:00.123Z");
        assertThat(answer.at("/body/took").asText()).isEqualTo("PT1.5S");
        assertThat(answer.at("/query/dry_run").asText()).isEqualTo("true");
        assertThat(answer.at("/query/who").asText()).isEqualTo("ci");
        assertThat(answer.at("/release/took").asText()).isEqualTo("PT1.5S");
    }

    @Test
    void aRequestWithoutBodyGivesTheHandlerANullNode() {
        JsonNode answer = client.call("POST", "/v1/echo", null);

        assertThat(answer.get("body").isNull()).isTrue();
        assertThat(answer.get("release").isNull()).isTrue();
    }

    @Test
    void theSocketFileIsReadableAndWritableByItsOwnerOnly() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(server.socket()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(server.socket().getParent()))).isEqualTo("rwx------");
    }

    @Test
    void pathParametersArriveByNameAndDecoded() {
        JsonNode answer = client.call("GET", "/v1/services/web/releases/1.2.3+build%2F7", null);

        assertThat(answer.get("service").asText()).isEqualTo("web");
        assertThat(answer.get("version").asText()).isEqualTo("1.2.3+build/7");
    }

    @Test
    void aLiteralSegmentWinsOverAParameter() {
        assertThat(client.call("GET", "/v1/services/all", null).get("route").asText()).isEqualTo("literal");
        assertThat(client.call("GET", "/v1/services/api", null).get("route").asText()).isEqualTo("param");
        assertThat(client.call("POST", "/v1/services/api/deploy", null).get("deploying").asText()).isEqualTo("api");
    }

    @Test
    void anUnknownPathAnswers404WithAJsonError() {
        assertThatThrownBy(() -> client.call("GET", "/v1/nope", null))
                .isInstanceOfSatisfying(ControlException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.getMessage()).isEqualTo("the control API has no endpoint /v1/nope");
                });
    }

    @Test
    void aKnownPathWithAnotherMethodAnswers405WithAllow() throws Exception {
        String raw = RawUnixHttp.exchange(server.socket(), "DELETE /v1/services/web/deploy HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(raw).startsWith("HTTP/1.1 405 ");
        assertThat(raw).containsIgnoringCase("allow: POST\r\n");
        assertThat(raw).contains("{\"error\":\"/v1/services/web/deploy does not accept DELETE; it accepts POST\"}");
    }

    @Test
    void aMalformedJsonBodyAnswers400() throws Exception {
        String body = "{\"service\": \"web\",";
        String raw = RawUnixHttp.exchange(server.socket(), "POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n" + body);

        assertThat(raw).startsWith("HTTP/1.1 400 ");
        assertThat(raw).contains("application/json");
        assertThat(raw).contains("\"error\":\"the request body is not valid JSON: ");
    }

    @Test
    void aBodyThatDoesNotFitItsTypeAnswers400NamingTheField() {
        assertThatThrownBy(() -> client.call("POST", "/v1/echo", Map.of("service", "web", "verison", "1")))
                .isInstanceOfSatisfying(ControlException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.getMessage()).startsWith("the request body does not fit Release: ").contains("verison");
                });
    }

    @Test
    void aBodyOverOneMegabyteAnswers413() {
        String big = "x".repeat(1024 * 1024 + 1);

        assertThatThrownBy(() -> client.call("POST", "/v1/echo", Map.of("blob", big)))
                .isInstanceOfSatisfying(ControlException.class, e -> {
                    assertThat(e.status()).isEqualTo(413);
                    assertThat(e.getMessage()).contains("larger than the control API's limit of 1048576 bytes");
                });
    }

    @Test
    void aBodyJustUnderTheLimitIsAccepted() {
        String nearlyBig = "x".repeat(1024 * 1024 - 100);

        JsonNode answer = client.call("POST", "/v1/echo", Map.of("blob", nearlyBig));

        assertThat(answer.at("/body/blob").asText()).hasSize(nearlyBig.length());
    }

    @Test
    void aHandlerThatThrowsAnswers500WithItsMessage() throws Exception {
        assertThatThrownBy(() -> client.call("GET", "/v1/boom", null))
                .isInstanceOfSatisfying(ControlException.class, e -> {
                    assertThat(e.status()).isEqualTo(500);
                    assertThat(e.getMessage()).isEqualTo("the engine is not started");
                });
        String raw = RawUnixHttp.exchange(server.socket(), "GET /v1/boom HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(raw).startsWith("HTTP/1.1 500 ").endsWith("\r\n\r\n{\"error\":\"the engine is not started\"}");
    }

    @Test
    void aHandlerThrowingControlExceptionAnswersItsStatus() {
        assertThatThrownBy(() -> client.call("GET", "/v1/missing", null))
                .isInstanceOfSatisfying(ControlException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.getMessage()).isEqualTo("no service named nope in cutover.yml");
                });
    }

    @Test
    void aHandlerThatReturnsWithoutAnsweringIsA500() {
        assertThatThrownBy(() -> client.call("GET", "/v1/silent", null))
                .isInstanceOfSatisfying(ControlException.class, e -> {
                    assertThat(e.status()).isEqualTo(500);
                    assertThat(e.getMessage()).contains("GET /v1/silent returned without answering");
                });
    }

    @Test
    void handlersRunOnVirtualThreadsNotTheEventLoop() {
        JsonNode answer = client.call("GET", "/v1/thread", null);

        assertThat(answer.get("virtual").asBoolean()).isTrue();
        assertThat(answer.get("name").asText()).startsWith("cutover-control-handler-");
    }

    @Test
    void aBlockedHandlerDoesNotHoldUpOtherRequests() throws Exception {
        CompletableFuture<JsonNode> slow = CompletableFuture.supplyAsync(() -> client.call("GET", "/v1/slow", null), BACKGROUND);

        for (int i = 0; i < 20; i++) {
            assertThat(client.call("GET", "/v1/services/web", null).get("service").asText()).isEqualTo("web");
        }
        assertThat(slow).isNotDone();
        releaseSlowHandler.countDown();
        assertThat(slow.get(10, TimeUnit.SECONDS).get("released").asBoolean()).isTrue();
    }

    @Test
    void theAnswerClosesTheConnectionEvenWhenTheClientAsksToKeepItAlive() throws Exception {
        String raw = RawUnixHttp.exchange(server.socket(),
                "GET /v1/services/web HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/services/api HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(raw).containsIgnoringCase("connection: close\r\n");
        assertThat(raw).contains("\"service\":\"web\"").doesNotContain("\"service\":\"api\"");
    }
}
