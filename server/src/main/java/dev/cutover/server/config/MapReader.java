package dev.cutover.server.config;

import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads one YAML map strictly. Every key the caller asks for becomes known; {@link #finish()} then
 * reports the rest as unknown, with the closest known key as a suggestion. A value of the wrong type
 * or shape is reported against its line and the typed getter returns null, so the caller falls back
 * and reading goes on to find the next problem.
 */
final class MapReader {

    private final YamlNode.Mapping map;
    private final String path;
    private final int line;
    private final Problems problems;
    private final Set<String> known = new LinkedHashSet<>();

    private MapReader(YamlNode.Mapping map, String path, int line, Problems problems) {
        this.map = map;
        this.path = path;
        this.line = line;
        this.problems = problems;
    }

    /** The root map; null (and a problem) when the document is something else. */
    static MapReader root(YamlNode node, Problems problems) {
        if (node instanceof YamlNode.Mapping mapping) {
            return new MapReader(mapping, "", 1, problems);
        }
        problems.add(node.line(), "the file must be a map of keys (proxy:, state_dir:, services:), not "
                + node.describe());
        return null;
    }

    /** Where this map is: its key's line, or the document's first line for the root. */
    int line() {
        return line;
    }

    /** The dotted name of a key in this map, as messages show it: {@code services.web.health}. */
    String where(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    boolean has(String key) {
        known.add(key);
        return map.entries().containsKey(key);
    }

    /** Reports a missing key unless it is there; true when it is. */
    boolean require(String key, String hint) {
        if (has(key)) {
            return true;
        }
        problems.add(line, where(key) + " is required; " + hint);
        return false;
    }

    /** The line a key is written on, or this map's line when it is absent. */
    int lineOf(String key) {
        YamlNode.Entry entry = map.entries().get(key);
        return entry == null ? line : entry.keyLine();
    }

    YamlNode node(String key) {
        known.add(key);
        YamlNode.Entry entry = map.entries().get(key);
        return entry == null ? null : entry.value();
    }

    /** For maps whose keys are names chosen by the operator (services, env): all keys are known. */
    Collection<YamlNode.Entry> entries() {
        map.entries().keySet().forEach(known::add);
        return map.entries().values();
    }

    void problem(int atLine, String message) {
        problems.add(atLine, message);
    }

    /** A nested map; null when absent or not a map. */
    MapReader map(String key, String example) {
        YamlNode node = node(key);
        if (node == null) {
            return null;
        }
        if (node instanceof YamlNode.Mapping mapping) {
            return new MapReader(mapping, where(key), lineOf(key), problems);
        }
        typeProblem(node, where(key), "a map, like " + example);
        return null;
    }

    /** A map nested as a list item or free-form entry, named {@code name} under this map. */
    MapReader child(YamlNode.Entry entry, String example) {
        if (entry.value() instanceof YamlNode.Mapping mapping) {
            return new MapReader(mapping, where(entry.key()), entry.keyLine(), problems);
        }
        typeProblem(entry.value(), where(entry.key()), "a map, like " + example);
        return null;
    }

    /** A list's items; null when absent or not a list. */
    List<YamlNode> list(String key, String example) {
        YamlNode node = node(key);
        if (node == null) {
            return null;
        }
        if (node instanceof YamlNode.Sequence sequence) {
            return sequence.items();
        }
        typeProblem(node, where(key), "a list, like " + example);
        return null;
    }

    /** A list of words; null when absent or wrong (every bad item is reported). */
    List<String> texts(String key, String example) {
        List<YamlNode> items = list(key, example);
        if (items == null) {
            return null;
        }
        List<String> texts = new ArrayList<>();
        for (YamlNode item : items) {
            String text = textOf(item, where(key) + " item");
            if (text == null) {
                return null;
            }
            texts.add(text);
        }
        return texts;
    }

    String text(String key) {
        YamlNode node = node(key);
        return node == null ? null : textOf(node, where(key));
    }

    String textOf(YamlNode node, String where) {
        if (node instanceof YamlNode.Scalar s && s.kind() != YamlNode.Kind.NULL) {
            return s.text();
        }
        typeProblem(node, where, "text");
        return null;
    }

    /** A whole number within {@code min..max}. */
    Integer integer(String key, long min, long max) {
        YamlNode node = node(key);
        if (node == null) {
            return null;
        }
        Long value = switch (node) {
            case YamlNode.Scalar s when s.kind() == YamlNode.Kind.INT -> s.number() instanceof BigInteger big
                    ? (big.bitLength() < 63 ? big.longValue() : Long.MAX_VALUE) : s.number().longValue();
            case YamlNode.Scalar s when s.kind() == YamlNode.Kind.STRING && s.text().trim().matches("-?\\d{1,18}") ->
                    Long.parseLong(s.text().trim());
            default -> null;
        };
        if (value == null) {
            typeProblem(node, where(key), "a whole number");
            return null;
        }
        return inRange(node.line(), where(key), value, min, max, String.valueOf(value)) ? value.intValue() : null;
    }

    /** A positive duration such as {@code 30s}. */
    Duration duration(String key) {
        YamlNode node = node(key);
        if (node == null) {
            return null;
        }
        if (!(node instanceof YamlNode.Scalar s) || s.kind() == YamlNode.Kind.NULL) {
            typeProblem(node, where(key), "a duration like " + DurationText.EXAMPLES);
            return null;
        }
        if (s.kind() == YamlNode.Kind.INT) {
            problems.add(s.line(), where(key) + ": " + s.text() + " has no unit; write it like " + s.text()
                    + "s (durations are written " + DurationText.EXAMPLES + ")");
            return null;
        }
        Duration d = DurationText.parse(s.text());
        if (d == null) {
            problems.add(s.line(), where(key) + ": " + s.describe() + " is not a duration; write it like "
                    + DurationText.EXAMPLES);
            return null;
        }
        if (d.isZero() || d.isNegative()) {
            problems.add(s.line(), where(key) + ": " + s.text() + " must be longer than zero");
            return null;
        }
        return d;
    }

    /** A byte size such as {@code 16KB}, at least {@code min} bytes. */
    Integer size(String key, int min) {
        YamlNode node = node(key);
        if (node == null) {
            return null;
        }
        long bytes = switch (node) {
            case YamlNode.Scalar s when s.kind() == YamlNode.Kind.INT -> s.number() instanceof BigInteger
                    ? Long.MAX_VALUE : s.number().longValue();
            case YamlNode.Scalar s when s.kind() == YamlNode.Kind.STRING -> SizeText.parse(s.text());
            default -> -1;
        };
        if (bytes < 0) {
            problems.add(node.line(), where(key) + ": " + node.describe() + " is not a size; write it like "
                    + SizeText.EXAMPLES);
            return null;
        }
        String shown = node instanceof YamlNode.Scalar s ? s.text() : String.valueOf(bytes);
        return inRange(node.line(), where(key), bytes, min, Integer.MAX_VALUE, shown) ? (int) bytes : null;
    }

    /** A fraction from 0 to 1. */
    Double ratio(String key) {
        YamlNode node = node(key);
        if (node == null) {
            return null;
        }
        if (!(node instanceof YamlNode.Scalar s)
                || (s.kind() != YamlNode.Kind.INT && s.kind() != YamlNode.Kind.FLOAT)) {
            typeProblem(node, where(key), "a fraction from 0 to 1, like 0.01 for 1%");
            return null;
        }
        double value = s.number().doubleValue();
        if (!(value >= 0 && value <= 1)) {
            problems.add(s.line(), where(key) + ": " + s.text() + " is out of range; write a fraction from 0 to 1,"
                    + " like 0.01 for 1%");
            return null;
        }
        return value;
    }

    /** A {@code host:port} to listen on. */
    InetSocketAddress address(String key) {
        YamlNode node = node(key);
        if (node == null) {
            return null;
        }
        String text = textOf(node, where(key));
        if (text == null) {
            return null;
        }
        if (!(node instanceof YamlNode.Scalar s) || s.kind() != YamlNode.Kind.STRING) {
            problems.add(node.line(), where(key) + ": " + text + " is not a listen address (it needs a host and"
                    + " a port); write it like " + ListenAddress.EXAMPLES);
            return null;
        }
        try {
            return ListenAddress.parse(text.trim());
        } catch (IllegalArgumentException e) {
            problems.add(node.line(), where(key) + ": " + e.getMessage());
            return null;
        }
    }

    /** Reports every key nobody asked for. Call after reading all of this map's keys. */
    void finish() {
        for (YamlNode.Entry entry : map.entries().values()) {
            if (known.contains(entry.key())) {
                continue;
            }
            String guess = ClosestKey.to(entry.key(), known);
            problems.add(entry.keyLine(), where(entry.key()) + " is not a known key; " + (guess != null
                    ? "did you mean " + guess + "?"
                    : "the keys here are " + String.join(", ", known)));
        }
    }

    private boolean inRange(int atLine, String where, long value, long min, long max, String shown) {
        if (max < Integer.MAX_VALUE && (value < min || value > max)) {
            problems.add(atLine, where + ": " + shown + " is out of range; use " + min + " to " + max);
            return false;
        }
        if (value < min) {
            problems.add(atLine, where + ": " + shown + " is too small; it must be at least " + min);
            return false;
        }
        if (value > max) {
            problems.add(atLine, where + ": " + shown + " is too large; it must be at most " + max);
            return false;
        }
        return true;
    }

    private void typeProblem(YamlNode node, String where, String expected) {
        problems.add(node.line(), where + ": expected " + expected + ", got " + node.describe());
    }
}
