package dev.cutover.server.control;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A path with named parameters, such as {@code /v1/services/{service}/deploy}. A parameter matches
 * exactly one non-empty segment.
 */
record RouteTemplate(String text, List<String> segments) implements Comparable<RouteTemplate> {

    static RouteTemplate parse(String text) {
        if (!text.startsWith("/")) {
            throw new IllegalArgumentException("route " + text + " must start with /");
        }
        List<String> segments = List.of(text.substring(1).split("/", -1));
        Set<String> names = new HashSet<>();
        for (String segment : segments) {
            if (isParameter(segment)) {
                String name = name(segment);
                if (name.isEmpty() || !names.add(name)) {
                    throw new IllegalArgumentException("route " + text + " has an empty or repeated parameter {" + name + "}");
                }
            } else if (segment.contains("{") || segment.contains("}")) {
                throw new IllegalArgumentException("route " + text + ": a parameter must be a whole segment, as in /v1/services/{service}");
            }
        }
        return new RouteTemplate(text, segments);
    }

    /** The parameters by name when {@code path} (already split and decoded) fits; {@code null} otherwise. */
    Map<String, String> match(List<String> pathSegments) {
        if (pathSegments.size() != segments.size()) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < segments.size(); i++) {
            String template = segments.get(i);
            String actual = pathSegments.get(i);
            if (isParameter(template)) {
                if (actual.isEmpty()) {
                    return null;
                }
                params.put(name(template), actual);
            } else if (!template.equals(actual)) {
                return null;
            }
        }
        return params;
    }

    /** The same shape whatever the parameters are called: {@code /a/{x}} and {@code /a/{y}} collide. */
    String shape() {
        List<String> shape = new ArrayList<>();
        for (String segment : segments) {
            shape.add(isParameter(segment) ? "{}" : segment);
        }
        return "/" + String.join("/", shape);
    }

    /** Literal segments sort before parameters, so {@code /v1/services/all} wins over {@code /v1/services/{service}}. */
    @Override
    public int compareTo(RouteTemplate other) {
        for (int i = 0; i < Math.min(segments.size(), other.segments.size()); i++) {
            boolean mine = isParameter(segments.get(i));
            boolean theirs = isParameter(other.segments.get(i));
            if (mine != theirs) {
                return mine ? 1 : -1;
            }
        }
        return 0;
    }

    private static boolean isParameter(String segment) {
        return segment.startsWith("{") && segment.endsWith("}");
    }

    private static String name(String segment) {
        return segment.substring(1, segment.length() - 1);
    }
}
