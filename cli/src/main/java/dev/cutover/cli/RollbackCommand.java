package dev.cutover.cli;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = {"Deploys an earlier release again, from its retained artifact, through the same health-gated flow.",
                "Without --to: the newest successful release other than the one serving now."})
final class RollbackCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DaemonAddress daemon;

    @Parameters(index = "0", paramLabel = "SERVICE")
    String service;

    @Option(names = "--to", paramLabel = "VERSION", description = "the version to go back to")
    String to;

    @Option(names = "--json", description = "print one JSON document and nothing else")
    boolean json;

    @Override
    public Integer call() {
        return ClientCall.run(spec.commandLine().getErr(), () -> {
            Map<String, Object> body = new HashMap<>();
            if (to != null) {
                body.put("to", to);
            }
            DeployProgress progress = new DeployProgress(spec.commandLine().getOut(), json);
            daemon.client().stream("POST", "/v1/services/" + service + "/rollback", body, progress::accept);
            return progress.finish();
        });
    }
}
