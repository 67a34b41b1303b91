package dev.cutover.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cutover.engine.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "history", mixinStandardHelpOptions = true,
        description = "Lists a service's deployments, newest first: version, outcome, how long, and why it failed.")
final class HistoryCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DaemonAddress daemon;

    @Parameters(index = "0", paramLabel = "SERVICE")
    String service;

    @Option(names = {"-n", "--limit"}, defaultValue = "20", description = "how many deployments (default: ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--json", description = "print one JSON document and nothing else")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        return ClientCall.run(spec.commandLine().getErr(), () -> {
            JsonNode doc = daemon.client().call("GET", "/v1/services/" + service + "/history?limit=" + limit, null);
            if (json) {
                out.println(doc.toPrettyString());
                out.flush();
                return ExitCode.OK;
            }
            TextTable table = new TextTable("#", "VERSION", "KIND", "OUTCOME", "STARTED", "TOOK", "FROM", "REASON");
            for (JsonNode d : doc.path("deployments")) {
                table.row(d.path("id").asText(), d.path("version").asText(), d.path("kind").asText().toLowerCase(Locale.ROOT),
                        outcome(d), StatusCommand.time(d.path("startedAt")), took(d), text(d.path("fromVersion")),
                        text(d.path("reason")));
            }
            table.print(out);
            return ExitCode.OK;
        });
    }

    private static String outcome(JsonNode d) {
        JsonNode outcome = d.path("outcome");
        return outcome.isNull() || outcome.isMissingNode() ? "running"
                : outcome.asText().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    private static String took(JsonNode d) {
        if (d.path("endedAt").isNull() || d.path("endedAt").isMissingNode()) {
            return null;
        }
        return Durations.format(Duration.between(Instant.parse(d.path("startedAt").asText()),
                Instant.parse(d.path("endedAt").asText())));
    }

    private static String text(JsonNode value) {
        return value.isNull() || value.isMissingNode() ? null : value.asText().lines().findFirst().orElse("");
    }
}
