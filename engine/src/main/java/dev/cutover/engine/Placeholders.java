package dev.cutover.engine;

import java.util.List;
import java.util.Map;

/** Fills ${PORT}, ${VERSION}, ${ARTIFACT} and ${SLOT} into a service's command. */
final class Placeholders {

    static final List<String> NAMES = List.of("PORT", "VERSION", "ARTIFACT", "SLOT");

    private Placeholders() {
    }

    static boolean uses(List<String> command, String name) {
        String token = "${" + name + "}";
        return command.stream().anyMatch(arg -> arg.contains(token));
    }

    static List<String> resolve(List<String> command, Map<String, String> values) {
        return command.stream().map(arg -> {
            String resolved = arg;
            for (Map.Entry<String, String> v : values.entrySet()) {
                resolved = resolved.replace("${" + v.getKey() + "}", v.getValue());
            }
            return resolved;
        }).toList();
    }
}
