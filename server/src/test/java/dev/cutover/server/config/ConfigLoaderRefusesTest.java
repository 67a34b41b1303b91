package dev.cutover.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** Bad cutover.yml files, each refused with the exact operator-facing message. */
class ConfigLoaderRefusesTest {

    /** A valid file; cases add or replace lines. Line 5 is {@code web:}, 6 command, 7 ports. */
    private static final String BASE = """
            proxy:
              listen: 127.0.0.1:8080
            state_dir: ./state
            services:
              web:
                command: ["run", "${PORT}"]
                ports: { blue: 8081, green: 8082 }
            """;

    private static String refusal(String yaml) {
        try {
            ConfigLoader.parse(yaml, Path.of("cutover.yml"));
        } catch (ConfigException e) {
            assertThat(e.problems()).hasSize((int) e.getMessage().lines().count());
            return e.getMessage();
        }
        return fail("expected the config to be refused:\n" + yaml);
    }

    @Test
    void unknownKeySuggestsTheClosestKnownOne() {
        assertThat(refusal(BASE + "    helth: { path: /x }\n"))
                .isEqualTo("cutover.yml:8: services.web.helth is not a known key; did you mean health?");
        assertThat(refusal(BASE + "    drainTimeout: 5s\n"))
                .isEqualTo("cutover.yml:8: services.web.drainTimeout is not a known key; did you mean drain_timeout?");
        assertThat(refusal(BASE + "proxy2: 1\n"))
                .isEqualTo("cutover.yml:8: proxy2 is not a known key; did you mean proxy?");
    }

    @Test
    void unknownKeyFarFromAnyKnownOneListsTheKeysOfItsMap() {
        assertThat(refusal(BASE.replace("green: 8082", "green: 8082, zzzzzz: 1")))
                .isEqualTo("cutover.yml:7: services.web.ports.zzzzzz is not a known key; the keys here are blue, green");
    }

    @Test
    void aTypoInARequiredKeyReportsBothTheMissingKeyAndTheTypo() {
        assertThat(refusal(BASE.replace("state_dir", "stat_dir"))).isEqualTo("""
                cutover.yml:1: state_dir is required; where cutover keeps its database, releases and logs, e.g. \
                state_dir: ./cutover-state
                cutover.yml:3: stat_dir is not a known key; did you mean state_dir?""");
    }

    @Test
    void textWhereANumberGoesIsAWrongType() {
        assertThat(refusal(BASE + "    keep_releases: lots\n"))
                .isEqualTo("cutover.yml:8: services.web.keep_releases: expected a whole number, got \"lots\"");
    }

    @Test
    void aListWhereAMapGoesIsAWrongType() {
        assertThat(refusal(BASE.replace("{ blue: 8081, green: 8082 }", "[8081, 8082]")))
                .isEqualTo("cutover.yml:7: services.web.ports: expected a map, like { blue: 8081, green: 8082 },"
                        + " got a list");
    }

    @Test
    void badDurationSaysHowToWriteOne() {
        assertThat(refusal(BASE + "    health: { interval: 1x }\n"))
                .isEqualTo("cutover.yml:8: services.web.health.interval: \"1x\" is not a duration; write it like"
                        + " 500ms, 30s, 5m or 1h");
    }

    @Test
    void zeroNegativeAndUnitlessDurationsAreAllReportedInOneGo() {
        assertThat(refusal(BASE + "    drain_timeout: 0s\n    stop_timeout: -5s\n    health: { timeout: 3 }\n"))
                .isEqualTo("""
                        cutover.yml:8: services.web.drain_timeout: 0s must be longer than zero
                        cutover.yml:9: services.web.stop_timeout: -5s must be longer than zero
                        cutover.yml:10: services.web.health.timeout: 3 has no unit; write it like 3s \
                        (durations are written 500ms, 30s, 5m or 1h)""");
    }

    @Test
    void badListenAddresses() {
        assertThat(refusal(BASE.replace("127.0.0.1:8080", "8080")))
                .isEqualTo("cutover.yml:2: proxy.listen: 8080 is not a listen address (it needs a host and a port);"
                        + " write it like 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080");
        assertThat(refusal(BASE.replace("127.0.0.1:8080", "127.0.0.1:http")))
                .isEqualTo("cutover.yml:2: proxy.listen: \"127.0.0.1:http\" is not a listen address (port \"http\" is"
                        + " not a number); write it like 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080");
        assertThat(refusal(BASE.replace("127.0.0.1:8080", "::1:8080")))
                .isEqualTo("cutover.yml:2: proxy.listen: \"::1:8080\" is not a listen address; put an IPv6 address"
                        + " in brackets, like [::1]:8080");
        assertThat(refusal(BASE.replace("127.0.0.1:8080", "127.0.0.1:0")))
                .isEqualTo("cutover.yml:2: proxy.listen: port 0 is out of range; use 1 to 65535");
    }

