package dev.cutover.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One in-process run of {@code cutover args...} against a real daemon: its exit code and what it wrote. */
record CliRun(int exitCode, String out, String err) {

    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cutover.run(new PrintWriter(out), new PrintWriter(err), args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** For assertion messages: everything the run said. */
    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
    }
}
