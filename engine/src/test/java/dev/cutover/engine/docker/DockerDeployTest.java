package dev.cutover.engine.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;

import dev.cutover.engine.DeployOutcome;
import dev.cutover.engine.DeployRefusedException;
import dev.cutover.engine.DeployRequest;
import dev.cutover.engine.DeployResult;
import dev.cutover.engine.HealthSpec;
import dev.cutover.engine.ServiceSpec;
import dev.cutover.engine.Slot;
import dev.cutover.engine.runtime.DockerRuntime;
import dev.cutover.engine.runtime.RunningApp;
import dev.cutover.loadgen.LoadGenerator;
import dev.cutover.loadgen.LoadReport;
import dev.cutover.testing.DockerEngine;

/**
 * The docker runtime through the engine, against a private dockerd (skipped where none can run:
 * see {@link DockerEngine}), with images built here from a static busybox.
 */
class DockerDeployTest {

    @RegisterExtension
    static final DockerEngine DOCKER = new DockerEngine();

    @TempDir
    Path dir;

    @BeforeAll
    static void images() throws Exception {
        DockerTestImages.build(DOCKER.host(), "v1", "v2");
    }

    private DockerHarness harness(ServiceSpec spec) throws java.io.IOException {
        return new DockerHarness(dir.resolve("state"), DOCKER.host(), spec);
    }

    @Test
    void deployV1ThenV2UnderLoadLosesNoRequestAndStopsTheOldContainerGracefully() throws Exception {
        try (DockerHarness h = harness(DockerHarness.webService(List.of()))) {
            DeployResult first = h.deploy("v1", DockerTestImages.ref("v1"));
            assertThat(first.outcome()).as(first.reason()).isEqualTo(DeployOutcome.SUCCEEDED);
            assertThat(h.servedVersion()).isEqualTo("v1");
            RunningApp v1 = h.recorded(Slot.BLUE);
            assertThat(v1.containerId()).isNotBlank();
            try (DockerClient docker = DockerTestImages.client(DOCKER.host())) {
                InspectContainerResponse c = docker.inspectContainerCmd(v1.containerId()).exec();
                assertThat(c.getName()).isEqualTo("/cutover-web-blue-v1");
                assertThat(c.getHostConfig().getNetworkMode()).isEqualTo("host");
                assertThat(c.getConfig().getLabels()).containsEntry("cutover.service", "web")
                        .containsEntry("cutover.slot", "blue").containsEntry("cutover.version", "v1");
                assertThat(c.getConfig().getEnv()).contains("PORT=" + h.spec.port(Slot.BLUE), "VERSION=v1", "SLOT=blue");
            }

            LoadGenerator load = LoadGenerator.builder(h.url("/cgi-bin/version")).concurrency(8)
                    .duration(Duration.ofSeconds(60)).build();
            load.start();
            dev.cutover.testing.Eventually.await("load reaches v1", Duration.ofSeconds(10),
                    () -> h.proxy.localAddress() != null && h.engine.status("web").slots().stream()
                            .anyMatch(s -> s.active() && s.counters().responses() > 20));
            DeployResult second = h.deploy("v2", DockerTestImages.ref("v2"));
            dev.cutover.testing.Eventually.await("load reaches v2", Duration.ofSeconds(10),
                    () -> h.engine.status("web").slots().stream().anyMatch(s -> s.active() && s.counters().responses() > 20));
            LoadReport report = load.stop();

            assertThat(second.outcome()).as(second.reason()).isEqualTo(DeployOutcome.SUCCEEDED);
            assertThat(report.failed()).as(report.summary()).isZero();
            assertThat(report.versions()).containsKeys("v1", "v2");
            assertThat(h.servedVersion()).isEqualTo("v2");
            assertThat(h.messages()).anySatisfy(m -> assertThat(m)
                    .startsWith("v1 (blue, container cutover-web-blue-v1 (" + v1.containerId().substring(0, 12) + ")) stopped gracefully in"));
            assertThat(h.docker.isAlive(v1)).isFalse();
            assertThat(h.docker.exitCode(v1)).as("the shell's TERM trap exits 0").contains(0);
            try (DockerClient docker = DockerTestImages.client(DOCKER.host())) {
                assertThatThrownBy(() -> docker.inspectContainerCmd(v1.containerId()).exec())
                        .as("a stopped container is removed").isInstanceOf(NotFoundException.class);
            }
            assertThat(h.recorded(Slot.GREEN).containerId()).isNotEqualTo(v1.containerId());
        }
    }

