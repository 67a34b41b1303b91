package dev.cutover.engine.store;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * A version of a service that the daemon was asked to deploy, and what it is made of.
 *
 * @param artifact the retained copy of the artifact, or null (an image, or nothing to retain)
 * @param image    the container image reference, or null
 */
public record ReleaseRecord(String service, String version, Path artifact, String image, Instant createdAt) {

    public ReleaseRecord {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
