package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;

import dev.cutover.engine.runtime.DockerRuntime;
import dev.cutover.server.control.ControlJson;
import dev.cutover.testing.DockerEngine;
import dev.cutover.testing.RawHttp;

/**
 * {@code runtime: docker} through the real daemon: {@code cutover serve} on a cutover.yml whose
 * {@code docker.host} is a private dockerd (skipped where none can run: see {@link DockerEngine}),
 * driven by the CLI as an operator drives it. The engine-level tests prove the runtime; these prove
 * the daemon hands it the configured engine, the image and the service's command.
 */
class DockerThroughTheDaemonTest {

    @RegisterExtension
    static final DockerEngine DOCKER = new DockerEngine();

    @BeforeAll
    static void images() throws IOException {
        BusyboxWebImage.buildIn(DOCKER.host(), "v1", "v2");
    }

    /** The daemon leaves its containers running when it stops (by design): the test removes its own. */
    @AfterEach
    void removeTheTestsContainers() throws IOException {
        try (DockerClient docker = BusyboxWebImage.client(DOCKER.host())) {
            for (Container c : webContainers(docker, true)) {
                docker.removeContainerCmd(c.getId()).withForce(true).exec();
            }
            assertThat(webContainers(docker, true)).as("containers left after cleanup").isEmpty();
        }
    }

    @Test
    void deploysOfTwoImagesThroughTheCliServeEachInTurnAndRollbackBringsV1Back(@TempDir Path dir) throws Exception {
        DaemonConfigFile config = writeDockerConfig(dir);
        try (DaemonProcess daemon = DaemonProcess.start(config)) {
            CliRun v1 = deploy(daemon, config, "v1", BusyboxWebImage.ref("v1"));
            assertThat(v1.exitCode()).as("deploy v1: %s\ndaemon output:\n%s", v1, daemon.log()).isZero();
            assertThat(v1.out()).contains("ok: web v1 serves");
            assertThat(servedVersion(config)).isEqualTo("v1");
            assertThat(runningContainers()).as("v1 runs in the configured dockerd").containsExactly("cutover-web-blue-v1");

            CliRun v2 = deploy(daemon, config, "v2", BusyboxWebImage.ref("v2"));
            assertThat(v2.exitCode()).as("deploy v2: %s\ndaemon output:\n%s", v2, daemon.log()).isZero();
            assertThat(servedVersion(config)).isEqualTo("v2");
            assertThat(runningContainers()).as("v1's container is stopped and removed").containsExactly("cutover-web-green-v2");

            CliRun status = CliRun.of(config.client("status", "--json"));
            assertThat(status.exitCode()).as(status.toString()).isZero();
            JsonNode web = webStatus(status);
            assertThat(web.path("activeVersion").asText()).as(status.toString()).isEqualTo("v2");
            assertThat(web.path("activeSlot").asText()).as(status.toString()).isEqualToIgnoringCase("green");

            CliRun history = CliRun.of(config.client("history", "web"));
            assertThat(history.exitCode()).as(history.toString()).isZero();
            assertThat(history.out()).as(history.toString()).contains("v1").contains("v2");
            assertThat(deployments(config)).as("newest first").containsExactly("v2 DEPLOY SUCCEEDED", "v1 DEPLOY SUCCEEDED");

            CliRun rollback = CliRun.of(config.client("rollback", "web"));
            assertThat(rollback.exitCode()).as("rollback: %s\ndaemon output:\n%s", rollback, daemon.log()).isZero();
            assertThat(rollback.out()).contains("ok: web v1 serves");
            assertThat(servedVersion(config)).isEqualTo("v1");
            assertThat(runningContainers()).as("the recorded v1 image runs again, v2's container is gone")
                    .containsExactly("cutover-web-blue-v1");
            assertThat(webStatus(CliRun.of(config.client("status", "--json"))).path("activeVersion").asText()).isEqualTo("v1");
            assertThat(deployments(config)).first().isEqualTo("v1 ROLLBACK SUCCEEDED");
        }
    }

