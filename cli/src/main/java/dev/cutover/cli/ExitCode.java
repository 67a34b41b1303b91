package dev.cutover.cli;

/**
 * The exit codes every cutover command keeps to, so scripts and CI can branch on them.
 */
public final class ExitCode {

    /** The command did what was asked (a deploy succeeded, a load saw no failure). */
    public static final int OK = 0;
    /** A deploy failed or was aborted (the old version still serves), or a load saw failed requests. */
    public static final int DEPLOY_FAILED = 1;
    /** Bad usage or configuration: nothing was attempted. */
    public static final int USAGE = 2;
    /** The daemon could not be reached, or over HTTPS its certificate could not be trusted: nothing was sent. */
    public static final int UNREACHABLE = 3;

    private ExitCode() {
    }
}
