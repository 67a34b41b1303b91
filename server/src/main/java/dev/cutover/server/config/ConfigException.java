package dev.cutover.server.config;

import java.util.List;

/**
 * cutover.yml cannot be used. The message is everything the operator gets before the daemon refuses
 * to start: one problem per line, each {@code file:line: where: what is wrong; what to write}.
 */
public final class ConfigException extends Exception {

    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    /** The problems one by one, in the order of the file's lines. */
    public List<String> problems() {
        return problems;
    }
}