    @Test
    void anImageThatCannotBePulledExitsOneWithThePullErrorAndTheActiveVersionKeepsServing(@TempDir Path dir) throws Exception {
        DaemonConfigFile config = writeDockerConfig(dir);
        try (DaemonProcess daemon = DaemonProcess.start(config)) {
            CliRun v1 = deploy(daemon, config, "v1", BusyboxWebImage.ref("v1"));
            assertThat(v1.exitCode()).as("deploy v1: %s\ndaemon output:\n%s", v1, daemon.log()).isZero();
            // A registry on a port where nothing listens: the pull fails at once, with no network needed.
            String missing = "127.0.0.1:1/nope:v9";

            CliRun v9 = deploy(daemon, config, "v9", missing);

            assertThat(v9.exitCode()).as("deploy v9: %s\ndaemon output:\n%s", v9, daemon.log()).isEqualTo(ExitCode.DEPLOY_FAILED);
            assertThat(v9.out()).as(v9.toString()).contains("aborted: could not pull " + missing + ": ")
                    .contains("check the name and that this machine can reach the registry")
                    .contains("web v1 serves");
            assertThat(servedVersion(config)).isEqualTo("v1");
            assertThat(webStatus(CliRun.of(config.client("status", "--json"))).path("activeVersion").asText()).isEqualTo("v1");
            assertThat(runningContainers()).as("nothing was started for v9").containsExactly("cutover-web-blue-v1");
            assertThat(deployments(config)).containsExactly("v9 DEPLOY ABORTED", "v1 DEPLOY SUCCEEDED");
        }
    }

    /**
     * DaemonConfigFile writes a process service; this writes the docker one on its proxy port (the
     * file DaemonProcess starts on): the private dockerd, the image's busybox httpd, quick health checks.
     */
    private static DaemonConfigFile writeDockerConfig(Path dir) throws IOException {
        DaemonConfigFile config = DaemonConfigFile.in(dir);
        String yaml = "proxy:\n  listen: 127.0.0.1:" + config.proxyPort() + "\n  io_threads: 2\n"
                + "state_dir: state\n"
                + "docker:\n  host: " + DaemonConfigFile.quote(DOCKER.host()) + "\n"
                + "services:\n  web:\n"
                + "    runtime: docker\n"
                + "    command: [" + String.join(", ", BusyboxWebImage.COMMAND.stream().map(DaemonConfigFile::quote).toList()) + "]\n"
                + "    ports: { blue: " + DaemonConfigFile.freePort() + ", green: " + DaemonConfigFile.freePort() + " }\n"
                + "    health: { path: /health, interval: 100ms, timeout: 1s, deadline: 20s, healthy_threshold: 2 }\n"
                + "    drain_timeout: 5s\n"
                + "    stop_timeout: 5s\n";
        Files.writeString(config.path(), yaml);
        return config;
    }

    private static CliRun deploy(DaemonProcess daemon, DaemonConfigFile config, String version, String image) {
        return CliRun.of(config.client("deploy", "web", "--version", version, "--image", image));
    }

    /** Which image answers GET / through the daemon's proxy: its index.html holds its version. */
    private static String servedVersion(DaemonConfigFile config) throws IOException {
        try (RawHttp http = RawHttp.connect(config.proxyPort())) {
            RawHttp.Response response = http.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").readResponse();
            assertThat(response.status()).as(response.toString()).isEqualTo(200);
            return response.bodyText().strip();
        }
    }

    private static JsonNode webStatus(CliRun status) throws IOException {
        for (JsonNode service : ControlJson.MAPPER.readTree(status.out()).path("services")) {
            if ("web".equals(service.path("service").asText())) {
                return service;
            }
        }
        throw new AssertionError("no service web in " + status);
    }

    /** {@code cutover history web --json}, each deployment as "version KIND OUTCOME", newest first. */
    private static List<String> deployments(DaemonConfigFile config) throws IOException {
        CliRun history = CliRun.of(config.client("history", "web", "--json"));
        assertThat(history.exitCode()).as(history.toString()).isZero();
        List<String> rows = new ArrayList<>();
        for (JsonNode d : ControlJson.MAPPER.readTree(history.out()).path("deployments")) {
            rows.add(d.path("version").asText() + " " + d.path("kind").asText() + " " + d.path("outcome").asText());
        }
        return rows;
    }

    /** Names of the running containers labelled as service web, in the private dockerd. */
    private static List<String> runningContainers() {
        try (DockerClient docker = BusyboxWebImage.client(DOCKER.host())) {
            return webContainers(docker, false).stream().map(c -> c.getNames()[0].substring(1)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Container> webContainers(DockerClient docker, boolean stoppedToo) {
        return docker.listContainersCmd().withShowAll(stoppedToo)
                .withLabelFilter(Map.of(DockerRuntime.LABEL_SERVICE, "web")).exec();
    }
}
