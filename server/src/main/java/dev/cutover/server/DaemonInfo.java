package dev.cutover.server;

import java.time.Instant;

/** Who answers on the control socket: for `cutover status` and for scripts. */
public record DaemonInfo(long pid, Instant startedAt, String proxyListen, String controlSocket, String config,
                         String stateDir) {
}
