package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon with a TCP control listener (control.listen + a 0600 token_file), reached the way a CI
 * machine reaches it: {@code --url http://HOST:PORT --token-file FILE}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ControlOverTcpTest {

    @TempDir
    static Path dir;

    private DaemonConfigFile config;
    private DaemonProcess daemon;

    @BeforeAll
    void startDaemon() {
        config = DaemonConfigFile.in(dir).controlOverTcp("e2e-token-5f1c");
        config.write();
        daemon = DaemonProcess.start(config);
    }

    @AfterAll
    void stopDaemon() throws InterruptedException {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void statusOverTcpWithTheTokenFileShowsTheDaemon() {
        CliRun run = CliRun.of("status", "--url", url(), "--token-file", config.tokenFile().toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).as(run.toString()).contains("daemon pid " + daemon.pid()).contains("web: no release yet");
    }

    @Test
    void aWrongTokenIsRefusedWithAMessageSayingSo() {
        Path wrong = config.tokenFile("wrong-token", "not-the-token");
        CliRun run = CliRun.of("status", "--url", url(), "--token-file", wrong.toString());
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).as(run.toString()).contains("token").contains("missing or wrong");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aTcpUrlWithoutATokenFileIsAUsageError() {
        CliRun run = CliRun.of("status", "--url", url());
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).contains("--token-file");
    }

    private String url() {
        return "http://127.0.0.1:" + config.controlPort();
    }
}
