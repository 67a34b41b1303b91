package dev.cutover.engine;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What to deploy.
 *
 * @param artifact a file to copy into the state dir and hand to the command as ${ARTIFACT}; null for none
 * @param image    a container image reference, for the docker runtime; null otherwise
 */
public record DeployRequest(String service, String version, Path artifact, String image, DeployKind kind) {

    public DeployRequest {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(kind, "kind");
    }

    public static DeployRequest of(String service, String version) {
        return new DeployRequest(service, version, null, null, DeployKind.DEPLOY);
    }

    public DeployRequest withArtifact(Path artifact) {
        return new DeployRequest(service, version, artifact, image, kind);
    }
}
