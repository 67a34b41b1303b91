package dev.cutover.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cutover.server.control.ControlJson;

/**
 * Prints a deploy's event stream as it arrives, so a CI log reads like a story:
 * <pre>
 *   0.0 s  prepare       deploying web v2 to green (port 8082); v1 serves on blue
 *   1.4 s  health_check  attempt 2/120: 200 (2/2 in a row)
 * </pre>
 * With --json it prints nothing until the end, then one document: the result and every event.
 */
final class DeployProgress {

    private final PrintWriter out;
    private final boolean json;
    private final ArrayNode events = ControlJson.MAPPER.createArrayNode();
    private JsonNode result;

    DeployProgress(PrintWriter out, boolean json) {
        this.out = out;
        this.json = json;
    }

    void accept(JsonNode line) {
        if (line.has("event")) {
            JsonNode event = line.get("event");
            events.add(event);
            if (!json) {
                out.printf(Locale.ROOT, "%7s  %-13s %s%n", seconds(event.path("elapsed")),
                        event.path("phase").asText().toLowerCase(Locale.ROOT), event.path("message").asText());
                out.flush();
            }
        } else if (line.has("result")) {
            result = line.get("result");
        } else if (line.has("error")) {
            throw new IllegalStateException(line.get("error").asText());
        }
    }

    /** The deploy's result as the daemon sent it, or null when the stream ended without one. */
    JsonNode result() {
        return result;
    }

    /** Ends the output and returns the exit code: 0 when the release serves, 1 otherwise. */
    int finish() {
        if (result == null) {
            throw new IllegalStateException("the daemon ended the deploy stream without a result; "
                    + "see its log, and cutover history for what happened");
        }
        boolean succeeded = "SUCCEEDED".equals(result.path("outcome").asText());
        if (json) {
            ObjectNode doc = ControlJson.MAPPER.createObjectNode();
            doc.set("result", result);
            doc.set("events", events);
            out.println(doc.toPrettyString());
        } else {
            out.println();
            out.println(succeeded
                    ? "ok: " + result.path("service").asText() + " " + result.path("version").asText() + " serves"
                    : outcomeWord(result.path("outcome").asText()) + ": " + result.path("reason").asText()
                      + servingNote(result));
        }
        out.flush();
        return succeeded ? ExitCode.OK : ExitCode.DEPLOY_FAILED;
    }

    private static String servingNote(JsonNode result) {
        JsonNode serving = result.path("servingVersion");
        return serving.isMissingNode() || serving.isNull() ? "" : "\n" + result.path("service").asText() + " "
                + serving.asText() + " serves";
    }

    private static String outcomeWord(String outcome) {
        return switch (outcome) {
            case "ABORTED" -> "aborted";
            case "ROLLED_BACK" -> "rolled back";
            case "INTERRUPTED" -> "interrupted";
            default -> outcome.toLowerCase(Locale.ROOT);
        };
    }

    private static String seconds(JsonNode elapsed) {
        double seconds = elapsed.isNumber() ? elapsed.asDouble() / 1000.0
                : Duration.parse(elapsed.asText("PT0S")).toMillis() / 1000.0;
        return String.format(Locale.ROOT, "%.1f s", seconds);
    }
}
