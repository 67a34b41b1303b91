package dev.cutover.engine;

import java.time.Instant;
import java.util.List;

/**
 * A service as it is now.
 *
 * @param activeVersion   the version that receives traffic, or null before the first deploy
 * @param since           when it began to
 * @param deploying       the version being deployed right now, or null
 * @param deployingPhase  where that deploy is
 * @param verify          the post-switch verification settings ({@code enabled=false}: off)
 */
public record ServiceStatus(String service, String activeVersion, Slot activeSlot, Instant since, String deploying,
                            DeployPhase deployingPhase, Instant deployingSince, VerifySpec verify,
                            List<SlotStatus> slots) {
}
