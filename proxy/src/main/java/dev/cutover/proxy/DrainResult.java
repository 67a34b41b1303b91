package dev.cutover.proxy;

import java.time.Duration;

/**
 * How a drain ended.
 *
 * @param endedAtTimeout requests and upgraded connections still running when the timeout came, and
 *                       ended by it (504 before any response byte, closed otherwise); 0 for a clean drain
 */
public record DrainResult(Target target, Duration elapsed, long endedAtTimeout) {

    public boolean clean() {
        return endedAtTimeout == 0;
    }
}
