package dev.cutover.server.config;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Ports and routes are shared by the whole file: each may belong to one owner only. The first
 * claim wins; a later one is reported at its own line, naming the first owner and its line.
 */
final class Claims {

    private record Claim(String owner, String service, int line) {
    }

    private final Problems problems;
    private final Map<Integer, Claim> ports = new HashMap<>();
    private final Map<String, Claim> routes = new HashMap<>();

    Claims(Problems problems) {
        this.problems = problems;
    }

    /**
     * @param owner   who uses the port, as a message names it: "slot blue of service web"
     * @param service the service the owner belongs to, or null for the proxy and the control API
     */
    void port(int port, String owner, String service, String where, int line) {
        Claim first = ports.putIfAbsent(port, new Claim(owner, service, line));
        if (first == null) {
            return;
        }
        String hint = service != null && service.equals(first.service())
                ? "blue and green need different ports, so a new release can start while the old one serves"
                : "every slot, the proxy and the control listener each need a port of their own";
        problems.add(line, where + ": port " + port + " is already used by " + first.owner() + " at line "
                + first.line() + "; " + hint);
    }

    /** @param host a host name, {@code *.example.com}, or null for any host */
    void route(String host, String pathPrefix, String service, String where, int line) {
        String normalized = pathPrefix.length() > 1 && pathPrefix.endsWith("/")
                ? pathPrefix.substring(0, pathPrefix.length() - 1) : pathPrefix;
        String shown = "path " + normalized + " on " + (host == null ? "any host" : host.toLowerCase(Locale.ROOT));
        Claim first = routes.putIfAbsent(shown, new Claim("service " + service, service, line));
        if (first == null) {
            return;
        }
        problems.add(line, where + ": " + shown + " is already routed to " + first.owner() + " at line "
                + first.line() + "; give the services different hosts or path prefixes");
    }
}
