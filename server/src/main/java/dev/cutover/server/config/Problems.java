package dev.cutover.server.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** What is wrong with one config file so far; reported all at once, in line order. */
final class Problems {

    private record Problem(int line, String message) {
    }

    private final String file;
    private final List<Problem> found = new ArrayList<>();

    Problems(String file) {
        this.file = file;
    }

    void add(int line, String message) {
        found.add(new Problem(line, message));
    }

    boolean isEmpty() {
        return found.isEmpty();
    }

    void throwIfAny() throws ConfigException {
        if (found.isEmpty()) {
            return;
        }
        throw new ConfigException(found.stream()
                .sorted(Comparator.comparingInt(Problem::line))
                .map(p -> file + ":" + p.line() + ": " + p.message())
                .toList());
    }
}
