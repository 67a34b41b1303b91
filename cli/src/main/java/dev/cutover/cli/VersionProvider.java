package dev.cutover.cli;

import picocli.CommandLine.IVersionProvider;

/**
 * {@code cutover --version}: the version written in the jar's manifest, or "dev" when running from
 * classes (an IDE, the test suite) where there is no manifest.
 */
public final class VersionProvider implements IVersionProvider {

    /** The version of this build, or "dev". */
    public static String version() {
        final String fromManifest = Cutover.class.getPackage().getImplementationVersion();
        return fromManifest == null || fromManifest.isBlank() ? "dev" : fromManifest;
    }

    @Override
    public String[] getVersion() {
        return new String[] {
                "cutover " + version(),
                "JVM: " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ", " + System.getProperty("java.vendor") + ")",
                "OS: " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
        };
    }
}
