package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.cutover.cli.CutoverCommandTest.Run;
import dev.cutover.sample.SampleOptions;
import dev.cutover.sample.SampleServer;

class LoadtestCommandTest {

    private SampleServer app;

    @AfterEach
    void stopApp() {
        if (app != null) {
            app.close();
        }
    }

    private String startApp(SampleOptions options) throws InterruptedException {
        app = SampleServer.start(options);
        return "http://127.0.0.1:" + app.port() + "/";
    }

    private static JsonNode json(Run run) throws IOException {
        return new ObjectMapper().readTree(run.out());
    }

    @Test
    void jsonAgainstAHealthyAppReportsNoFailureAndWhichVersionAnswered() throws Exception {
        final String url = startApp(SampleOptions.of(0, "v1"));

        final Run run = Run.of("loadtest", url, "--duration", "1s", "--concurrency", "4", "--json");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.OK);
        final JsonNode report = json(run);
        assertThat(report.get("total").asLong()).isPositive();
        assertThat(report.get("failed").asLong()).isZero();
        assertThat(report.get("ok").asLong()).isEqualTo(report.get("total").asLong());
        assertThat(report.get("versions").get("v1").asLong()).isEqualTo(report.get("total").asLong());
        assertThat(report.get("longestFailureWindow").get("requests").asLong()).isZero();
        assertThat(report.get("latency").get("p99Ms").asDouble()).isPositive();
        assertThat(run.err()).isEmpty();
    }

    @Test
    void anAppAnsweringErrorsIsReportedAsFiveHundredsAndExitsOne() throws Exception {
        final String url = startApp(SampleOptions.of(0, "v2").withErrorRatio(0.5));

        final Run run = Run.of("loadtest", url, "--max-requests", "200", "--duration", "10s", "--concurrency", "4", "--json");

        assertThat(run.exitCode()).isEqualTo(ExitCode.DEPLOY_FAILED);
        final JsonNode report = json(run);
        assertThat(report.get("total").asLong()).isEqualTo(200);
        assertThat(report.get("failuresByCause").get("http_5xx").asLong())
                .isPositive()
                .isEqualTo(report.get("failed").asLong());
        assertThat(report.get("versions").get("v2").asLong()).isEqualTo(200);
    }

    @Test
    void aClosedPortIsReportedAsRefusedConnections() throws Exception {
        final int closed;
        try (ServerSocket probe = new ServerSocket(0)) {
            closed = probe.getLocalPort();
        }

        final Run run = Run.of("loadtest", "http://127.0.0.1:" + closed + "/", "--max-requests", "50",
                "--duration", "5s", "--concurrency", "2", "--json");

        assertThat(run.exitCode()).isEqualTo(ExitCode.DEPLOY_FAILED);
        final JsonNode report = json(run);
        assertThat(report.get("ok").asLong()).isZero();
        assertThat(report.get("failuresByCause").get("connect_refused").asLong()).isEqualTo(50);
        assertThat(report.get("longestFailureWindow").get("requests").asLong()).isEqualTo(50);
    }

    @Test
    void theReadableReportSaysWhatHappenedIncludingVerifiedUploads() throws Exception {
        final String url = startApp(SampleOptions.of(0, "v3"));

        final Run run = Run.of("loadtest", url, "--max-requests", "40", "--duration", "10s", "--concurrency", "2",
                "--upload-every", "4", "--upload-bytes", "20000");

        assertThat(run.exitCode()).as(run.out()).isEqualTo(ExitCode.OK);
        assertThat(run.out())
                .contains("ok 40, failed 0")
                .contains("versions: v3=40")
                .contains("uploads: 10 sent, 0 echoed a wrong byte count or SHA-256")
                .endsWith("result: no request failed (40 requests)" + System.lineSeparator());
    }

    @Test
    void badUsageExitsTwoWithOneLineSayingWhatIsWrong() {
        final Run missingUrl = Run.of("loadtest");
        assertThat(missingUrl.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(missingUrl.errLines()).containsExactly(
                "cutover loadtest: Missing required parameter: 'URL'", "try 'cutover loadtest --help'");

        final Run noConnections = Run.of("loadtest", "http://127.0.0.1:1/", "--concurrency", "0");
        assertThat(noConnections.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(noConnections.errLines()).containsExactly(
                "cutover loadtest: concurrency must be at least 1, got 0", "try 'cutover loadtest --help'");

        final Run notHttp = Run.of("loadtest", "https://127.0.0.1:1/");
        assertThat(notHttp.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(notHttp.errLines().get(0)).contains("plain http only");

        final Run zeroDuration = Run.of("loadtest", "http://127.0.0.1:1/", "--duration", "0");
        assertThat(zeroDuration.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(zeroDuration.errLines().get(0)).isEqualTo("cutover loadtest: --duration must be longer than 0, like 500ms or 30s");
    }

    @Test
    void aUrlWithoutSchemeIsTakenAsHttp() throws Exception {
        final String url = startApp(SampleOptions.of(0, "v4"));

        final Run run = Run.of("loadtest", url.substring("http://".length()), "--max-requests", "5", "--json");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.OK);
        assertThat(json(run).get("versions").get("v4").asLong()).isEqualTo(5);
    }
}
