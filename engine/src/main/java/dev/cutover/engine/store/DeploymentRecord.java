package dev.cutover.engine.store;

import java.time.Instant;

import dev.cutover.engine.DeployKind;
import dev.cutover.engine.DeployOutcome;
import dev.cutover.engine.Slot;

/**
 * One deploy or rollback of a service, as stored.
 *
 * @param slot        the slot the new release was started in
 * @param fromVersion the version that was serving when it began, or null (the service's first deploy)
 * @param endedAt     null while it runs
 * @param outcome     null while it runs (or if the daemon died before it ended)
 * @param reason      why it ended this way, for humans, or null
 */
public record DeploymentRecord(long id, String service, String version, DeployKind kind, Slot slot,
                               String fromVersion, Instant startedAt, Instant endedAt, DeployOutcome outcome,
                               String reason) {

    /** Whether it has an outcome. */
    public boolean finished() {
        return outcome != null;
    }
}
