package dev.cutover.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.cutover.engine.HealthSpec;
import dev.cutover.engine.ServiceSpec;
import dev.cutover.engine.Slot;
import dev.cutover.engine.VerifySpec;

/** One entry under {@code services:}: how to run a release, its two ports, routing, health and timeouts. */
final class ServiceSection {

    static final Set<String> PLACEHOLDERS = Set.of("PORT", "VERSION", "ARTIFACT", "SLOT");
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    static final int KEEP_RELEASES = 5;
    static final VerifySpec VERIFY_DEFAULTS = VerifySpec.of(Duration.ofSeconds(30), 0.01, 50);

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern HOST = Pattern.compile("(\\*\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");

    private ServiceSection() {
    }

    /** The service; null when a required part (name, command, ports) is missing or wrong. */
    static ServiceSpec read(MapReader services, YamlNode.Entry entry, Path base, Claims claims) {
        String name = entry.key();
        boolean ok = true;
        if (!NAME.matcher(name).matches()) {
            services.problem(entry.keyLine(), services.where(name) + ": \"" + name + "\" is not a valid service name;"
                    + " use lowercase letters, digits and dashes, starting with a letter or digit (e.g. web, api-v2)");
            ok = false;
        }
        MapReader s = services.child(entry, "{ command: [...], ports: { blue: 8081, green: 8082 } }");
        if (s == null) {
            return null;
        }
        String runtime = Objects.requireNonNullElse(s.text("runtime"), "process");
        boolean docker = runtime.equals("docker");
        if (!runtime.equals("process") && !docker) {
            s.problem(s.lineOf("runtime"), s.where("runtime") + ": \"" + runtime + "\" is not a runtime; use process"
                    + " (a local command) or docker (a container, deployed with --image)");
        }
        // A container runs its image's own command unless told otherwise.
        List<String> command = docker && !s.has("command") ? List.of() : command(s);
        if (docker && command != null && command.stream().anyMatch(a -> a.contains("${ARTIFACT}"))) {
            s.problem(s.lineOf("command"), s.where("command") + ": ${ARTIFACT} is for process services; a container"
                    + " gets its release from --image, so leave it out");
            command = null;
        }
        if (docker && s.has("workdir")) {
            s.problem(s.lineOf("workdir"), s.where("workdir") + ": workdir is for process services; a container runs"
                    + " in its image's WORKDIR");
        }
        Map<String, String> env = env(s);
        String workdirText = s.text("workdir");
        Path workdir = workdirText == null ? null : base.resolve(workdirText).normalize();
        Map<Slot, Integer> ports = ports(s, name, claims);
        List<String> hosts = hosts(s);
        String pathPrefix = Objects.requireNonNullElse(s.text("path"), "/");
        if (!pathPrefix.startsWith("/")) {
            s.problem(s.lineOf("path"), s.where("path") + ": \"" + pathPrefix + "\" must start with /, like /api");
            pathPrefix = "/";
        }
        if (hosts.isEmpty()) {
            boolean written = s.has("path");
            claims.route(null, pathPrefix, name, written ? s.where("path") : services.where(name),
                    written ? s.lineOf("path") : s.line());
        }
        for (String host : hosts) {
            claims.route(host, pathPrefix, name, s.where("hosts"), s.lineOf("hosts"));
        }
        HealthSpec health = health(s);
        Duration drain = Objects.requireNonNullElse(s.duration("drain_timeout"), DRAIN_TIMEOUT);
        Duration stop = Objects.requireNonNullElse(s.duration("stop_timeout"), STOP_TIMEOUT);
        int keep = Objects.requireNonNullElse(s.integer("keep_releases", 1, 1000), KEEP_RELEASES);
        VerifySpec verify = verify(s);
        s.finish();
        if (!ok || command == null || ports == null) {
            return null;
        }
        return new ServiceSpec(name, runtime, command, env, workdir, ports, health, drain, stop, verify, hosts,
                pathPrefix, keep);
    }

    private static List<String> command(MapReader s) {
        if (!s.require("command", "the program and arguments that start a release, e.g. command: [\"java\", \"-jar\","
                + " \"${ARTIFACT}\", \"--server.port=${PORT}\"]")) {
            return null;
        }
        YamlNode node = s.node("command");
        if (node instanceof YamlNode.Scalar scalar && scalar.kind() == YamlNode.Kind.STRING) {
            s.problem(node.line(), s.where("command") + ": expected a list of arguments, got " + scalar.describe()
                    + "; cutover runs no shell, so write each argument separately, like [\"java\", \"-jar\", \"app.jar\"]");
            return null;
        }
        List<String> command = s.texts("command", "[\"java\", \"-jar\", \"${ARTIFACT}\"]");
        if (command == null) {
            return null;
        }
        if (command.isEmpty() || command.get(0).isBlank()) {
            s.problem(node.line(), s.where("command") + ": the first argument must be the program to run, like"
                    + " [\"java\", \"-jar\", \"${ARTIFACT}\"]");
            return null;
        }
        boolean ok = true;
        for (String argument : command) {
            Matcher m = PLACEHOLDER.matcher(argument);
            while (m.find()) {
                if (!PLACEHOLDERS.contains(m.group(1))) {
                    s.problem(node.line(), s.where("command") + ": ${" + m.group(1) + "} is not a placeholder cutover"
                            + " knows; use ${PORT}, ${VERSION}, ${ARTIFACT} or ${SLOT}");
                    ok = false;
                }
            }
            if (m.replaceAll("").contains("${")) {
                s.problem(node.line(), s.where("command") + ": \"" + argument + "\" has a ${ without its closing }");
                ok = false;
            }
        }
        return ok ? command : null;
    }

