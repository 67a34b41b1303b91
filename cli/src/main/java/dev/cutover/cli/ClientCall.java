package dev.cutover.cli;

import java.io.PrintWriter;

import dev.cutover.server.control.ControlException;
import dev.cutover.server.control.DaemonUnreachableException;

/**
 * The one way every client command ends: the exit codes of ARCHITECTURE.md, and an error on stderr
 * as one sentence (or, with --json, nothing but the document on stdout).
 */
final class ClientCall {

    interface Body {
        int run() throws Exception;
    }

    private ClientCall() {
    }

    static int run(PrintWriter err, Body body) {
        try {
            return body.run();
        } catch (UsageException e) {
            err.println("cutover: " + e.getMessage());
            return ExitCode.USAGE;
        } catch (DaemonUnreachableException e) {
            // A failed TLS handshake lands here too: the cause may be this command's --ca-cert, the
            // daemon's certificate (expired, renamed) or someone in between, and this side cannot tell
            // which. Either way no daemon it can trust was reached and not even the token was sent.
            err.println("cutover: " + e.getMessage());
            return ExitCode.UNREACHABLE;
        } catch (ControlException e) {
            err.println("cutover: " + e.getMessage());
            // A request the daemon could not take as given (bad input, unknown service, wrong token) is
            // a usage or config problem; anything else means the deploy did not happen.
            return switch (e.status()) {
                case 400, 401, 403, 404 -> ExitCode.USAGE;
                default -> ExitCode.DEPLOY_FAILED;
            };
        } catch (Exception e) {
            err.println("cutover: " + e.getMessage());
            return ExitCode.DEPLOY_FAILED;
        } finally {
            err.flush();
        }
    }
}
