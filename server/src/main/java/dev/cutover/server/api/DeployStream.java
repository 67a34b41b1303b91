package dev.cutover.server.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.cutover.engine.DeployEvent;
import dev.cutover.engine.DeployRefusedException;
import dev.cutover.engine.DeployResult;
import dev.cutover.server.control.ControlResponse;

/**
 * A deploy or rollback as an NDJSON stream: one {@code {"event": ...}} line per step as it happens,
 * then one {@code {"result": ...}} line. A refusal (unknown service, another deploy running) comes
 * before any event, as a plain 404/409 error. A client that goes away does not stop the deploy.
 */
final class DeployStream {

    private static final Logger log = LoggerFactory.getLogger(DeployStream.class);

    private final ControlResponse response;
    private boolean started;

    DeployStream(ControlResponse response) {
        this.response = response;
    }

    interface Action {
        DeployResult run(Consumer<DeployEvent> listener) throws DeployRefusedException;
    }

    void run(Action action) throws Exception {
        DeployResult result;
        try {
            result = action.run(this::event);
        } catch (DeployRefusedException e) {
            if (!started) {
                response.error(switch (e.reason()) {
                    case UNKNOWN_SERVICE -> 404;
                    case INVALID -> 400;
                    case BUSY -> 409;
                }, e.getMessage());
                return;
            }
            throw e;
        }
        begin();
        write(Map.of("result", result));
        response.end();
    }

    private synchronized void event(DeployEvent event) {
        try {
            begin();
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("event", event);
            write(line);
        } catch (Exception e) {
            log.debug("deploy client gone: {}", e.toString());
        }
    }

    private synchronized void begin() throws Exception {
        if (!started) {
            started = true;
            response.stream(200);
        }
    }

    private void write(Object line) throws Exception {
        if (!response.clientGone()) {
            response.line(line);
        }
    }
}
