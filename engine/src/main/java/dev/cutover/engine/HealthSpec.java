package dev.cutover.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * How a release proves it is ready: GET {@code path} on its port until {@code healthyThreshold}
 * answers in a row are good, one try every {@code interval}, each bounded by {@code timeout}, all
 * bounded by {@code deadline}.
 *
 * @param expectStatus the one status that counts as healthy, or 0 for any 2xx
 */
public record HealthSpec(String path, Duration interval, Duration timeout, Duration deadline,
                         int healthyThreshold, int expectStatus) {

    public static final HealthSpec DEFAULT = new HealthSpec("/health", Duration.ofSeconds(1), Duration.ofSeconds(2),
            Duration.ofSeconds(120), 2, 0);

    public HealthSpec {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("health path must start with /, got " + path);
        }
        if (healthyThreshold < 1) {
            throw new IllegalArgumentException("healthy_threshold must be at least 1, got " + healthyThreshold);
        }
    }

    public boolean isHealthy(int status) {
        return expectStatus == 0 ? status >= 200 && status < 300 : status == expectStatus;
    }
}
