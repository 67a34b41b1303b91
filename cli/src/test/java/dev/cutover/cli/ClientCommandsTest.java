package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cutover.server.control.ControlJson;

/**
 * The commands' contract (ARCHITECTURE.md, "The contract users see") through a real daemon: exit
 * codes 0/1/2/3, what they print, one JSON document with --json, and serve refusing what it cannot
 * run. One daemon for the class; each test reads what serves before it acts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientCommandsTest {

    @TempDir
    static Path dir;

    private DaemonConfigFile config;
    private DaemonProcess daemon;

    @BeforeAll
    void startDaemon() {
        config = DaemonConfigFile.in(dir).healthDeadline("3s");
        config.write();
        daemon = DaemonProcess.start(config);
        deploy("base");
    }

    @AfterAll
    void stopDaemon() throws InterruptedException {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void aNeverHealthyDeployExitsOneSaysWhyAndThatTheOldVersionStillServes() throws Exception {
        String before = daemon.servedVersion();
        CliRun run = CliRun.of(config.client("deploy", "web", "--version", "sick", "--artifact",
                config.artifact("sick", "never_healthy=true\n").toString()));
        daemon.apps().learnFromEvents(run.out());
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.DEPLOY_FAILED);
        assertThat(run.out()).as(run.toString()).contains("aborted: ").contains("web " + before + " serves");
        assertThat(run.out().lines().filter(l -> l.startsWith("aborted: ")).findFirst().orElseThrow())
                .as("the reason is on the verdict line").hasSizeGreaterThan("aborted: ".length() + 10);
        assertThat(daemon.servedVersion()).isEqualTo(before);
    }

    @Test
    void deployWithJsonPrintsExactlyOneDocumentWithTheResultAndTheEvents() throws Exception {
        CliRun run = CliRun.of(config.client("deploy", "web", "--version", "json-1", "--artifact",
                config.artifact("json-1", "").toString(), "--json"));
        daemon.apps().learnFromEvents(run.out());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonNode doc = ControlJson.MAPPER.readTree(run.out()); // the whole of stdout, or it throws
        assertThat(doc.path("result").path("outcome").asText()).isEqualTo("SUCCEEDED");
        assertThat(doc.path("result").path("version").asText()).isEqualTo("json-1");
        assertThat(doc.path("events").findValuesAsText("phase")).contains("PREPARE", "START", "HEALTH_CHECK", "SWITCH");
        assertThat(run.err()).isEmpty();
        assertThat(daemon.servedVersion()).isEqualTo("json-1");
    }

    @Test
    void rollbackGoesBackToThePreviousReleaseAndRollbackToPicksOne() throws Exception {
        deploy("rb-a");
        deploy("rb-b");
        CliRun back = CliRun.of(config.client("rollback", "web"));
        daemon.apps().learnFromEvents(back.out());
        assertThat(back.exitCode()).as(back.toString()).isZero();
        assertThat(back.out()).contains("ok: web rb-a serves");
        assertThat(daemon.servedVersion()).isEqualTo("rb-a");

        CliRun to = CliRun.of(config.client("rollback", "web", "--to", "rb-b"));
        daemon.apps().learnFromEvents(to.out());
        assertThat(to.exitCode()).as(to.toString()).isZero();
        assertThat(daemon.servedVersion()).isEqualTo("rb-b");

        CliRun history = CliRun.of(config.client("history", "web", "--json"));
        JsonNode newest = ControlJson.MAPPER.readTree(history.out()).path("deployments").path(0);
        assertThat(newest.path("kind").asText()).isEqualTo("ROLLBACK");
        assertThat(newest.path("version").asText()).isEqualTo("rb-b");
    }

    @Test
    void statusAndHistoryInWordsNameTheVersions() throws Exception {
        String serving = daemon.servedVersion();
        CliRun status = CliRun.of(config.client("status"));
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.out()).as(status.toString()).contains("daemon pid " + daemon.pid())
                .contains("web: " + serving + " on ").contains("active");

        CliRun history = CliRun.of(config.client("history", "web"));
        assertThat(history.exitCode()).as(history.toString()).isZero();
        assertThat(history.out()).as(history.toString()).contains("VERSION").contains("base").contains(serving)
                .contains("succeeded");
    }

    @Test
    void anUnknownServiceExitsTwoAndNamesTheKnownOnes() {
        CliRun status = CliRun.of(config.client("status", "nope"));
        assertThat(status.exitCode()).as(status.toString()).isEqualTo(ExitCode.USAGE);
        assertThat(status.err()).contains("no service named 'nope'").contains("web");

        CliRun deploy = CliRun.of(config.client("deploy", "nope", "--version", "v9", "--artifact",
                config.artifact("v9", "").toString()));
        assertThat(deploy.exitCode()).as(deploy.toString()).isEqualTo(ExitCode.USAGE);
        assertThat(deploy.err()).contains("nope");
    }

    @Test
    void aMissingArtifactFileExitsTwoBeforeAskingTheDaemon() {
        CliRun run = CliRun.of(config.client("deploy", "web", "--version", "v9", "--artifact", dir.resolve("no-such.jar").toString()));
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).contains("no-such.jar").contains("no such file");
    }

    @Test
    void withoutADaemonClientsExitThreeAndSayToRunServe() {
        CliRun run = CliRun.of("status", "--socket", dir.resolve("nobody.sock").toString());
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.UNREACHABLE);
        assertThat(run.err()).contains("cutover serve");
    }

    @Test
    void serveWithABadConfigExitsTwoNamingFileAndLine() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yml"), """
                proxy:
                  listn: 127.0.0.1:8080
                state_dir: bad-state
                services:
                  web: { command: [x], ports: { blue: 1, green: 2 } }
                """);
        CliRun run = CliRun.of("serve", "--config", bad.toString());
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).as(run.toString()).contains(bad + ":2").contains("listn");
    }

    @Test
    void aSecondServeOnTheSameStateDirIsRefused() throws Exception {
        CliRun second = DaemonProcess.serveExpectingRefusal(config.path(), dir);
        assertThat(second.exitCode()).as(second.toString()).isEqualTo(ExitCode.USAGE);
        assertThat(second.err()).as(second.toString()).contains("another cutover daemon");
        assertThat(daemon.isAlive()).isTrue();
        assertThat(daemon.servedVersion()).isNotNull();
    }

    @Test
    void serveExitsTwoNamingTheAddressWhenTheProxyPortIsTaken() throws Exception {
        Path other = Files.createDirectories(dir.resolve("taken"));
        DaemonConfigFile taken = DaemonConfigFile.in(other);
        taken.write();
        try (ServerSocket squatter = new ServerSocket(taken.proxyPort(), 1, InetAddress.getLoopbackAddress())) {
            CliRun run = DaemonProcess.serveExpectingRefusal(taken.path(), other);
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.USAGE);
            assertThat(run.err()).as(run.toString()).contains("127.0.0.1:" + taken.proxyPort());
        }
    }

    private void deploy(String version) {
        CliRun run = CliRun.of(config.client("deploy", "web", "--version", version, "--artifact",
                config.artifact(version, "").toString()));
        daemon.apps().learnFromEvents(run.out());
        assertThat(run.exitCode()).as("deploy %s: %s\ndaemon output:\n%s", version, run, daemon.log()).isZero();
    }
}
