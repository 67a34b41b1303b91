package dev.cutover.sample;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The sample app as a cutover service's {@code command}: started by this JVM's java from this JVM's
 * classpath (the cutover jar, or a test classpath), the way a user starts a jar. The behavior file
 * is the release's artifact, so a deploy can make a version broken on purpose.
 */
public final class SampleCommand {

    private SampleCommand() {
    }

    /** argv with cutover's placeholders: {@code ${PORT}}, {@code ${VERSION}}, {@code ${ARTIFACT}}. */
    public static List<String> withPlaceholders() {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (Runtime.version().feature() >= 22) {
            command.add("--enable-native-access=ALL-UNNAMED"); // Netty's epoll library, without a warning
        }
        // A small backend: a small heap and a quick start matter more than peak speed.
        command.addAll(List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), SampleApp.class.getName(),
                "--port", "${PORT}", "--version", "${VERSION}", "--behavior", "${ARTIFACT}"));
        return command;
    }
}
