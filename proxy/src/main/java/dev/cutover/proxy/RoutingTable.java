package dev.cutover.proxy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which service a request belongs to: first by Host (exact name, then {@code *.example.com}, then
 * the services that claim no host), then by the longest path prefix within that host, matched on
 * segment boundaries ({@code /api} takes {@code /api} and {@code /api/x}, not {@code /apix}).
 * Like nginx, the host is chosen first and there is no fallback to another host's paths.
 *
 * <p>Immutable; the proxy swaps a whole table when the routes change.
 */
public final class RoutingTable {

    private final Map<String, Service> services;
    private final Map<String, PathRoutes> exactHosts;
    private final Map<String, PathRoutes> wildcardSuffixes; // ".example.com" for "*.example.com"
    private final PathRoutes anyHost;
    private final Service single; // the only service, on every host and path: skips all matching

    private RoutingTable(Builder b) {
        this.services = Map.copyOf(b.services);
        this.exactHosts = freeze(b.exactHosts);
        this.wildcardSuffixes = freeze(b.wildcardSuffixes);
        this.anyHost = new PathRoutes(b.anyHost);
        this.single = exactHosts.isEmpty() && wildcardSuffixes.isEmpty() && b.anyHost.size() == 1
                && b.anyHost.get(0).prefix().equals("/") ? b.anyHost.get(0).service() : null;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static RoutingTable empty() {
        return builder().build();
    }

    public Collection<Service> services() {
        return services.values();
    }

    public Service service(String name) {
        return services.get(name);
    }

    /** The service for a request's Host header and request target, or null when none claims it. */
    public Service resolve(String hostHeader, String requestTarget) {
        if (single != null) {
            return single;
        }
        PathRoutes routes = hostRoutes(normalizeHost(hostHeader));
        return routes == null ? null : routes.match(pathOf(requestTarget));
    }

    private PathRoutes hostRoutes(String host) {
        if (host != null) {
            PathRoutes exact = exactHosts.get(host);
            if (exact != null) {
                return exact;
            }
            for (int dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
                PathRoutes wildcard = wildcardSuffixes.get(host.substring(dot));
                if (wildcard != null) {
                    return wildcard;
                }
            }
        }
        return anyHost.isEmpty() ? null : anyHost;
    }

    static String normalizeHost(String hostHeader) {
        if (hostHeader == null || hostHeader.isEmpty()) {
            return null;
        }
        String host = hostHeader;
        if (host.charAt(0) == '[') { // IPv6 literal, maybe with a port
            int end = host.indexOf(']');
            host = end > 0 ? host.substring(0, end + 1) : host;
        } else {
            int colon = host.indexOf(':');
            if (colon >= 0) {
                host = host.substring(0, colon);
            }
        }
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        return host.toLowerCase(Locale.ROOT);
    }

    /** The path of an origin-form or absolute-form request target, without the query. */
    static String pathOf(String requestTarget) {
        String path = requestTarget;
        if (!path.startsWith("/")) {
            int scheme = path.indexOf("://");
            if (scheme >= 0) {
                int slash = path.indexOf('/', scheme + 3);
                path = slash >= 0 ? path.substring(slash) : "/";
            }
        }
        int query = path.indexOf('?');
        return query >= 0 ? path.substring(0, query) : path;
    }

    private static Map<String, PathRoutes> freeze(Map<String, List<PathRoute>> byHost) {
        Map<String, PathRoutes> frozen = new HashMap<>();
        byHost.forEach((host, routes) -> frozen.put(host, new PathRoutes(routes)));
        return Map.copyOf(frozen);
    }

    private record PathRoute(String prefix, Service service) {

        boolean matches(String path) {
            if (prefix.equals("/")) {
                return true;
            }
            return path.startsWith(prefix)
                    && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
        }
    }

    /** Path prefixes of one host, longest first. */
    private static final class PathRoutes {
        private final PathRoute[] routes;

        PathRoutes(List<PathRoute> routes) {
            this.routes = routes.stream()
                    .sorted(Comparator.comparingInt((PathRoute r) -> r.prefix().length()).reversed())
                    .toArray(PathRoute[]::new);
        }

        boolean isEmpty() {
            return routes.length == 0;
        }

        Service match(String path) {
            for (PathRoute route : routes) {
                if (route.matches(path)) {
                    return route.service();
                }
            }
            return null;
        }
    }

    public static final class Builder {
        private final Map<String, Service> services = new LinkedHashMap<>();
        private final Map<String, List<PathRoute>> exactHosts = new HashMap<>();
        private final Map<String, List<PathRoute>> wildcardSuffixes = new HashMap<>();
        private final List<PathRoute> anyHost = new ArrayList<>();

        private Builder() {
        }

        /** Routes every host and path to {@code service}. */
        public Builder route(Service service) {
            return route(service, List.of(), List.of("/"));
        }

        /**
         * Routes requests for {@code hosts} (exact names or {@code *.example.com}; empty for any
         * host) whose path starts with one of {@code pathPrefixes} (empty for "/") to the service.
         *
         * @throws IllegalArgumentException when a host and prefix pair is already claimed
         */
        public Builder route(Service service, List<String> hosts, List<String> pathPrefixes) {
            Service known = services.putIfAbsent(service.name(), service);
            if (known != null && known != service) {
                throw new IllegalArgumentException("two different services are named '" + service.name() + "'");
            }
            List<String> prefixes = pathPrefixes.isEmpty() ? List.of("/") : pathPrefixes;
            if (hosts.isEmpty()) {
                addAll(anyHost, "any host", prefixes, service);
            }
            for (String rawHost : hosts) {
                String host = rawHost.toLowerCase(Locale.ROOT);
                if (host.startsWith("*.")) {
                    addAll(wildcardSuffixes.computeIfAbsent(host.substring(1), h -> new ArrayList<>()),
                            host, prefixes, service);
                } else {
                    addAll(exactHosts.computeIfAbsent(host, h -> new ArrayList<>()), host, prefixes, service);
                }
            }
            return this;
        }

        private static void addAll(List<PathRoute> routes, String host, List<String> prefixes, Service service) {
            for (String raw : prefixes) {
                String prefix = normalizePrefix(raw);
                for (PathRoute existing : routes) {
                    if (existing.prefix().equals(prefix)) {
                        throw new IllegalArgumentException("services '" + existing.service().name() + "' and '"
                                + service.name() + "' both claim path " + prefix + " on " + host);
                    }
                }
                routes.add(new PathRoute(prefix, service));
            }
        }

        private static String normalizePrefix(String prefix) {
            if (!prefix.startsWith("/")) {
                throw new IllegalArgumentException("a path prefix must start with '/': " + prefix);
            }
            return prefix.length() > 1 && prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        }

        public RoutingTable build() {
            return new RoutingTable(this);
        }
    }
}
