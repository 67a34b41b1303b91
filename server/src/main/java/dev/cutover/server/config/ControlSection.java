package dev.cutover.server.config;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code control:} section: where client commands reach the daemon, and what guards TCP: a token
 * always, and TLS unless the listener is on loopback and the operator wrote {@code tls: off}.
 */
final class ControlSection {

    /** sun_path holds 108 bytes on Linux, one of them the terminating zero. */
    private static final int MAX_SOCKET_PATH_BYTES = 107;

    /** How YAML spells false; {@code tls: off} is the explicit opt-out. */
    private static final Set<String> OFF = Set.of("false", "off", "no");

    private ControlSection() {
    }

    /** The control settings; null when something in the section is wrong. */
    static ControlConfig read(MapReader root, Path base, Path stateDir, Claims claims) {
        MapReader control = root.map("control", "{ socket: ./cutover-state/control.sock }");
        Path socket = stateDir == null ? null : stateDir.resolve("control.sock");
        InetSocketAddress listen = null;
        Path tokenFile = null;
        ControlTls tls = null;
        boolean ok = true;
        if (control != null) {
            String socketText = control.text("socket");
            if (socketText != null) {
                socket = base.resolve(socketText).normalize();
            }
            listen = control.address("listen");
            ok = listen != null || !control.has("listen");
            if (listen != null) {
                claims.port(listen.getPort(), "the control listener (control.listen)", null, control.where("listen"),
                        control.lineOf("listen"));
            }
            String tokenText = control.text("token_file");
            if (tokenText != null) {
                tokenFile = base.resolve(tokenText).normalize();
                String wrong = tokenProblem(tokenFile);
                if (wrong != null) {
                    control.problem(control.lineOf("token_file"), control.where("token_file") + ": " + wrong);
                    ok = false;
                }
            } else if (control.has("token_file")) {
                ok = false;
            }
            if (listen != null && !control.has("token_file")) {
                control.problem(control.lineOf("listen"), control.where("listen") + ": refusing to open a TCP control"
                        + " listener without a token: set control.token_file");
                ok = false;
            }
            YamlNode tlsNode = control.node("tls");
            boolean tlsOff = false;
            if (tlsNode instanceof YamlNode.Scalar s && s.kind() == YamlNode.Kind.BOOL) {
                tlsOff = OFF.contains(s.text().toLowerCase(Locale.ROOT));
                if (!tlsOff) {
                    control.problem(s.line(), control.where("tls") + ": " + s.text() + " needs the certificate and its key;"
                            + " write tls: " + ControlTlsSection.EXAMPLE);
                    ok = false;
                }
            } else if (tlsNode != null) {
                tls = ControlTlsSection.read(control, base);
                ok &= tls != null;
            }
            ok &= tlsFitsListener(control, listen, tlsNode, tlsOff);
            control.finish();
        }
        if (socket != null && socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH_BYTES) {
            int line = control != null ? control.lineOf("socket") : root.lineOf("state_dir");
            root.problem(line, "control.socket: " + socket + " is too long for a Unix socket ("
                    + socket.toString().getBytes(StandardCharsets.UTF_8).length + " bytes, at most "
                    + MAX_SOCKET_PATH_BYTES + "); set control.socket to a shorter path");
            ok = false;
        }
        return ok && socket != null ? new ControlConfig(socket, listen, tokenFile, tls) : null;
    }

    /**
     * TLS is required on TCP; plain HTTP only when written as {@code tls: off}, and only on loopback,
     * where the token never leaves the machine (an SSH tunnel ends there too).
     */
    private static boolean tlsFitsListener(MapReader control, InetSocketAddress listen, YamlNode tlsNode, boolean tlsOff) {
        if (listen == null) {
            if (tlsNode != null && !control.has("listen")) {
                control.problem(control.lineOf("tls"), control.where("tls") + ": there is no TCP listener to protect;"
                        + " set control.listen (e.g. listen: 0.0.0.0:7443) or remove tls");
                return false;
            }
            return true;
        }
        String address = listen.getAddress().getHostAddress() + ":" + listen.getPort();
        boolean loopback = listen.getAddress().isLoopbackAddress();
        if (tlsNode == null && loopback) {
            control.problem(control.lineOf("listen"), control.where("listen") + ": a TCP control listener needs TLS;"
                    + " add tls: " + ControlTlsSection.EXAMPLE + " (a PEM certificate chain and its PKCS#8 key), or write"
                    + " tls: off to serve plain HTTP on this loopback address");
            return false;
        }
        if (tlsNode == null || (tlsOff && !loopback)) {
            int line = tlsNode == null ? control.lineOf("listen") : control.lineOf("tls");
            String key = tlsNode == null ? "listen" : "tls";
            control.problem(line, control.where(key) + ": " + address + " can be reached from other machines, and without"
                    + " TLS the token would cross the network in clear text; add tls: " + ControlTlsSection.EXAMPLE
                    + " (a PEM certificate chain and its PKCS#8 key), or listen on 127.0.0.1 and reach it through an SSH tunnel");
            return false;
        }
        return true;
    }

    /** What is wrong with the token file, or null when it holds a secret only its owner can read. */
    private static String tokenProblem(Path file) {
        if (!Files.exists(file)) {
            return file + " does not exist; create it with a long random secret, e.g. openssl rand -hex 32 > "
                    + file + " && chmod 600 " + file;
        }
        if (!Files.isRegularFile(file)) {
            return file + " is not a file; point token_file at a file holding the token";
        }
        try {
            if (Files.readString(file, StandardCharsets.UTF_8).isBlank()) {
                return file + " is empty; put a long random secret in it, e.g. openssl rand -hex 32 > " + file;
            }
            if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
                Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
                if (mode.contains(PosixFilePermission.GROUP_READ) || mode.contains(PosixFilePermission.OTHERS_READ)) {
                    return file + " can be read by other users (" + PosixFilePermissions.toString(mode)
                            + "); make it private with chmod 600 " + file;
                }
            }
        } catch (IOException e) {
            return file + " cannot be read (" + e.getMessage() + "); let the user running cutover read it";
        }
        return null;
    }
}
