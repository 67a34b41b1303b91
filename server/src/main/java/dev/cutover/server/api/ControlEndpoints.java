package dev.cutover.server.api;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cutover.engine.DeployKind;
import dev.cutover.engine.DeployRequest;
import dev.cutover.engine.Engine;
import dev.cutover.server.DaemonInfo;
import dev.cutover.server.control.ControlRequest;
import dev.cutover.server.control.ControlResponse;
import dev.cutover.server.control.ControlRoutes;

/**
 * The control API, one route a line. Everything the CLI does goes through here, so a script can do
 * it too: {@code curl --unix-socket state/control.sock http://cutover/v1/status}.
 *
 * <pre>
 * GET  /v1/status                          the daemon and every service
 * GET  /v1/services/{service}              one service
 * GET  /v1/services/{service}/history      its deployments, newest first (?limit=20)
 * GET  /v1/deployments/{id}                one deployment with its timeline
 * POST /v1/services/{service}/deploy       {"version": "v2", "artifact": "/abs/app.jar"}: NDJSON events, then the result
 * POST /v1/services/{service}/rollback     {"to": "v1"} (optional): the same stream
 * </pre>
 */
public final class ControlEndpoints {

    private ControlEndpoints() {
    }

    public static ControlRoutes routes(Engine engine, Supplier<DaemonInfo> daemon) {
        return ControlRoutes.builder()
                .get("/v1/status", (req, res) -> res.json(200, statusOf(engine, daemon)))
                .get("/v1/services/{service}", (req, res) -> {
                    if (known(engine, req, res)) {
                        res.json(200, engine.status(req.params().get("service")));
                    }
                })
                .get("/v1/services/{service}/history", (req, res) -> {
                    if (known(engine, req, res)) {
                        String limit = req.query().getOrDefault("limit", "20");
                        if (!limit.matches("\\d{1,6}")) {
                            res.error(400, "limit must be a whole number of deployments, like 20; got " + limit);
                            return;
                        }
                        res.json(200, Map.of("deployments", engine.history(req.params().get("service"), Integer.parseInt(limit))));
                    }
                })
                .get("/v1/deployments/{id}", (req, res) -> deployment(engine, req, res))
                .post("/v1/services/{service}/deploy", (req, res) -> {
                    JsonNode body = req.body();
                    String version = text(body, "version");
                    if (version == null || version.isBlank()) {
                        res.error(400, "a deploy needs a version: {\"version\": \"v2\"}");
                        return;
                    }
                    String artifact = text(body, "artifact");
                    if (artifact != null && !Path.of(artifact).isAbsolute()) {
                        res.error(400, "artifact must be an absolute path (the daemon's working folder is not yours): " + artifact);
                        return;
                    }
                    DeployRequest request = new DeployRequest(req.params().get("service"), version,
                            artifact == null ? null : Path.of(artifact), text(body, "image"), DeployKind.DEPLOY);
                    new DeployStream(res).run(listener -> engine.deploy(request, listener));
                })
                .post("/v1/services/{service}/rollback", (req, res) -> new DeployStream(res)
                        .run(listener -> engine.rollback(req.params().get("service"), text(req.body(), "to"), listener)))
                .build();
    }

    private static Map<String, Object> statusOf(Engine engine, Supplier<DaemonInfo> daemon) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("daemon", daemon.get());
        status.put("services", engine.status());
        return status;
    }

    private static void deployment(Engine engine, ControlRequest req, ControlResponse res) throws Exception {
        long id;
        try {
            id = Long.parseLong(req.params().get("id"));
        } catch (NumberFormatException e) {
            res.error(400, "a deployment id is a number, got " + req.params().get("id"));
            return;
        }
        var found = engine.deployment(id);
        if (found.isEmpty()) {
            res.error(404, "no deployment #" + id);
            return;
        }
        res.json(200, Map.of("deployment", found.get(), "events", engine.events(id)));
    }

    private static boolean known(Engine engine, ControlRequest req, ControlResponse res) throws Exception {
        String service = req.params().get("service");
        if (!engine.services().containsKey(service)) {
            res.error(404, "no service named '" + service + "' in the daemon's config; known services: "
                    + String.join(", ", engine.services().keySet()));
            return false;
        }
        return true;
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body == null ? null : body.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