    @Test
    void ipv6ListenAddressInBracketsLoads() throws Exception {
        CutoverConfig config = ConfigLoader.parse(BASE.replace("127.0.0.1:8080", "\"[::1]:8080\""), Path.of("c.yml"));
        assertThat(config.proxy().listen().getAddress().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
        assertThat(config.proxy().listen().getPort()).isEqualTo(8080);
    }

    @Test
    void slotPortOutOfRange() {
        assertThat(refusal(BASE.replace("green: 8082", "green: 70000")))
                .isEqualTo("cutover.yml:7: services.web.ports.green: 70000 is out of range; use 1 to 65535");
    }

    @Test
    void blueAndGreenOnTheSamePort() {
        assertThat(refusal(BASE.replace("green: 8082", "green: 8081")))
                .isEqualTo("cutover.yml:7: services.web.ports.green: port 8081 is already used by slot blue of service"
                        + " web at line 7; blue and green need different ports, so a new release can start while the"
                        + " old one serves");
    }

    @Test
    void twoServicesSharingAPortAndASlotOnTheProxysPort() {
        String yaml = BASE + """
                    hosts: [web.example.com]
                  api:
                    command: [api]
                    hosts: [api.example.com]
                    ports:
                      blue: 8082
                      green: 8080
                """;
        assertThat(refusal(yaml)).isEqualTo("""
                cutover.yml:13: services.api.ports.blue: port 8082 is already used by slot green of service web at \
                line 7; every slot, the proxy and the control listener each need a port of their own
                cutover.yml:14: services.api.ports.green: port 8080 is already used by the proxy's listener \
                (proxy.listen) at line 2; every slot, the proxy and the control listener each need a port of their own""");
    }

    @Test
    void twoServicesOnTheSameHostAndPath() {
        String yaml = BASE + """
                    hosts: [example.com]
                  api:
                    command: [api]
                    ports: { blue: 9001, green: 9002 }
                    hosts: [Example.com, b.example.com]
                    path: /
                """;
        assertThat(refusal(yaml)).isEqualTo("cutover.yml:12: services.api.hosts: path / on example.com is already"
                + " routed to service web at line 8; give the services different hosts or path prefixes");
    }

    @Test
    void twoServicesWithoutHostsOrPathsBothClaimEverything() {
        String yaml = BASE + """
                  api:
                    command: [api]
                    ports: { blue: 9001, green: 9002 }
                """;
        assertThat(refusal(yaml)).isEqualTo("cutover.yml:8: services.api: path / on any host is already routed to"
                + " service web at line 5; give the services different hosts or path prefixes");
    }

    @Test
    void sameHostWithDifferentPathsIsFine() throws Exception {
        String yaml = BASE + """
                    hosts: [example.com]
                  api:
                    command: [api]
                    ports: { blue: 9001, green: 9002 }
                    hosts: [example.com]
                    path: /api
                """;
        assertThat(ConfigLoader.parse(yaml, Path.of("c.yml")).services()).containsOnlyKeys("web", "api");
    }

    @Test
    void missingTopLevelKeys() {
        assertThat(refusal("state_dir: x\n")).isEqualTo("""
                cutover.yml:1: proxy is required; add a proxy: section with at least listen: 127.0.0.1:8080
                cutover.yml:1: services is required; list what cutover deploys, e.g. services: { web: { command: \
                [...], ports: { blue: 8081, green: 8082 } } }""");
        assertThat(refusal("proxy: {}\nstate_dir: x\nservices: { web: { command: [a], ports: { blue: 1, green: 2 } } }"))
                .isEqualTo("cutover.yml:1: proxy.listen is required; the address the proxy serves on, e.g. listen:"
                        + " 127.0.0.1:8080");
    }

    @Test
    void missingCommandAndPorts() {
        String yaml = BASE.replace("    command: [\"run\", \"${PORT}\"]\n", "")
                .replace("    ports: { blue: 8081, green: 8082 }\n", "    runtime: process\n");
        assertThat(refusal(yaml)).isEqualTo("""
                cutover.yml:5: services.web.command is required; the program and arguments that start a release, \
                e.g. command: ["java", "-jar", "${ARTIFACT}", "--server.port=${PORT}"]
                cutover.yml:5: services.web.ports is required; the two ports releases take turns on, e.g. ports: \
                { blue: 8081, green: 8082 }""");
        assertThat(refusal(BASE.replace("blue: 8081, ", "")))
                .isEqualTo("cutover.yml:7: services.web.ports.blue is required; e.g. ports: { blue: 8081, green: 8082 }");
    }

    @Test
    void emptyServices() {
        assertThat(refusal("proxy: { listen: 127.0.0.1:8080 }\nstate_dir: x\nservices: {}\n"))
                .isEqualTo("cutover.yml:3: services is empty; add at least one service, e.g. services: { web: {"
                        + " command: [...], ports: { blue: 8081, green: 8082 } } }");
        assertThat(refusal("proxy: { listen: 127.0.0.1:8080 }\nstate_dir: x\nservices:\n"))
                .isEqualTo("cutover.yml:3: services: expected a map, like { web: { command: [...], ports: { blue:"
                        + " 8081, green: 8082 } } }, got nothing");
    }

    @Test
    void unknownPlaceholderIsNamed() {
        assertThat(refusal(BASE.replace("${PORT}", "${PROT}")))
                .isEqualTo("cutover.yml:6: services.web.command: ${PROT} is not a placeholder cutover knows; use"
                        + " ${PORT}, ${VERSION}, ${ARTIFACT} or ${SLOT}");
    }

    @Test
    void commandWrittenAsOneStringIsRefusedBecauseNoShellSplitsIt() {
        assertThat(refusal(BASE.replace("[\"run\", \"${PORT}\"]", "java -jar app.jar")))
                .isEqualTo("cutover.yml:6: services.web.command: expected a list of arguments, got \"java -jar app.jar\";"
                        + " cutover runs no shell, so write each argument separately, like [\"java\", \"-jar\","
                        + " \"app.jar\"]");
    }

    @Test
    void anUnknownRuntimeIsNamedWithTheTwoThatExist() {
        assertThat(refusal(BASE + "    runtime: podman\n"))
                .isEqualTo("cutover.yml:8: services.web.runtime: \"podman\" is not a runtime; use process (a local command)"
                        + " or docker (a container, deployed with --image)");
    }

    @Test
    void aDockerServiceRefusesArtifactWorkdirAndABadEngineAddress() {
        assertThat(refusal(BASE.replace("[\"run\", \"${PORT}\"]", "[\"run\", \"${ARTIFACT}\"]") + "    runtime: docker\n"))
                .isEqualTo("cutover.yml:6: services.web.command: ${ARTIFACT} is for process services; a container gets"
                        + " its release from --image, so leave it out");
        assertThat(refusal(BASE + "    runtime: docker\n    workdir: /srv/web\n"))
                .isEqualTo("cutover.yml:9: services.web.workdir: workdir is for process services; a container runs in its"
                        + " image's WORKDIR");
        assertThat(refusal(BASE + "    runtime: docker\ndocker:\n  host: /var/run/docker.sock\n"))
                .isEqualTo("cutover.yml:10: docker.host: \"/var/run/docker.sock\" is not a Docker engine address; write"
                        + " unix:///var/run/docker.sock or tcp://host:2375");
        assertThat(refusal(BASE + "docker:\n  sock: unix:///x\n")).startsWith("cutover.yml:9: docker.sock is not a known key");
    }

    @Test
    void aDockerServiceNeedsNoCommandAndTakesTheEngineFromDockerHost() throws Exception {
        CutoverConfig config = ConfigLoader.parse(BASE.replace("    command: [\"run\", \"${PORT}\"]\n", "    runtime: docker\n")
                + "docker:\n  host: unix:///run/user/1000/docker.sock\n", Path.of("cutover.yml"));
        assertThat(config.services().get("web").runtime()).isEqualTo("docker");
        assertThat(config.services().get("web").command()).as("the image's own command").isEmpty();
        assertThat(config.dockerHost()).isEqualTo("unix:///run/user/1000/docker.sock");
        assertThat(config.usesDocker()).isTrue();
    }

    @Test
    void tcpControlListenerWithoutATokenIsRefused() {
        assertThat(refusal(BASE + "control:\n  listen: 127.0.0.1:7070\n  tls: off\n"))
                .isEqualTo("cutover.yml:9: control.listen: refusing to open a TCP control listener without a token:"
                        + " set control.token_file");
    }

    @Test
    void maxErrorRatioOutsideZeroToOne() {
        assertThat(refusal(BASE + "    verify: { max_error_ratio: 1.5 }\n"))
                .isEqualTo("cutover.yml:8: services.web.verify.max_error_ratio: 1.5 is out of range; write a fraction"
                        + " from 0 to 1, like 0.01 for 1%");
    }

    @Test
    void healthyThresholdBelowOne() {
        assertThat(refusal(BASE + "    health: { healthy_threshold: 0 }\n"))
                .isEqualTo("cutover.yml:8: services.web.health.healthy_threshold: 0 is out of range; use 1 to 1000");
    }

    @Test
    void serviceNameMustBeLowercaseLettersDigitsAndDashes() {
        assertThat(refusal(BASE.replace("  web:", "  Web_1:")))
                .isEqualTo("cutover.yml:5: services.Web_1: \"Web_1\" is not a valid service name; use lowercase"
                        + " letters, digits and dashes, starting with a letter or digit (e.g. web, api-v2)");
    }

    @Test
    void emptyFileAndCommentOnlyFile() {
        String expected = "cutover.yml:1: the file is empty; it needs at least proxy.listen, state_dir and services"
                + " (see cutover.example.yml)";
        assertThat(refusal("")).isEqualTo(expected);
        assertThat(refusal("# nothing yet\n")).isEqualTo(expected);
    }

    @Test
    void yamlSyntaxErrorsGiveTheLine() {
        assertThat(refusal("proxy:\n  listen: [1\nstate_dir: x\n"))
                .isEqualTo("cutover.yml:3: YAML syntax error: expected ',' or ']', but got : (while parsing a flow"
                        + " sequence that starts at line 2)");
        assertThat(refusal("proxy:\n  listen: 1\n   foo: 2\n"))
                .isEqualTo("cutover.yml:3: YAML syntax error: mapping values are not allowed here");
    }

    @Test
    void duplicateKeyNamesBothLines() {
        assertThat(refusal(BASE.replace("state_dir: ./state", "state_dir: ./state\nstate_dir: ./other")))
                .isEqualTo("cutover.yml:4: key state_dir appears twice in the same map (first at line 3); keep one");
    }

    @Test
    void topLevelListIsNotAConfig() {
        assertThat(refusal("- a\n- b\n"))
                .isEqualTo("cutover.yml:1: the file must be a map of keys (proxy:, state_dir:, services:), not a list");
    }

    @Test
    void secondYamlDocumentIsRefused() {
        assertThat(refusal(BASE + "---\nfoo: 1\n")).isEqualTo("cutover.yml:9: a second YAML document starts here;"
                + " cutover.yml holds one document, so remove the --- line and merge the two");
    }

    @Test
    void hostWithASchemeIsNotAHost() {
        assertThat(refusal(BASE + "    hosts: [\"http://x.com\"]\n"))
                .isEqualTo("cutover.yml:8: services.web.hosts: \"http://x.com\" is not a host name; write it like"
                        + " example.com or \"*.example.com\" (no scheme, port or path)");
    }

    @Test
    void everyProblemInTheFileIsReportedInLineOrder() {
        String yaml = """
                proxy:
                  listen: 127.0.0.1:8080
                  max_header_size: 16 kilobytes
                  timeouts: { client_idle: forever }
                state_dir: ./state
                services:
                  web:
                    command: ["run"]
                    workdir: [1]
                    env: { 1X: a, B: [1] }
                    ports: { blue: 8081, green: 8082 }
                """;
        assertThat(refusal(yaml)).isEqualTo("""
                cutover.yml:3: proxy.max_header_size: "16 kilobytes" is not a size; write it like 8192, 16KB or 1MB
                cutover.yml:4: proxy.timeouts.client_idle: "forever" is not a duration; write it like 500ms, 30s, 5m or 1h
                cutover.yml:9: services.web.workdir: expected text, got a list
                cutover.yml:10: services.web.env.1X: "1X" is not an environment variable name; use letters, digits \
                and _, not starting with a digit
                cutover.yml:10: services.web.env.B: expected text, got a list""");
    }

    @Test
    void proxyLimitsBelowTheirMinimum() {
        assertThat(refusal(BASE.replace("  listen: 127.0.0.1:8080", "  listen: 127.0.0.1:8080\n  max_header_size: 100\n"
                + "  max_connections: 0\n  trusted_proxies: [10.0.0.0/33]")))
                .isEqualTo("""
                        cutover.yml:3: proxy.max_header_size: 100 is too small; it must be at least 256
                        cutover.yml:4: proxy.max_connections: 0 is too small; it must be at least 1
                        cutover.yml:5: proxy.trusted_proxies: "10.0.0.0/33" is not an IP address or CIDR range; write \
                        it like 10.0.0.0/8, 192.168.1.5 or ::1""");
    }

    @Test
    void socketPathTooLongForUnixSockets() {
        String yaml = BASE.replace("state_dir: ./state", "state_dir: /" + "s".repeat(100));
        assertThat(refusal(yaml)).isEqualTo("cutover.yml:3: control.socket: /" + "s".repeat(100) + "/control.sock is"
                + " too long for a Unix socket (114 bytes, at most 107); set control.socket to a shorter path");
    }
}
