package dev.cutover.engine.store;

import java.time.Instant;

import dev.cutover.engine.Slot;

/**
 * Which release of a service serves traffic, as last written at a switch.
 *
 * @param deploymentId the deployment that made it active
 * @param since        when traffic was switched to it
 */
public record ServiceState(String service, Slot activeSlot, String activeVersion, long deploymentId,
                           Instant since) {
}
