package dev.cutover.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cutover.testing.TestCertificates;

/**
 * {@code control.tls}: real certificate files (made by keytool) resolved against the config's folder,
 * and every way they can be wrong refused at load time with the file, the line and what to do.
 */
class ConfigLoaderTlsTest {

    /** A valid file up to line 7; the control section starts on line 8. */
    private static final String BASE = """
            proxy:
              listen: 127.0.0.1:8080
            state_dir: ./state
            services:
              web:
                command: ["run", "${PORT}"]
                ports: { blue: 8081, green: 8082 }
            """;

    @TempDir
    static Path root;

    private static Path etc;
    private static Path config;
    private static TestCertificates.Issued daemon;
    private static TestCertificates.Issued other;

    @BeforeAll
    static void makeCertificates() throws IOException {
        etc = Files.createDirectories(root.resolve("etc"));
        Path certs = Files.createDirectories(etc.resolve("certs"));
        daemon = TestCertificates.in(certs).selfSigned("daemon", "ip:127.0.0.1");
        other = TestCertificates.in(certs).selfSigned("other", "ip:127.0.0.1");
        Path token = Files.writeString(etc.resolve("token"), "s3cret\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        config = etc.resolve("cutover.yml");
    }

    /** Lines 8 to 13: control, listen, token_file, tls, cert, key. */
    private static String control(String listen, String cert, String key) {
        return BASE + "control:\n  listen: " + listen + "\n  token_file: token\n  tls:\n    cert: " + cert + "\n    key: " + key + "\n";
    }

    private static CutoverConfig load(String yaml) throws Exception {
        Files.writeString(config, yaml);
        return ConfigLoader.load(config);
    }

    private static String refusal(String yaml) throws IOException {
        Files.writeString(config, yaml);
        try {
            ConfigLoader.load(config);
        } catch (ConfigException e) {
            return e.getMessage();
        }
        return fail("expected the config to be refused:\n" + yaml);
    }

    private static Path write(String name, String content) throws IOException {
        Path file = Files.writeString(etc.resolve("certs").resolve(name), content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    @Test
    void certAndKeyPathsResolveAgainstTheConfigFolder() throws Exception {
        ControlConfig control = load(control("0.0.0.0:7443", "certs/daemon.crt", "certs/daemon.key")).control();

        assertThat(control.listen()).isEqualTo(new InetSocketAddress("0.0.0.0", 7443));
        assertThat(control.tls()).isEqualTo(new ControlTls(etc.resolve("certs/daemon.crt"), etc.resolve("certs/daemon.key")));
        assertThat(control.tokenFile()).isEqualTo(etc.resolve("token"));
    }

    @Test
    void tlsOffServesPlainHttpOnALoopbackListener() throws Exception {
        ControlConfig control = load(BASE + "control:\n  listen: 127.0.0.1:7070\n  token_file: token\n  tls: off\n").control();

        assertThat(control.listen()).isEqualTo(new InetSocketAddress("127.0.0.1", 7070));
        assertThat(control.tls()).isNull();
    }

    @Test
    void aLoopbackListenerWithoutTlsIsRefusedNamingBothWaysOut() throws Exception {
        assertThat(refusal(BASE + "control:\n  listen: 127.0.0.1:7070\n  token_file: token\n"))
                .isEqualTo(config + ":9: control.listen: a TCP control listener needs TLS; add tls: { cert:"
                        + " /etc/cutover/control.crt, key: /etc/cutover/control.key } (a PEM certificate chain and its"
                        + " PKCS#8 key), or write tls: off to serve plain HTTP on this loopback address");
    }

    @Test
    void aListenerOtherMachinesReachIsRefusedWithoutTls() throws Exception {
        assertThat(refusal(BASE + "control:\n  listen: 0.0.0.0:7070\n  token_file: token\n"))
                .isEqualTo(config + ":9: control.listen: 0.0.0.0:7070 can be reached from other machines, and without TLS"
                        + " the token would cross the network in clear text; add tls: { cert: /etc/cutover/control.crt, key:"
                        + " /etc/cutover/control.key } (a PEM certificate chain and its PKCS#8 key), or listen on 127.0.0.1"
                        + " and reach it through an SSH tunnel");
    }

    @Test
    void tlsOffIsRefusedOnAListenerOtherMachinesReach() throws Exception {
        assertThat(refusal(BASE + "control:\n  listen: 0.0.0.0:7070\n  token_file: token\n  tls: off\n"))
                .isEqualTo(config + ":11: control.tls: 0.0.0.0:7070 can be reached from other machines, and without TLS"
                        + " the token would cross the network in clear text; add tls: { cert: /etc/cutover/control.crt, key:"
                        + " /etc/cutover/control.key } (a PEM certificate chain and its PKCS#8 key), or listen on 127.0.0.1"
                        + " and reach it through an SSH tunnel");
    }

    @Test
    void tlsWithoutAListenerIsRefused() throws Exception {
        assertThat(refusal(BASE + "control:\n  tls: { cert: certs/daemon.crt, key: certs/daemon.key }\n"))
                .isEqualTo(config + ":9: control.tls: there is no TCP listener to protect; set control.listen"
                        + " (e.g. listen: 0.0.0.0:7443) or remove tls");
    }

    @Test
    void tlsOnWithoutFilesIsRefused() throws Exception {
        assertThat(refusal(BASE + "control:\n  listen: 127.0.0.1:7070\n  token_file: token\n  tls: on\n"))
                .isEqualTo(config + ":11: control.tls: on needs the certificate and its key; write tls: { cert:"
                        + " /etc/cutover/control.crt, key: /etc/cutover/control.key }");
    }

    @Test
    void aTypoInsideTlsSuggestsTheKeyAndReportsWhatIsMissing() throws Exception {
        assertThat(refusal(BASE + "control:\n  listen: 127.0.0.1:7070\n  token_file: token\n  tls:\n    crt: certs/daemon.crt\n"
                + "    key: certs/daemon.key\n"))
                .isEqualTo(config + ":11: control.tls.cert is required; the daemon's certificate chain in PEM, e.g. tls:"
                        + " { cert: /etc/cutover/control.crt, key: /etc/cutover/control.key }\n"
                        + config + ":12: control.tls.crt is not a known key; did you mean cert?");
    }

    @Test
    void aMissingCertFileIsRefused() throws Exception {
        Path missing = etc.resolve("certs/nope.crt");
        assertThat(refusal(control("127.0.0.1:7443", "certs/nope.crt", "certs/daemon.key")))
                .isEqualTo(config + ":12: control.tls.cert: " + missing + " does not exist; it should hold the daemon's"
                        + " certificate chain (its own certificate first) in PEM");
    }

    @Test
    void aCertPathThatIsAFolderIsRefused() throws Exception {
        assertThat(refusal(control("127.0.0.1:7443", "certs", "certs/daemon.key")))
                .isEqualTo(config + ":12: control.tls.cert: " + etc.resolve("certs") + " is not a file; it should hold"
                        + " the daemon's certificate chain (its own certificate first) in PEM");
    }

    @Test
    void aCertThatIsNotPemIsRefusedWithTheConversionCommand() throws Exception {
        Path der = etc.resolve("certs/daemon.der");
        Files.write(der, new byte[] {0x30, (byte) 0x82, 0x01, 0x0a, 0x02, 0x01});
        assertThat(refusal(control("127.0.0.1:7443", "certs/daemon.der", "certs/daemon.key")))
                .isEqualTo(config + ":12: control.tls.cert: " + der + " is not a PEM certificate (no -----BEGIN"
                        + " CERTIFICATE----- line); it should hold the daemon's certificate chain (its own certificate"
                        + " first) in PEM (a DER file converts with openssl x509 -inform der -in " + der + " -out " + der
                        + ".pem)");
    }

    @Test
    void aCertBlockThatDoesNotDecodeIsRefused() throws Exception {
        Path broken = write("broken.crt", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assertThat(refusal(control("127.0.0.1:7443", "certs/broken.crt", "certs/daemon.key")))
                .startsWith(config + ":12: control.tls.cert: " + broken + " holds a CERTIFICATE block that is not a valid"
                        + " certificate (")
                .endsWith("); copy the file again from where it was issued");
    }

    @Test
    void certAndKeySwappedAreBothNamed() throws Exception {
        assertThat(refusal(control("127.0.0.1:7443", "certs/daemon.key", "certs/daemon.crt")))
                .isEqualTo(config + ":12: control.tls.cert: " + daemon.key() + " holds a private key, not a certificate;"
                        + " it should hold the daemon's certificate chain (its own certificate first) (were cert and key"
                        + " swapped?)\n"
                        + config + ":13: control.tls.key: " + daemon.cert() + " holds a certificate, not a private key; it"
                        + " should hold the private key of control.tls.cert (were cert and key swapped?)");
    }

    @Test
    void aMissingKeyFileIsRefused() throws Exception {
        Path missing = etc.resolve("certs/nope.key");
        assertThat(refusal(control("127.0.0.1:7443", "certs/daemon.crt", "certs/nope.key")))
                .isEqualTo(config + ":13: control.tls.key: " + missing + " does not exist; it should hold the private key"
                        + " of control.tls.cert in PEM");
    }

    @Test
    void aPkcs1KeyIsRefusedWithTheConversionCommand() throws Exception {
        Path rsa = write("rsa.key", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertThat(refusal(control("127.0.0.1:7443", "certs/daemon.crt", "certs/rsa.key")))
                .isEqualTo(config + ":13: control.tls.key: " + rsa + " is a PKCS#1 key (-----BEGIN RSA PRIVATE KEY-----);"
                        + " cutover reads PKCS#8 (-----BEGIN PRIVATE KEY-----): convert it with openssl pkcs8 -topk8 -nocrypt -in " + rsa
                        + " -out " + rsa + ".pk8 and point to the new file");
    }

    @Test
    void anEncryptedKeyIsRefused() throws Exception {
        Path encrypted = write("encrypted.key", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
        assertThat(refusal(control("127.0.0.1:7443", "certs/daemon.crt", "certs/encrypted.key")))
                .isEqualTo(config + ":13: control.tls.key: " + encrypted + " is encrypted with a passphrase, which cutover"
                        + " cannot ask for; write it unencrypted (chmod 600) with openssl pkcs8 -topk8 -nocrypt -in "
                        + encrypted + " -out " + encrypted + ".pk8");
    }

    @Test
    void aKeyEveryUserCanReadIsRefused() throws Exception {
        Path shared = write("shared.key", Files.readString(daemon.key()));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(refusal(control("127.0.0.1:7443", "certs/daemon.crt", "certs/shared.key")))
                .isEqualTo(config + ":13: control.tls.key: " + shared + " can be read by every user (rw-r--r--); make it"
                        + " private with chmod 600 " + shared);
    }

    @Test
    void aKeyOfAnotherCertificateIsRefused() throws Exception {
        assertThat(refusal(control("127.0.0.1:7443", "certs/daemon.crt", "certs/other.key")))
                .isEqualTo(config + ":13: control.tls.key: " + other.key() + " is not the private key of the certificate in "
                        + daemon.cert() + " (CN=daemon); point key at the file made together with that certificate");
    }
}
