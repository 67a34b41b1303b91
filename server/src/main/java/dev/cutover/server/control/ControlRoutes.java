package dev.cutover.server.control;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The control API's endpoints: method + path template -> handler. Immutable once built.
 *
 * <pre>{@code
 * ControlRoutes routes = ControlRoutes.builder()
 *         .get("/v1/status", status)
 *         .get("/v1/services/{service}", service)
 *         .post("/v1/services/{service}/deploy", deploy)
 *         .build();
 * }</pre>
 *
 * A path that fits no template answers 404; a path that fits one with another method answers 405
 * with an {@code Allow} header. Where a literal segment and a parameter both fit, the literal wins.
 */
public final class ControlRoutes {

    record Route(String method, RouteTemplate template, ControlHandler handler) {
    }

    /** What a request's method and path lead to. */
    sealed interface Match {
        record Found(ControlHandler handler, Map<String, String> params) implements Match {
        }

        record NotFound() implements Match {
        }

        record MethodNotAllowed(Set<String> allowed) implements Match {
        }
    }

    private final List<Route> routes;

    private ControlRoutes(List<Route> routes) {
        List<Route> sorted = new ArrayList<>(routes);
        sorted.sort(Comparator.comparing(Route::template));
        this.routes = List.copyOf(sorted);
    }

    public static Builder builder() {
        return new Builder();
    }

    Match match(String method, List<String> pathSegments) {
        Set<String> allowed = new TreeSet<>();
        for (Route route : routes) {
            Map<String, String> params = route.template().match(pathSegments);
            if (params == null) {
                continue;
            }
            if (route.method().equals(method)) {
                return new Match.Found(route.handler(), params);
            }
            allowed.add(route.method());
        }
        return allowed.isEmpty() ? new Match.NotFound() : new Match.MethodNotAllowed(allowed);
    }

    /** Collects routes; refuses two handlers for the same method and path shape. */
    public static final class Builder {

        private final List<Route> routes = new ArrayList<>();
        private final Set<String> seen = new HashSet<>();

        private Builder() {
        }

        public Builder get(String template, ControlHandler handler) {
            return route("GET", template, handler);
        }

        public Builder post(String template, ControlHandler handler) {
            return route("POST", template, handler);
        }

        public Builder put(String template, ControlHandler handler) {
            return route("PUT", template, handler);
        }

        public Builder delete(String template, ControlHandler handler) {
            return route("DELETE", template, handler);
        }

        public Builder route(String method, String template, ControlHandler handler) {
            Objects.requireNonNull(handler, "handler");
            String upper = method.toUpperCase(Locale.ROOT);
            RouteTemplate parsed = RouteTemplate.parse(template);
            if (!seen.add(upper + " " + parsed.shape())) {
                throw new IllegalArgumentException("two handlers for " + upper + " " + template);
            }
            routes.add(new Route(upper, parsed, handler));
            return this;
        }

        public ControlRoutes build() {
            return new ControlRoutes(routes);
        }
    }
}