    private static Map<String, String> env(MapReader s) {
        MapReader env = s.map("env", "{ SPRING_PROFILES_ACTIVE: prod }");
        Map<String, String> values = new LinkedHashMap<>();
        if (env == null) {
            return values;
        }
        for (YamlNode.Entry e : env.entries()) {
            if (!ENV_NAME.matcher(e.key()).matches()) {
                env.problem(e.keyLine(), env.where(e.key()) + ": \"" + e.key() + "\" is not an environment variable"
                        + " name; use letters, digits and _, not starting with a digit");
            }
            String value = env.textOf(e.value(), env.where(e.key()));
            if (value != null) {
                values.put(e.key(), value);
            }
        }
        return values;
    }

    private static Map<Slot, Integer> ports(MapReader s, String service, Claims claims) {
        if (!s.require("ports", "the two ports releases take turns on, e.g. ports: { blue: 8081, green: 8082 }")) {
            return null;
        }
        MapReader ports = s.map("ports", "{ blue: 8081, green: 8082 }");
        if (ports == null) {
            return null;
        }
        Map<Slot, Integer> bySlot = new EnumMap<>(Slot.class);
        for (Slot slot : Slot.values()) {
            if (ports.require(slot.label(), "e.g. ports: { blue: 8081, green: 8082 }")) {
                Integer port = ports.integer(slot.label(), 1, 65535);
                if (port != null) {
                    bySlot.put(slot, port);
                    claims.port(port, "slot " + slot.label() + " of service " + service, service,
                            ports.where(slot.label()), ports.lineOf(slot.label()));
                }
            }
        }
        ports.finish();
        return bySlot.size() == 2 ? bySlot : null;
    }

    private static List<String> hosts(MapReader s) {
        List<String> hosts = s.texts("hosts", "[example.com, \"*.example.com\"]");
        if (hosts == null) {
            return List.of();
        }
        List<String> valid = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String host : hosts) {
            String lower = host.toLowerCase(Locale.ROOT);
            if (!HOST.matcher(lower).matches()) {
                s.problem(s.lineOf("hosts"), s.where("hosts") + ": \"" + host + "\" is not a host name; write it like"
                        + " example.com or \"*.example.com\" (no scheme, port or path)");
            } else if (!seen.add(lower)) {
                s.problem(s.lineOf("hosts"), s.where("hosts") + ": " + host + " is listed twice");
            } else {
                valid.add(host);
            }
        }
        return valid;
    }

    private static HealthSpec health(MapReader s) {
        HealthSpec d = HealthSpec.DEFAULT;
        MapReader h = s.map("health", "{ path: /health, interval: 1s }");
        if (h == null) {
            return d;
        }
        String path = Objects.requireNonNullElse(h.text("path"), d.path());
        if (!path.startsWith("/")) {
            h.problem(h.lineOf("path"), h.where("path") + ": \"" + path + "\" must start with /, like /health");
            path = d.path();
        }
        HealthSpec health = new HealthSpec(path,
                Objects.requireNonNullElse(h.duration("interval"), d.interval()),
                Objects.requireNonNullElse(h.duration("timeout"), d.timeout()),
                Objects.requireNonNullElse(h.duration("deadline"), d.deadline()),
                Objects.requireNonNullElse(h.integer("healthy_threshold", 1, 1000), d.healthyThreshold()),
                Objects.requireNonNullElse(expectStatus(h), d.expectStatus()));
        h.finish();
        return health;
    }

    private static Integer expectStatus(MapReader h) {
        Integer status = h.integer("expect_status", 0, 599);
        if (status != null && status > 0 && status < 100) {
            h.problem(h.lineOf("expect_status"), h.where("expect_status") + ": " + status + " is not an HTTP status;"
                    + " write one from 100 to 599, or 0 for any 2xx");
            return null;
        }
        return status;
    }

    private static VerifySpec verify(MapReader s) {
        YamlNode node = s.node("verify");
        if (node == null) {
            return VerifySpec.OFF;
        }
        if (node instanceof YamlNode.Scalar scalar && scalar.kind() == YamlNode.Kind.BOOL) {
            return Set.of("false", "off", "no").contains(scalar.text().toLowerCase(Locale.ROOT))
                    ? VerifySpec.OFF : VERIFY_DEFAULTS;
        }
        MapReader v = s.map("verify", "{ window: 30s, max_error_ratio: 0.01, min_requests: 50 }, or off");
        if (v == null) {
            return VerifySpec.OFF;
        }
        VerifySpec verify = VerifySpec.of(
                Objects.requireNonNullElse(v.duration("window"), VERIFY_DEFAULTS.window()),
                Objects.requireNonNullElse(v.ratio("max_error_ratio"), VERIFY_DEFAULTS.maxErrorRatio()),
                Objects.requireNonNullElse(v.integer("min_requests", 0, Integer.MAX_VALUE),
                        (int) VERIFY_DEFAULTS.minRequests()));
        v.finish();
        return verify;
    }
}
