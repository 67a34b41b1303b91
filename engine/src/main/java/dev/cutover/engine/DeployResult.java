package dev.cutover.engine;

import java.time.Duration;

/**
 * How a deploy ended, and what serves now.
 *
 * @param reason         why it did not succeed (a sentence for the operator); null on success
 * @param servingVersion the version the service answers with now
 */
public record DeployResult(long deploymentId, String service, String version, DeployOutcome outcome, String reason,
                           String servingVersion, Duration took) {

    public boolean succeeded() {
        return outcome == DeployOutcome.SUCCEEDED;
    }
}
