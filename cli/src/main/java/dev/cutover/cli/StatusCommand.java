package dev.cutover.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Shows what serves: per service the active version and slot, both slots' processes and counters.")
final class StatusCommand implements Callable<Integer> {

    static final DateTimeFormatter LOCAL_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    @Spec
    CommandSpec spec;

    @Mixin
    DaemonAddress daemon;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SERVICE", description = "one service (default: all)")
    String service;

    @Option(names = "--json", description = "print one JSON document and nothing else")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        return ClientCall.run(spec.commandLine().getErr(), () -> {
            JsonNode doc = daemon.client().call("GET", service == null ? "/v1/status" : "/v1/services/" + service, null);
            if (json) {
                out.println(doc.toPrettyString());
                out.flush();
                return ExitCode.OK;
            }
            if (service == null) {
                JsonNode d = doc.path("daemon");
                out.println("daemon pid " + d.path("pid").asText() + ", proxy on " + d.path("proxyListen").asText()
                        + ", config " + d.path("config").asText());
                out.println();
                for (JsonNode s : doc.path("services")) {
                    print(out, s);
                }
            } else {
                print(out, doc);
            }
            out.flush();
            return ExitCode.OK;
        });
    }

    static void print(PrintWriter out, JsonNode s) {
        String active = s.path("activeVersion").isNull() || s.path("activeVersion").isMissingNode()
                ? "no release yet" : s.path("activeVersion").asText() + " on " + s.path("activeSlot").asText()
                + " since " + time(s.path("since"));
        out.println(s.path("service").asText() + ": " + active);
        if (!s.path("deploying").isNull() && !s.path("deploying").isMissingNode()) {
            out.println("  deploying " + s.path("deploying").asText() + " (" + s.path("deployingPhase").asText()
                    .toLowerCase(Locale.ROOT) + ", since " + time(s.path("deployingSince")) + ")");
        }
        JsonNode verify = s.path("verify");
        out.println("  verify: " + (verify.path("enabled").asBoolean()
                ? "window " + verify.path("window").asText() + ", rolls back above "
                  + verify.path("maxErrorRatio").asDouble() * 100 + "% 5xx (min " + verify.path("minRequests").asText() + " responses)"
                : "off (a release that answers 5xx after the switch is not rolled back automatically)"));
        TextTable table = new TextTable("  SLOT", "PORT", "VERSION", "PID", "PROCESS", "TRAFFIC", "REQUESTS", "5XX", "IN FLIGHT");
        for (JsonNode slot : s.path("slots")) {
            boolean hasVersion = !slot.path("version").isNull() && !slot.path("version").isMissingNode();
            JsonNode c = slot.path("counters");
            table.row("  " + slot.path("slot").asText(), slot.path("port").asText(),
                    hasVersion ? slot.path("version").asText() : null,
                    slot.path("pid").isNull() || slot.path("pid").isMissingNode() ? null : slot.path("pid").asText(),
                    hasVersion ? (slot.path("alive").asBoolean() ? "running" : "not running") : null,
                    slot.path("active").asBoolean() ? "active" : "idle",
                    c.path("requests").asLong(), c.path("responses5xx").asLong(), c.path("inFlight").asLong());
        }
        table.print(out);
        out.println();
    }

    static String time(JsonNode instant) {
        if (instant.isMissingNode() || instant.isNull()) {
            return "-";
        }
        return LOCAL_TIME.format(instant.isNumber() ? Instant.ofEpochMilli(instant.asLong()) : Instant.parse(instant.asText()));
    }
}
