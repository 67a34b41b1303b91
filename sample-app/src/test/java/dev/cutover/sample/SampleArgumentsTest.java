package dev.cutover.sample;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SampleArgumentsTest {

    private static final Map<String, String> NO_ENV = Map.of();

    @TempDir
    Path dir;

    @Test
    void flagsWorkWithASpaceOrAnEqualsSign() {
        final SampleOptions spaced = parse(NO_ENV, "--port", "8081", "--version", "v2", "--error-ratio", "0.25", "--startup-delay", "2s");
        final SampleOptions joined = parse(NO_ENV, "--port=8081", "--version=v2", "--error-ratio=0.25", "--startup-delay=2s");

        assertThat(spaced).isEqualTo(joined);
        assertThat(spaced).isEqualTo(new SampleOptions("127.0.0.1", 8081, "v2", false, 0.25, Duration.ofSeconds(2), false));
    }

    @Test
    void switchesAndHostAreRead() {
        final SampleOptions options = parse(NO_ENV, "--port", "1", "--host", "0.0.0.0", "--never-healthy", "--crash-on-start");

        assertThat(options.host()).isEqualTo("0.0.0.0");
        assertThat(options.neverHealthy()).isTrue();
        assertThat(options.crashOnStart()).isTrue();
    }

    @Test
    void portAndVersionComeFromTheEnvironmentWhenNotFlagged() {
        assertThat(parse(Map.of("PORT", "9000", "VERSION", "v5"))).isEqualTo(SampleOptions.of(9000, "v5"));
        assertThat(parse(Map.of("PORT", "9000", "VERSION", "v5"), "--port", "9001", "--version", "v6"))
                .isEqualTo(SampleOptions.of(9001, "v6"));
    }

    @Test
    void versionDefaultsToDev() {
        assertThat(parse(NO_ENV, "--port", "1").version()).isEqualTo("dev");
    }

    @Test
    void behaviourComesFromTheEnvironment() {
        final SampleOptions options = parse(Map.of("PORT", "1", "SAMPLE_NEVER_HEALTHY", "1", "SAMPLE_CRASH_ON_START", "true",
                "SAMPLE_ERROR_RATIO", "0.5", "SAMPLE_STARTUP_DELAY", "500ms"));

        assertThat(options).isEqualTo(new SampleOptions("127.0.0.1", 1, "dev", true, 0.5, Duration.ofMillis(500), true));
    }

    @Test
    void behaviorFileBreaksAVersionOnPurpose() throws IOException {
        final Path file = write("never_healthy=true\ncrash_on_start=true\nerror_ratio=0.5\nstartup_delay=1m\n");

        final SampleOptions options = parse(NO_ENV, "--port", "1", "--behavior", file.toString());

        assertThat(options).isEqualTo(new SampleOptions("127.0.0.1", 1, "dev", true, 0.5, Duration.ofMinutes(1), true));
    }

    @Test
    void flagsBeatTheBehaviorFileWhichBeatsTheEnvironment() throws IOException {
        final Path file = write("error_ratio=0.5\nstartup_delay=2s\nnever_healthy=false\n");
        final Map<String, String> env = Map.of("PORT", "1", "SAMPLE_ERROR_RATIO", "0.1", "SAMPLE_STARTUP_DELAY", "1s",
                "SAMPLE_NEVER_HEALTHY", "1");

        final SampleOptions options = parse(env, "--behavior=" + file, "--error-ratio", "0.25");

        assertThat(options.errorRatio()).as("flag beats file").isEqualTo(0.25);
        assertThat(options.startupDelay()).as("file beats env").isEqualTo(Duration.ofSeconds(2));
        assertThat(options.neverHealthy()).as("file beats env").isFalse();
    }

    @Test
    void anEmptyBehaviorMeansNoFile() {
        assertThat(parse(NO_ENV, "--port", "1", "--behavior=")).isEqualTo(SampleOptions.of(1, "dev"));
        assertThat(parse(NO_ENV, "--port", "1", "--behavior", "")).isEqualTo(SampleOptions.of(1, "dev"));
    }

    @Test
    void aMissingBehaviorFileSaysWhichFile() {
        final Path missing = dir.resolve("nope.properties");

        assertThatThrownBy(() -> parse(NO_ENV, "--port", "1", "--behavior", missing.toString()))
                .hasMessage("behavior file " + missing + " does not exist; pass an existing file, or --behavior= for none");
    }

    @Test
    void aBadBehaviorValueOrKeyNamesTheKeyAndTheFile() throws IOException {
        final Path badValue = write("error_ratio=half\n");
        final Path badKey = write("never_heathly=true\n");

        assertThatThrownBy(() -> parse(NO_ENV, "--port", "1", "--behavior", badValue.toString()))
                .hasMessage("error_ratio in " + badValue + " must be a number between 0 and 1, e.g. 0.5, got 'half'");
        assertThatThrownBy(() -> parse(NO_ENV, "--port", "1", "--behavior", badKey.toString()))
                .hasMessageStartingWith("unknown key 'never_heathly' in behavior file " + badKey);
    }

    @Test
    void badArgumentsAreSentencesThatSayWhatToDo() {
        assertThatThrownBy(() -> parse(NO_ENV)).hasMessage("no port given; pass --port 8081 or set PORT=8081 (0 picks a free port)");
        assertThatThrownBy(() -> parse(NO_ENV, "--port", "http")).hasMessage("--port must be a port number such as 8081, got 'http'");
        assertThatThrownBy(() -> parse(NO_ENV, "--port", "70000")).hasMessageStartingWith("port must be between 0 and 65535");
        assertThatThrownBy(() -> parse(NO_ENV, "--port")).hasMessage("--port needs a value, e.g. --port 8081");
        assertThatThrownBy(() -> parse(NO_ENV, "--port", "1", "--error-ratio", "2")).hasMessageStartingWith("--error-ratio must be between 0 and 1");
        assertThatThrownBy(() -> parse(NO_ENV, "--port", "1", "--startup-delay", "2 seconds"))
                .hasMessage("--startup-delay: '2 seconds' is not a duration; write it like 500ms, 2s or 1m");
        assertThatThrownBy(() -> parse(NO_ENV, "--port", "1", "--never-healthy=yes")).hasMessageContaining("takes no value");
        assertThatThrownBy(() -> parse(NO_ENV, "--port", "1", "--colour")).hasMessage("unknown option '--colour'; see --help for the options");
        assertThatThrownBy(() -> parse(NO_ENV, "8081")).hasMessageStartingWith("unexpected argument '8081'");
        assertThatThrownBy(() -> parse(Map.of("PORT", "1", "SAMPLE_NEVER_HEALTHY", "maybe")))
                .hasMessage("SAMPLE_NEVER_HEALTHY must be true or false (or 1 or 0), got 'maybe'");
        assertThatThrownBy(() -> parse(NO_ENV, "--port", "1", "--version", "v 2")).hasMessageStartingWith("version must be");
    }

    @Test
    void durationsAreWrittenWithAUnit() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("2s")).isEqualTo(Duration.ofSeconds(2));
        assertThat(Durations.parse("1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(Durations.parse("0")).isEqualTo(Duration.ZERO);
        assertThatThrownBy(() -> Durations.parse("2")).hasMessage("'2' is not a duration; write it like 500ms, 2s or 1m");
        assertThatThrownBy(() -> Durations.parse("-1s")).isInstanceOf(IllegalArgumentException.class);
    }

    private Path write(String content) throws IOException {
        return Files.writeString(Files.createTempFile(dir, "behavior", ".properties"), content);
    }

    private static SampleOptions parse(Map<String, String> env, String... args) {
        return SampleArguments.parse(args, env);
    }
}
