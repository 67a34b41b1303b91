package dev.cutover.server.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cutover.testing.RawHttp;

class ControlTcpTokenTest {

    private static final String TOKEN = "s3cret-token-from-control.token_file";

    @TempDir
    Path dir;

    private final AtomicInteger handled = new AtomicInteger();
    private ControlServer server;
    private int port;

    @BeforeEach
    void start() throws Exception {
        ControlRoutes routes = ControlRoutes.builder()
                .get("/v1/status", (req, res) -> {
                    handled.incrementAndGet();
                    res.json(200, Map.of("ok", true));
                })
                .post("/v1/services/{service}/deploy", (req, res) -> {
                    handled.incrementAndGet();
                    res.json(202, Map.of("deploying", req.param("service")));
                })
                .build();
        server = ControlServer.builder(routes)
                .unixSocket(dir.resolve("control.sock"))
                .tcp(new InetSocketAddress("127.0.0.1", 0), TOKEN)
                .start();
        port = server.tcpAddress().orElseThrow().getPort();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void theRightTokenIsLetThrough() {
        ControlClient client = ControlClient.tcp("127.0.0.1", port, TOKEN);

        assertThat(client.call("GET", "/v1/status", null).get("ok").asBoolean()).isTrue();
        assertThat(client.call("POST", "/v1/services/web/deploy", Map.of("version", "2")).get("deploying").asText()).isEqualTo("web");
        assertThat(handled).hasValue(2);
    }

    @Test
    void aWrongTokenAnswers401AndNeverReachesTheHandler() {
        ControlClient client = ControlClient.tcp("127.0.0.1", port, TOKEN + "x");

        assertThatThrownBy(() -> client.call("GET", "/v1/status", null))
                .isInstanceOfSatisfying(ControlException.class, e -> {
                    assertThat(e.status()).isEqualTo(401);
                    assertThat(e.getMessage()).contains("Authorization: Bearer <token>").contains("control.token_file");
                });
        assertThat(handled).hasValue(0);
    }

    @Test
    void noTokenAnswers401WithAJsonErrorAndBearerChallenge() throws Exception {
        try (RawHttp raw = RawHttp.connect(port)) {
            RawHttp.Response answer = raw.send("GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();

            assertThat(answer.status()).isEqualTo(401);
            assertThat(answer.header("WWW-Authenticate")).isEqualTo("Bearer");
            assertThat(answer.header("Content-Type")).isEqualTo("application/json");
            assertThat(answer.bodyText()).startsWith("{\"error\":\"the control API on TCP needs the header");
        }
        assertThat(handled).hasValue(0);
    }

    @Test
    void aBigBodyWithoutTokenIsRefusedWithout413() throws Exception {
        ControlClient client = ControlClient.tcp("127.0.0.1", port, "wrong");

        assertThatThrownBy(() -> client.call("POST", "/v1/services/web/deploy", Map.of("blob", "x".repeat(2 * 1024 * 1024))))
                .isInstanceOfSatisfying(ControlException.class, e -> assertThat(e.status()).isEqualTo(401));
    }

    @Test
    void theUnixSocketNeedsNoTokenAlongsideTcp() {
        assertThat(ControlClient.unix(server.socket()).call("GET", "/v1/status", null).get("ok").asBoolean()).isTrue();
    }

    @Test
    void aTcpListenerWithoutATokenIsRefused() {
        ControlServer.Builder builder = ControlServer.builder(ControlRoutes.builder().build()).unixSocket(dir.resolve("other.sock"));
        InetSocketAddress anywhere = new InetSocketAddress("127.0.0.1", 0);

        for (String missing : new String[] {null, "", "  "}) {
            assertThatThrownBy(() -> builder.tcp(anywhere, missing))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("refusing to open a TCP control listener without a token: set control.token_file");
        }
    }
}
