package dev.cutover.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cutover.engine.HealthSpec;
import dev.cutover.engine.ServiceSpec;
import dev.cutover.engine.Slot;
import dev.cutover.engine.VerifySpec;
import dev.cutover.proxy.ProxyConfig;
import dev.cutover.proxy.Transport;

class ConfigLoaderTest {

    private static final Path SOURCE = Path.of("/srv/cutover/cutover.yml");

    private static final String MINIMAL = """
            proxy:
              listen: 127.0.0.1:8080
            state_dir: ./cutover-state
            services:
              web:
                runtime: process
                command: ["java", "-jar", "${ARTIFACT}", "--server.port=${PORT}"]
                ports: { blue: 8081, green: 8082 }
                health:
                  path: /actuator/health
                  interval: 1s
                  timeout: 2s
                  deadline: 120s
                drain_timeout: 30s
                stop_timeout: 20s
            """;

    @TempDir
    Path dir;

    /** The problems cutover.yml {@code yaml} is refused with; fails the test if it loads. */
    private static String problems(String yaml) {
        try {
            ConfigLoader.parse(yaml, Path.of("cutover.yml"));
        } catch (ConfigException e) {
            return e.getMessage();
        }
        return fail("expected the config to be refused:\n" + yaml);
    }

    @Test
    void architectureExampleLoadsWithDefaultsAndPathsResolvedAgainstTheConfigFolder() throws Exception {
        CutoverConfig config = ConfigLoader.parse(MINIMAL, SOURCE);

        assertThat(config.source()).isEqualTo(SOURCE);
        assertThat(config.stateDir()).isEqualTo(Path.of("/srv/cutover/cutover-state"));
        assertThat(config.control()).isEqualTo(new ControlConfig(Path.of("/srv/cutover/cutover-state/control.sock")));
        ProxyConfig proxy = config.proxy();
        assertThat(proxy).isEqualTo(ProxyConfig.builder().listen("127.0.0.1", 8080).build());
        ServiceSpec web = config.services().get("web");
        assertThat(web.command()).containsExactly("java", "-jar", "${ARTIFACT}", "--server.port=${PORT}");
        assertThat(web.ports()).isEqualTo(Map.of(Slot.BLUE, 8081, Slot.GREEN, 8082));
        assertThat(web.health()).isEqualTo(new HealthSpec("/actuator/health", Duration.ofSeconds(1),
                Duration.ofSeconds(2), Duration.ofSeconds(120), 2, 0));
        assertThat(web.verify()).isEqualTo(VerifySpec.OFF);
        assertThat(web).isEqualTo(ServiceSpec.process("web", web.command(), 8081, 8082)
                .withHealth(web.health()));
    }

