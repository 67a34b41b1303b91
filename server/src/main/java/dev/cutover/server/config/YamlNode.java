package dev.cutover.server.config;

import java.util.List;
import java.util.Map;

/**
 * A YAML value that remembers the line it was written on, so that every complaint about it can
 * point there. Jackson's own trees forget locations, hence this small tree of our own.
 */
sealed interface YamlNode permits YamlNode.Scalar, YamlNode.Mapping, YamlNode.Sequence {

    /** 1-based line where the value starts. */
    int line();

    /** How the value reads in an error message: {@code "1x"}, {@code 8080}, {@code a list}. */
    String describe();

    enum Kind { STRING, INT, FLOAT, BOOL, NULL }

    /** A single value; {@code number} is set for INT and FLOAT. */
    record Scalar(String text, Kind kind, Number number, int line) implements YamlNode {
        @Override
        public String describe() {
            return switch (kind) {
                case NULL -> "nothing";
                case STRING -> '"' + text + '"';
                default -> text;
            };
        }
    }

    /** A key and its value; {@code keyLine} is where the key is written. */
    record Entry(String key, int keyLine, YamlNode value) {
    }

    /** Keys in the order written. */
    record Mapping(Map<String, Entry> entries, int line) implements YamlNode {
        @Override
        public String describe() {
            return "a map";
        }
    }

    record Sequence(List<YamlNode> items, int line) implements YamlNode {
        @Override
        public String describe() {
            return "a list";
        }
    }
}
