package dev.cutover.server.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.BindException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlSocketFileTest {

    private static final ControlRoutes STATUS = ControlRoutes.builder()
            .get("/v1/status", (req, res) -> res.json(200, Map.of("ok", true)))
            .build();

    @TempDir
    Path dir;

    @Test
    void aClientAgainstAMissingSocketSaysSoAndHowToFixIt() {
        Path socket = dir.resolve("control.sock");

        assertThatThrownBy(() -> ControlClient.unix(socket).call("GET", "/v1/status", null))
                .isInstanceOf(DaemonUnreachableException.class)
                .hasMessage("cannot reach the cutover daemon at " + socket + ": no such socket (is `cutover serve --config ...` running?)");
    }

    @Test
    void aClientAgainstAStaleSocketSaysConnectionRefused() throws Exception {
        Path socket = staleSocket(dir.resolve("control.sock"));

        assertThatThrownBy(() -> ControlClient.unix(socket).call("GET", "/v1/status", null))
                .isInstanceOf(DaemonUnreachableException.class)
                .hasMessageStartingWith("cannot reach the cutover daemon at " + socket + ": connection refused");
    }

    @Test
    void aStaleSocketFileIsReplaced() throws Exception {
        Path socket = staleSocket(dir.resolve("control.sock"));

        try (ControlServer server = ControlServer.builder(STATUS).unixSocket(socket).start()) {
            assertThat(ControlClient.unix(server.socket()).call("GET", "/v1/status", null).get("ok").asBoolean()).isTrue();
        }
    }

    @Test
    void aSecondServerOnALiveSocketIsRefusedAndTheFirstKeepsServing() throws Exception {
        Path socket = dir.resolve("control.sock");
        try (ControlServer first = ControlServer.builder(STATUS).unixSocket(socket).start()) {

            assertThatThrownBy(() -> ControlServer.builder(STATUS).unixSocket(socket).start())
                    .isInstanceOf(BindException.class)
                    .hasMessageStartingWith("another cutover daemon is listening on " + socket);

            assertThat(Files.exists(socket)).isTrue();
            assertThat(ControlClient.unix(first.socket()).call("GET", "/v1/status", null).get("ok").asBoolean()).isTrue();
        }
    }

    @Test
    void aFileThatIsNotASocketIsLeftAloneAndRefused() throws Exception {
        Path notASocket = Files.writeString(dir.resolve("control.sock"), "precious");

        assertThatThrownBy(() -> ControlServer.builder(STATUS).unixSocket(notASocket).start())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("exists and is not a socket");
        assertThat(Files.readString(notASocket)).isEqualTo("precious");
    }

    @Test
    void aSocketPathTooLongForUnixSocketsIsRefusedWithItsLength() {
        Path deep = dir.resolve("d".repeat(120)).resolve("control.sock");

        assertThatThrownBy(() -> ControlServer.builder(STATUS).unixSocket(deep).start())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Unix sockets allow at most 107");
    }

    @Test
    void closingRemovesTheSocketFileAndClientsThenHearNoSuchSocket() throws Exception {
        Path socket = dir.resolve("run/control.sock");
        ControlServer server = ControlServer.builder(STATUS).unixSocket(socket).start();
        assertThat(Files.exists(socket)).isTrue();

        server.close();

        assertThat(Files.exists(socket)).isFalse();
        assertThatThrownBy(() -> ControlClient.unix(socket).call("GET", "/v1/status", null))
                .isInstanceOf(DaemonUnreachableException.class)
                .hasMessageContaining("no such socket");
    }

    /** A socket file nobody listens on, as a daemon killed with SIGKILL leaves behind. */
    private static Path staleSocket(Path path) throws IOException {
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(path));
        }
        assertThat(Files.exists(path)).as("the JDK leaves the socket file behind on close").isTrue();
        return path;
    }
}
