package dev.cutover.server.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cutover.server.tls.PemException;
import io.netty.buffer.ByteBufAllocator;
import dev.cutover.testing.RawHttp;
import dev.cutover.testing.TestCertificates;

/**
 * The TCP control listener over real TLS on 127.0.0.1, with certificates made by keytool at test
 * time, and the CLI's client checking them: the right certificate and token get through; an untrusted,
 * expired or misnamed certificate stops the client before the token is sent; plain HTTP to the port
 * is answered with a 400 that says to use https.
 */
class ControlTlsTest {

    private static final String TOKEN = "tls-token-7d0e";

    @TempDir
    static Path certDir;

    private static TestCertificates.Issued daemonCert;
    private static TestCertificates.Issued strangerCert;
    private static TestCertificates.Issued otherNameCert;
    private static TestCertificates.Issued ca;
    private static TestCertificates.Issued caSignedCert;
    private static TestCertificates.Issued expiredCert;

    @TempDir
    Path dir;

    private final AtomicInteger handled = new AtomicInteger();
    private ControlServer server;
    private int port;

    @BeforeAll
    static void makeCertificates() {
        TestCertificates certs = TestCertificates.in(certDir);
        daemonCert = certs.selfSigned("daemon", "ip:127.0.0.1");
        strangerCert = certs.selfSigned("stranger", "ip:127.0.0.1");
        otherNameCert = certs.selfSigned("elsewhere", "dns:deploy.example.com,ip:10.9.8.7");
        ca = certs.authority("cutover-test-ca");
        caSignedCert = certs.signedBy(ca, "daemon-by-ca", "ip:127.0.0.1");
        expiredCert = certs.expiredSignedBy(ca, "expired", "ip:127.0.0.1");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void start(TestCertificates.Issued cert) throws IOException {
        ControlRoutes routes = ControlRoutes.builder()
                .get("/v1/status", (req, res) -> {
                    handled.incrementAndGet();
                    res.json(200, Map.of("ok", true));
                })
                .post("/v1/services/{service}/deploy", (req, res) -> {
                    handled.incrementAndGet();
                    res.json(202, Map.of("deploying", req.param("service")));
                })
                .build();
        server = ControlServer.builder(routes)
                .unixSocket(dir.resolve("control.sock"))
                .tcp(new InetSocketAddress("127.0.0.1", 0), TOKEN)
                .tls(cert.cert(), cert.key())
                .start();
        port = server.tcpAddress().orElseThrow().getPort();
    }

    private ControlClient client(TestCertificates.Issued trusted, String token) throws PemException {
        return ControlClient.https("127.0.0.1", port, token, ControlTrust.pemFile(trusted.cert()));
    }

    private String url() {
        return "https://127.0.0.1:" + port;
    }

    @Test
    void theRightCertificateAndTokenReachTheHandlerOverHttps() throws Exception {
        start(daemonCert);
        ControlClient client = client(daemonCert, TOKEN);

        assertThat(client.target()).isEqualTo(url());
        assertThat(client.call("GET", "/v1/status", null).get("ok").asBoolean()).isTrue();
        assertThat(client.call("POST", "/v1/services/web/deploy", Map.of("version", "2")).get("deploying").asText())
                .isEqualTo("web");
        assertThat(handled).hasValue(2);
    }

    @Test
    void theListenerSpeaksTls13AndTls12ButNothingOlder() throws Exception {
        start(daemonCert);
        ControlTrust trust = ControlTrust.pemFile(daemonCert.cert());
        SSLSocketFactory sockets = trust.context(trust.newCheck()).getSocketFactory();

        for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
            try (SSLSocket socket = (SSLSocket) sockets.createSocket("127.0.0.1", port)) {
                socket.setEnabledProtocols(new String[] {protocol});
                socket.startHandshake();
                assertThat(socket.getSession().getProtocol()).isEqualTo(protocol);
            }
        }
        SSLEngine engine = TlsServerContext.load(daemonCert.cert(), daemonCert.key()).newEngine(ByteBufAllocator.DEFAULT);
        assertThat(engine.getEnabledProtocols()).containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
    }

    @Test
    void aWrongTokenOverHttpsAnswers401AndNeverReachesTheHandler() throws Exception {
        start(daemonCert);

        assertThatThrownBy(() -> client(daemonCert, TOKEN + "x").call("GET", "/v1/status", null))
                .isInstanceOfSatisfying(ControlException.class, e -> assertThat(e.status()).isEqualTo(401));
        assertThat(handled).hasValue(0);
    }

    @Test
    void aCertificateTheCaCertDoesNotVouchForIsRefusedNamingWhatToPass() throws Exception {
        start(daemonCert);

        assertThatThrownBy(() -> client(strangerCert, TOKEN).call("GET", "/v1/status", null))
                .isInstanceOf(DaemonUnreachableException.class)
                .hasMessage("cannot trust the cutover daemon at " + url() + ": its certificate (CN=daemon, self-signed) is"
                        + " not signed by any certificate in --ca-cert " + strangerCert.cert() + "; pass the daemon's own"
                        + " certificate (its control.tls.cert) or the CA that signed it with --ca-cert FILE");
        assertThat(handled).hasValue(0);
    }

