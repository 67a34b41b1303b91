package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import dev.cutover.testing.TestCertificates;

/**
 * A daemon with an HTTPS control listener (control.listen + control.tls with a certificate keytool
 * made for 127.0.0.1 + a 0600 token_file), reached the way a CI machine reaches it:
 * {@code --url https://HOST:PORT --token-file FILE --ca-cert FILE}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ControlOverHttpsTest {

    @TempDir
    static Path dir;

    private DaemonConfigFile config;
    private DaemonProcess daemon;
    private TestCertificates.Issued daemonCert;
    private TestCertificates.Issued strangerCert;

    @BeforeAll
    void startDaemon() {
        TestCertificates certs = TestCertificates.in(dir);
        daemonCert = certs.selfSigned("daemon", "ip:127.0.0.1");
        strangerCert = certs.selfSigned("stranger", "ip:127.0.0.1");
        config = DaemonConfigFile.in(dir).controlOverHttps("e2e-token-5f1c", daemonCert);
        config.write();
        daemon = DaemonProcess.start(config);
    }

    @AfterAll
    void stopDaemon() throws InterruptedException {
        if (daemon != null) {
            daemon.close();
        }
    }

    private String url() {
        return "https://127.0.0.1:" + config.controlPort();
    }

    private CliRun overHttps(String url, Path caCert, String... command) {
        String[] args = new String[command.length + 6];
        System.arraycopy(command, 0, args, 0, command.length);
        args[command.length] = "--url";
        args[command.length + 1] = url;
        args[command.length + 2] = "--token-file";
        args[command.length + 3] = config.tokenFile().toString();
        args[command.length + 4] = "--ca-cert";
        args[command.length + 5] = caCert.toString();
        return CliRun.of(args);
    }

    @Test
    void statusOverHttpsWithTheTokenAndTheDaemonsCertificateShowsTheDaemon() {
        CliRun run = overHttps(url(), daemonCert.cert(), "status");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).as(run.toString()).contains("daemon pid " + daemon.pid()).contains("web: ");
    }

    @Test
    void deployOverHttpsPutsTheNewVersionBehindTheProxy() throws Exception {
        CliRun run = overHttps(url(), daemonCert.cert(), "deploy", "web", "--version", "https-v1", "--artifact",
                config.artifact("https-v1", "").toString());
        daemon.apps().learnFromEvents(run.out());

        assertThat(run.exitCode()).as("%s\ndaemon output:\n%s", run, daemon.log()).isZero();
        assertThat(daemon.servedVersion()).isEqualTo("https-v1");
    }

    @Test
    void aWrongTokenIsRefusedWithAMessageSayingSo() {
        Path wrong = config.tokenFile("wrong-token", "not-the-token");
        CliRun run = CliRun.of("status", "--url", url(), "--token-file", wrong.toString(), "--ca-cert", daemonCert.cert().toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).as(run.toString()).contains("token").contains("missing or wrong");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aCertificateTheCaCertDoesNotVouchForExits3SayingWhatToPass() {
        CliRun run = overHttps(url(), strangerCert.cert(), "status");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.UNREACHABLE);
        assertThat(run.err()).isEqualTo("cutover: cannot trust the cutover daemon at " + url() + ": its certificate"
                + " (CN=daemon, self-signed) is not signed by any certificate in --ca-cert " + strangerCert.cert()
                + "; pass the daemon's own certificate (its control.tls.cert) or the CA that signed it with --ca-cert FILE\n");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void withoutCaCertASelfSignedDaemonIsNotTrustedAndExits3() {
        CliRun run = CliRun.of("status", "--url", url(), "--token-file", config.tokenFile().toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.UNREACHABLE);
        assertThat(run.err()).contains("is not signed by any certificate in the JDK's default trust store (no --ca-cert given)");
    }

    @Test
    void aHostNameTheCertificateDoesNotListExits3NamingWhatItLists() {
        String byName = "https://localhost:" + config.controlPort();
        CliRun run = overHttps(byName, daemonCert.cert(), "status");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.UNREACHABLE);
        assertThat(run.err()).isEqualTo("cutover: cannot trust the cutover daemon at " + byName + ": its certificate"
                + " (CN=daemon) is for IP:127.0.0.1, not localhost; use a host it names in --url, or reissue the daemon's"
                + " control.tls.cert with localhost in its subjectAltName\n");
    }

    @Test
    void plainHttpToTheHttpsPortIsAUsageErrorSayingToUseHttps() {
        CliRun run = CliRun.of("status", "--url", "http://127.0.0.1:" + config.controlPort(), "--token-file",
                config.tokenFile().toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).isEqualTo("cutover: this control listener speaks HTTPS only; send the request to " + url()
                + " (cutover commands: --url " + url() + " --ca-cert FILE; curl: --cacert FILE)\n");
    }

    @Test
    void plainHttpToAnotherMachineIsRefusedBeforeConnecting() {
        CliRun run = CliRun.of("status", "--url", "http://192.0.2.10:7070", "--token-file", config.tokenFile().toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).isEqualTo("cutover: --url http://192.0.2.10:7070: refusing to send the token in clear text to"
                + " another machine; use https://192.0.2.10:7070 (the daemon needs control.tls), or tunnel to the daemon's"
                + " loopback listener (ssh -L) and use http://127.0.0.1:PORT\n");
    }

    @Test
    void aMissingCaCertFileIsAUsageError() {
        Path missing = dir.resolve("no-such-ca.pem");
        CliRun run = overHttps(url(), missing, "status");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).isEqualTo("cutover: --ca-cert: " + missing + " does not exist; it should hold the certificate"
                + " to trust (the daemon's control.tls.cert, or the CA that signed it) in PEM\n");
    }

    @Test
    void caCertWithoutUrlIsAUsageError() {
        CliRun run = CliRun.of("status", "--socket", config.socket().toString(), "--ca-cert", daemonCert.cert().toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).isEqualTo("cutover: --ca-cert goes with --url https://HOST:PORT; the Unix socket needs no"
                + " certificate\n");
    }

    @Test
    void aTcpUrlWithoutATokenFileIsAUsageError() {
        CliRun run = CliRun.of("status", "--url", url());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).contains("--token-file");
    }
}