    @Test
    void theShippedExampleLoadsCleanlyAndEveryKeyTakesEffect() throws Exception {
        String yaml;
        try (InputStream in = ConfigLoader.class.getResourceAsStream("cutover.example.yml")) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        CutoverConfig config = ConfigLoader.parse(yaml, SOURCE);

        assertThat(config.proxy()).isEqualTo(ProxyConfig.builder().listen("127.0.0.1", 8080).ioThreads(0)
                .transport(Transport.Kind.AUTO).trustedProxies(List.of("10.0.0.0/8")).maxConnections(10_000)
                .maxIdleUpstreamsPerTarget(256).maxHeaderSize(16 * 1024).maxInitialLineLength(8 * 1024)
                .clientHeaderTimeout(Duration.ofSeconds(10)).clientIdleTimeout(Duration.ofSeconds(75))
                .upstreamConnectTimeout(Duration.ofSeconds(5)).upstreamResponseTimeout(Duration.ofSeconds(60))
                .upstreamIdleTimeout(Duration.ofSeconds(4)).build());
        assertThat(config.control().socket()).isEqualTo(Path.of("/srv/cutover/cutover-state/control.sock"));
        assertThat(config.services().keySet()).containsExactly("web", "api");
        ServiceSpec web = config.services().get("web");
        assertThat(web).isEqualTo(new ServiceSpec("web", "process",
                List.of("java", "-jar", "${ARTIFACT}", "--server.port=${PORT}"), Map.of("SPRING_PROFILES_ACTIVE", "prod"),
                null, Map.of(Slot.BLUE, 8081, Slot.GREEN, 8082),
                new HealthSpec("/actuator/health", Duration.ofSeconds(1), Duration.ofSeconds(2),
                        Duration.ofSeconds(120), 2, 200),
                Duration.ofSeconds(30), Duration.ofSeconds(20), VerifySpec.of(Duration.ofSeconds(30), 0.01, 50),
                List.of("example.com", "*.example.com"), "/", 5));
        ServiceSpec api = config.services().get("api");
        assertThat(api.workdir()).isEqualTo(Path.of("/srv/cutover/api"));
        assertThat(api.pathPrefix()).isEqualTo("/api");
        assertThat(api.verify()).isEqualTo(VerifySpec.OFF);
        assertThat(api.health()).isEqualTo(HealthSpec.DEFAULT);
    }
    @Test
    void loadReadsTheFileAndResolvesRelativePathsAgainstItsFolder() throws Exception {
        Path etc = Files.createDirectories(dir.resolve("etc"));
        Path file = Files.writeString(etc.resolve("cutover.yml"), MINIMAL.replace("  web:", """
                  web:
                    workdir: ../srv/web
                    verify: on\
                """.stripTrailing()) + "control: { socket: run/c.sock }\n");

        CutoverConfig config = ConfigLoader.load(file);

        assertThat(config.source()).isEqualTo(file);
        assertThat(config.stateDir()).isEqualTo(etc.resolve("cutover-state"));
        assertThat(config.control().socket()).isEqualTo(etc.resolve("run/c.sock"));
        assertThat(config.services().get("web").workdir()).isEqualTo(dir.resolve("srv/web"));
        assertThat(config.services().get("web").verify()).isEqualTo(VerifySpec.of(Duration.ofSeconds(30), 0.01, 50));
    }

    @Test
    void aMissingConfigFileIsNamed() {
        Path file = dir.resolve("nope.yml");
        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessage(file + ": no such file; pass the right path with --config, or start from cutover.example.yml");
    }

    @Test
    void errorsNameTheFileAsGiven() throws IOException {
        Path file = Files.writeString(dir.resolve("cutover.yml"), MINIMAL.replace("interval: 1s", "interval: 1x"));
        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessage(file + ":11: services.web.health.interval: \"1x\" is not a duration; write it like 500ms,"
                        + " 30s, 5m or 1h");
    }

    private String withControl(Path token) {
        return MINIMAL + "control:\n  listen: 127.0.0.1:7070\n  token_file: " + token + "\n  tls: off\n";
    }

    @Test
    void tcpControlListenerWithAPrivateTokenFileLoads() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "s3cret\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));

        ControlConfig control = ConfigLoader.parse(withControl(token), SOURCE).control();

        assertThat(control.listen()).isEqualTo(new InetSocketAddress("127.0.0.1", 7070));
        assertThat(control.tokenFile()).isEqualTo(token);
    }

    @Test
    void tokenFileThatIsMissingEmptyOrReadableByOthersIsRefused() throws Exception {
        Path missing = dir.resolve("missing");
        assertThatThrownBy(() -> ConfigLoader.parse(withControl(missing), Path.of("cutover.yml")))
                .hasMessage("cutover.yml:18: control.token_file: " + missing + " does not exist; create it with a long"
                        + " random secret, e.g. openssl rand -hex 32 > " + missing + " && chmod 600 " + missing);

        Path empty = Files.writeString(dir.resolve("empty"), " \n");
        Files.setPosixFilePermissions(empty, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> ConfigLoader.parse(withControl(empty), Path.of("cutover.yml")))
                .hasMessage("cutover.yml:18: control.token_file: " + empty + " is empty; put a long random secret in"
                        + " it, e.g. openssl rand -hex 32 > " + empty);

        Path shared = Files.writeString(dir.resolve("shared"), "s3cret");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> ConfigLoader.parse(withControl(shared), Path.of("cutover.yml")))
                .hasMessage("cutover.yml:18: control.token_file: " + shared + " can be read by other users (rw-r--r--);"
                        + " make it private with chmod 600 " + shared);
    }
}