    @Test
    void withoutCaCertASelfSignedDaemonIsNotTrustedByTheJdkDefaults() throws Exception {
        start(daemonCert);
        ControlClient client = ControlClient.https("127.0.0.1", port, TOKEN, ControlTrust.jdkDefaults());

        assertThatThrownBy(() -> client.call("GET", "/v1/status", null))
                .isInstanceOf(DaemonUnreachableException.class)
                .hasMessage("cannot trust the cutover daemon at " + url() + ": its certificate (CN=daemon, self-signed) is"
                        + " not signed by any certificate in the JDK's default trust store (no --ca-cert given); pass the"
                        + " daemon's own certificate (its control.tls.cert) or the CA that signed it with --ca-cert FILE");
        assertThat(handled).hasValue(0);
    }

    @Test
    void aTrustedCertificateMadeForAnotherHostIsRefusedListingItsNames() throws Exception {
        start(otherNameCert);

        assertThatThrownBy(() -> client(otherNameCert, TOKEN).call("GET", "/v1/status", null))
                .isInstanceOf(DaemonUnreachableException.class)
                .hasMessage("cannot trust the cutover daemon at " + url() + ": its certificate (CN=elsewhere) is for"
                        + " DNS:deploy.example.com, IP:10.9.8.7, not 127.0.0.1; use a host it names in --url, or reissue"
                        + " the daemon's control.tls.cert with 127.0.0.1 in its subjectAltName");
        assertThat(handled).hasValue(0);
    }

    @Test
    void aDaemonCertificateSignedByTheCaCertIsTrustedThroughItsChain() throws Exception {
        start(caSignedCert);
        ControlClient client = ControlClient.https("127.0.0.1", port, TOKEN, ControlTrust.pemFile(ca.cert()));

        assertThat(client.call("GET", "/v1/status", null).get("ok").asBoolean()).isTrue();
        assertThat(handled).hasValue(1);
    }

    @Test
    void anExpiredCertificateIsRefusedSayingWhenItExpired() throws Exception {
        start(expiredCert);

        assertThatThrownBy(() -> client(ca, TOKEN).call("GET", "/v1/status", null))
                .isInstanceOf(DaemonUnreachableException.class)
                .hasMessageStartingWith("cannot trust the cutover daemon at " + url() + ": its certificate (CN=expired,"
                        + " issued by CN=cutover-test-ca) expired on ")
                .hasMessageEndingWith(" UTC; renew the daemon's control.tls.cert and restart it");
        assertThat(handled).hasValue(0);
    }

    @Test
    void plainHttpToTheTlsPortIsAnswered400SayingToUseHttpsAndNeverReachesTheHandler() throws Exception {
        start(daemonCert);

        try (RawHttp raw = RawHttp.connect(port)) {
            RawHttp.Response answer = raw.send("GET /v1/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
                    + "\r\n\r\n").readResponse();

            assertThat(answer.status()).isEqualTo(400);
            assertThat(answer.header("Content-Type")).isEqualTo("application/json");
            assertThat(answer.bodyText()).isEqualTo("{\"error\":\"this control listener speaks HTTPS only; send the request"
                    + " to " + url() + " (cutover commands: --url " + url() + " --ca-cert FILE; curl: --cacert FILE)\"}");
        }
        assertThatThrownBy(() -> ControlClient.tcp("127.0.0.1", port, TOKEN).call("GET", "/v1/status", null))
                .isInstanceOfSatisfying(ControlException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.getMessage()).startsWith("this control listener speaks HTTPS only; send the request to " + url());
                });
        assertThat(handled).hasValue(0);
    }

    @Test
    void curlWithCacertAndTheTokenReadsStatusAsTheReadmeShows() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl is not installed");
        start(daemonCert);

        Process curl = new ProcessBuilder("/usr/bin/curl", "-sS", "--fail", "--max-time", "10", "--cacert",
                daemonCert.cert().toString(), "-H", "Authorization: Bearer " + TOKEN, url() + "/v1/status")
                .redirectErrorStream(true).start();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(curl.waitFor(15, TimeUnit.SECONDS)).isTrue();
        assertThat(curl.exitValue()).as("curl's exit code; it said: %s", out).isZero();
        assertThat(out).isEqualTo("{\"ok\":true}");
    }

    @Test
    void theUnixSocketStaysPlainHttpAlongsideTheTlsListener() throws Exception {
        start(daemonCert);

        assertThat(ControlClient.unix(server.socket()).call("GET", "/v1/status", null).get("ok").asBoolean()).isTrue();
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedAtStartNamingBothFiles() {
        ControlServer.Builder builder = ControlServer.builder(ControlRoutes.builder().build())
                .unixSocket(dir.resolve("control.sock"))
                .tcp(new InetSocketAddress("127.0.0.1", 0), TOKEN)
                .tls(daemonCert.cert(), strangerCert.key());

        assertThatThrownBy(builder::start)
                .isInstanceOf(IOException.class)
                .hasMessage("cannot serve the control API over TLS: " + strangerCert.key() + " is not the private key of"
                        + " the certificate in " + daemonCert.cert() + " (CN=daemon)");
    }

    @Test
    void plainTcpOnAnAddressOtherMachinesReachIsRefusedAtStart() {
        ControlServer.Builder builder = ControlServer.builder(ControlRoutes.builder().build())
                .unixSocket(dir.resolve("control.sock"))
                .tcp(new InetSocketAddress("0.0.0.0", 0), TOKEN);

        assertThatThrownBy(builder::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("refusing to serve the control API in plain HTTP on 0.0.0.0:0, which other machines can reach:"
                        + " the token would cross the network in clear text; set control.tls");
    }
}
