package dev.cutover.server.config;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;

/**
 * Reads YAML text into {@link YamlNode}s by walking Jackson's YAML tokens, keeping each value's line.
 * Syntax errors, duplicate keys, aliases and second documents become problems, not exceptions.
 */
final class YamlTree {

    private static final YAMLFactory FACTORY = new YAMLFactory();

    private final YAMLParser parser;
    private final Problems problems;

    private YamlTree(YAMLParser parser, Problems problems) {
        this.parser = parser;
        this.problems = problems;
    }

    /** The document's root, or null when it is empty or unreadable (the reason is in {@code problems}). */
    static YamlNode read(String yaml, Problems problems) {
        try (YAMLParser parser = FACTORY.createParser(yaml)) {
            YamlTree tree = new YamlTree(parser, problems);
            if (parser.nextToken() == null) {
                return null;
            }
            YamlNode root = tree.value();
            if (parser.nextToken() != null) {
                problems.add(line(parser), "a second YAML document starts here; cutover.yml holds one document,"
                        + " so remove the --- line and merge the two");
            }
            return root;
        } catch (JacksonException e) {
            problems.add(e.getLocation() == null ? 1 : e.getLocation().getLineNr(), "YAML syntax error: " + reason(e));
            return null;
        } catch (IOException e) {
            // Reading from a String: only malformed input gets here.
            problems.add(1, "cannot read the YAML: " + e.getMessage());
            return null;
        }
    }

    private YamlNode value() throws IOException {
        int line = line(parser);
        if (parser.isCurrentAlias()) {
            problems.add(line, "YAML aliases (*" + parser.getText() + ") are not supported here; write the value out");
        }
        JsonToken token = parser.currentToken();
        return switch (token) {
            case START_OBJECT -> mapping(line);
            case START_ARRAY -> sequence(line);
            case VALUE_STRING -> new YamlNode.Scalar(parser.getText(), YamlNode.Kind.STRING, null, line);
            case VALUE_NUMBER_INT -> new YamlNode.Scalar(parser.getText(), YamlNode.Kind.INT, parser.getNumberValue(), line);
            case VALUE_NUMBER_FLOAT ->
                    new YamlNode.Scalar(parser.getText(), YamlNode.Kind.FLOAT, parser.getNumberValue(), line);
            case VALUE_TRUE, VALUE_FALSE -> new YamlNode.Scalar(parser.getText(), YamlNode.Kind.BOOL, null, line);
            case VALUE_NULL -> new YamlNode.Scalar("", YamlNode.Kind.NULL, null, line);
            default -> throw new IllegalStateException("unexpected YAML token " + token + " at line " + line);
        };
    }

    private YamlNode.Mapping mapping(int line) throws IOException {
        Map<String, YamlNode.Entry> entries = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            int keyLine = line(parser);
            parser.nextToken();
            YamlNode.Entry entry = new YamlNode.Entry(key, keyLine, value());
            YamlNode.Entry first = entries.putIfAbsent(key, entry);
            if (first != null) {
                problems.add(keyLine, "key " + key + " appears twice in the same map (first at line "
                        + first.keyLine() + "); keep one");
            }
        }
        return new YamlNode.Mapping(entries, line);
    }

    private YamlNode.Sequence sequence(int line) throws IOException {
        List<YamlNode> items = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            items.add(value());
        }
        return new YamlNode.Sequence(items, line);
    }

    private static int line(YAMLParser parser) {
        return parser.currentTokenLocation().getLineNr();
    }

    /** SnakeYAML's problem in one line, with where the broken construct began when that helps. */
    private static String reason(JacksonException e) {
        if (e.getCause() instanceof org.yaml.snakeyaml.error.MarkedYAMLException marked) {
            String problem = marked.getProblem();
            if (marked.getContext() != null && marked.getContextMark() != null) {
                problem += " (" + marked.getContext() + " that starts at line " + (marked.getContextMark().getLine() + 1)
                        + ")";
            }
            return problem.replace('\n', ' ');
        }
        return e.getOriginalMessage().replace('\n', ' ');
    }
}
