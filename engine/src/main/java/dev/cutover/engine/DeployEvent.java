package dev.cutover.engine;

import java.time.Duration;
import java.time.Instant;

/**
 * One thing that happened during a deploy, streamed to the CLI and stored.
 *
 * @param elapsed since the deploy began
 * @param message a sentence for humans ("health check 3/120: 200 OK")
 */
public record DeployEvent(long deploymentId, String service, DeployPhase phase, Instant at, Duration elapsed,
                          String message) {
}