    @Test
    void anImageThatCannotBePulledAbortsTheDeployAndV1KeepsServing() throws Exception {
        try (DockerHarness h = harness(DockerHarness.webService(List.of()))) {
            assertThat(h.deploy("v1", DockerTestImages.ref("v1")).outcome()).isEqualTo(DeployOutcome.SUCCEEDED);
            RunningApp v1 = h.recorded(Slot.BLUE);
            // A registry on a port where nothing listens: the pull fails at once, with no network needed.
            String missing = "127.0.0.1:1/cutover-test/nope:v2";

            DeployResult result = h.deploy("v2", missing);

            assertThat(result.outcome()).isEqualTo(DeployOutcome.ABORTED);
            assertThat(result.reason()).startsWith("could not pull " + missing + ": ")
                    .endsWith("; check the name and that this machine can reach the registry (docker login for private registries)");
            assertThat(result.servingVersion()).isEqualTo("v1");
            assertThat(h.servedVersion()).isEqualTo("v1");
            assertThat(h.docker.isAlive(v1)).isTrue();
            assertThat(h.store.apps("web")).extracting(RunningApp::containerId).containsExactly(v1.containerId());
            assertThat(h.messages()).noneSatisfy(m -> assertThat(m).startsWith("started v2"));
        }
    }

    @Test
    void aContainerThatExitsAtOnceAbortsWithItsExitCodeAndLastLogLines() throws Exception {
        ServiceSpec crashing = DockerHarness.webService(List.of("/bin/busybox", "sh", "-c",
                "echo booting ${VERSION} in ${SLOT} on port ${PORT}; echo 'fatal: cannot open /data/app.db' >&2; exit 3"));
        try (DockerHarness h = harness(crashing)) {
            DeployResult result = h.deploy("v1", DockerTestImages.ref("v1"));

            assertThat(result.outcome()).isEqualTo(DeployOutcome.ABORTED);
            assertThat(result.reason()).startsWith("exited with code 3 while waiting to become healthy")
                    .contains("last lines of docker logs cutover-web-blue-v1:")
                    .contains("booting v1 in blue on port " + crashing.port(Slot.BLUE))
                    .contains("fatal: cannot open /data/app.db");
            assertThat(h.store.apps("web")).isEmpty();
            assertThat(containersOf("web")).isEmpty();
        }
    }

