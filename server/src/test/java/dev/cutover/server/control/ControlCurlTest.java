package dev.cutover.server.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/** An operator can poke the daemon with {@code curl --unix-socket}; skipped where curl is missing. */
class ControlCurlTest {

    @TempDir
    Path dir;

    private ControlServer server;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl is not installed");
        ControlRoutes routes = ControlRoutes.builder()
                .get("/v1/status", (req, res) -> res.json(200, Map.of("services", List.of("web", "api"))))
                .post("/v1/services/{service}/deploy", (req, res) -> {
                    res.stream(200);
                    for (int i = 1; i <= 3; i++) {
                        res.line(Map.of("service", req.param("service"), "version", req.body().get("version").asText(), "seq", i));
                    }
                    res.end();
                })
                .build();
        server = ControlServer.builder(routes).unixSocket(dir.resolve("control.sock")).start();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void curlReadsADocument() throws Exception {
        String out = curl("-sS", "--fail", "--unix-socket", server.socket().toString(), "http://localhost/v1/status");

        assertThat(ControlJson.MAPPER.readTree(out).get("services")).hasSize(2);
    }

    @Test
    void curlPostsJsonAndReadsAStream() throws Exception {
        String out = curl("-sS", "--fail", "-N", "--unix-socket", server.socket().toString(),
                "-H", "Content-Type: application/json", "-d", "{\"version\":\"1.4.2\"}", "http://localhost/v1/services/web/deploy");

        List<String> lines = out.lines().toList();
        assertThat(lines).hasSize(3);
        JsonNode last = ControlJson.MAPPER.readTree(lines.get(2));
        assertThat(last.get("seq").asInt()).isEqualTo(3);
        assertThat(last.get("version").asText()).isEqualTo("1.4.2");
    }

    private static String curl(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("/usr/bin/curl", "--max-time", "10"));
        command.addAll(List.of(args));
        Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = curl.getInputStream().readAllBytes();
        assertThat(curl.waitFor(15, TimeUnit.SECONDS)).isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(curl.exitValue()).as("curl exit code; output: %s", text).isZero();
        return text;
    }
}
