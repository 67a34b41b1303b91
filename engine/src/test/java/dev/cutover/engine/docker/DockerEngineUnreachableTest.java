package dev.cutover.engine.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cutover.engine.DeployOutcome;
import dev.cutover.engine.DeployResult;

/** No Docker engine at the configured socket: the deploy says so, and nothing is started. Runs everywhere. */
class DockerEngineUnreachableTest {

    @TempDir
    Path dir;

    @Test
    void aDeployToAnEngineThatIsNotThereAbortsNamingTheSocket() throws Exception {
        String host = "unix://" + dir.resolve("docker.sock");
        try (DockerHarness h = new DockerHarness(dir.resolve("state"), host, DockerHarness.webService(List.of()))) {
            DeployResult result = h.deploy("v1", "registry.example.com/web:v1");

            assertThat(result.outcome()).isEqualTo(DeployOutcome.ABORTED);
            assertThat(result.reason()).startsWith("cannot reach the Docker engine at " + host + ": ")
                    .endsWith("; is dockerd running and may this user use its socket?");
            assertThat(h.store.apps("web")).isEmpty();
            assertThat(result.servingVersion()).isNull();
        }
    }
}