    @Test
    void aContainerThatNeverBecomesHealthyAbortsAndIsRemoved() throws Exception {
        // httpd without the /health file: 404 forever. As PID 1 it ignores SIGTERM, so it is killed after 1 s.
        ServiceSpec unhealthy = DockerHarness.webService(List.of("/bin/busybox", "httpd", "-f", "-p", "127.0.0.1:${PORT}", "-h", "/bin"))
                .withHealth(new HealthSpec("/health", Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(2), 2, 0))
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(1));
        try (DockerHarness h = harness(unhealthy)) {
            DeployResult result = h.deploy("v1", DockerTestImages.ref("v1"));

            assertThat(result.outcome()).isEqualTo(DeployOutcome.ABORTED);
            assertThat(result.reason()).contains("404");
            assertThat(h.messages()).anySatisfy(m -> assertThat(m).startsWith("v1 (container cutover-web-blue-v1 (")
                    .contains("did not stop within its grace period and was killed"));
            assertThat(h.store.apps("web")).isEmpty();
            assertThat(containersOf("web")).as("no container of ours is left, running or not").isEmpty();
        }
    }

    @Test
    void rollbackStartsThePreviousImageAgain() throws Exception {
        try (DockerHarness h = harness(DockerHarness.webService(List.of()))) {
            assertThat(h.deploy("v1", DockerTestImages.ref("v1")).outcome()).isEqualTo(DeployOutcome.SUCCEEDED);
            String firstV1 = h.recorded(Slot.BLUE).containerId();
            assertThat(h.deploy("v2", DockerTestImages.ref("v2")).outcome()).isEqualTo(DeployOutcome.SUCCEEDED);
            assertThat(h.servedVersion()).isEqualTo("v2");

            DeployResult back = h.engine.rollback("web", null, h.events::add);

            assertThat(back.outcome()).as(back.reason()).isEqualTo(DeployOutcome.SUCCEEDED);
            assertThat(back.version()).isEqualTo("v1");
            assertThat(h.servedVersion()).isEqualTo("v1");
            RunningApp again = h.recorded(Slot.BLUE);
            assertThat(again.containerId()).as("a new container from the recorded image").isNotEqualTo(firstV1);
            assertThat(h.store.release("web", "v1").orElseThrow().image()).isEqualTo(DockerTestImages.ref("v1"));
            assertThat(containersOf("web")).containsExactly("cutover-web-blue-v1");
        }
    }

    @Test
    void afterADaemonRestartTheRunningContainerIsAdoptedNotRestarted() throws Exception {
        ServiceSpec spec = DockerHarness.webService(List.of());
        String id;
        String startedAt;
        DockerHarness before = harness(spec);
        try {
            assertThat(before.deploy("v1", DockerTestImages.ref("v1")).outcome()).isEqualTo(DeployOutcome.SUCCEEDED);
            id = before.recorded(Slot.BLUE).containerId();
            startedAt = inspect(id).getState().getStartedAt();
        } finally {
            before.die();
        }
        try (DockerHarness after = harness(spec)) {
            List<String> report = after.engine.recover();

            assertThat(report).anySatisfy(line -> assertThat(line).startsWith("web: v1 (blue, container cutover-web-blue-v1 ("
                    + id.substring(0, 12) + ")) still runs and answers its health check"));
            assertThat(after.recorded(Slot.BLUE).containerId()).isEqualTo(id);
            assertThat(inspect(id).getState().getStartedAt()).as("the same run of the same container").isEqualTo(startedAt);
            assertThat(after.servedVersion()).isEqualTo("v1");
        }
    }

    @Test
    void aPortTakenOnTheHostAbortsTheDeployAndNamesTheHolder() throws Exception {
        try (DockerHarness h = harness(DockerHarness.webService(List.of()))) {
            assertThat(h.deploy("v1", DockerTestImages.ref("v1")).outcome()).isEqualTo(DeployOutcome.SUCCEEDED);
            int green = h.spec.port(Slot.GREEN);
            try (ServerSocket squatter = new ServerSocket(green, 1, InetAddress.getLoopbackAddress())) {
                DeployResult result = h.deploy("v2", DockerTestImages.ref("v2"));

                assertThat(result.outcome()).isEqualTo(DeployOutcome.ABORTED);
                assertThat(result.reason()).startsWith("port " + green + " (slot green of service web) is taken by another process (pid "
                        + ProcessHandle.current().pid());
                assertThat(h.servedVersion()).isEqualTo("v1");
                assertThat(containersOf("web")).containsExactly("cutover-web-blue-v1");
            }
        }
    }

    @Test
    void aDockerServiceRefusesAnArtifactAndNeedsAnImage() throws Exception {
        try (DockerHarness h = harness(DockerHarness.webService(List.of()))) {
            assertThatThrownBy(() -> h.engine.deploy(DeployRequest.of("web", "v1").withArtifact(dir.resolve("app.jar")), e -> { }))
                    .isInstanceOf(DeployRefusedException.class)
                    .hasMessage("service web runs as a container (runtime: docker); --artifact is for process services: "
                            + "deploy it with --image REF");
            assertThatThrownBy(() -> h.engine.deploy(DeployRequest.of("web", "v1"), e -> { }))
                    .isInstanceOf(DeployRefusedException.class)
                    .hasMessage("service web runs as a container (runtime: docker) and v1 has no image yet: deploy it with "
                            + "--image REF, e.g. --image registry.example.com/web:v1");
            assertThat(h.store.history("web", 10)).isEmpty();
        }
    }

    private static List<String> containersOf(String service) {
        try (DockerClient docker = DockerTestImages.client(DOCKER.host())) {
            return docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(DockerRuntime.LABEL_SERVICE, service))
                    .exec().stream().map(c -> c.getNames()[0].substring(1)).sorted().toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static InspectContainerResponse inspect(String id) throws Exception {
        try (DockerClient docker = DockerTestImages.client(DOCKER.host())) {
            return docker.inspectContainerCmd(id).exec();
        }
    }
}
