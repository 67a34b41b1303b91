package dev.cutover.server.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.cutover.engine.traffic.NginxSettings;

/** The {@code nginx:} section, read with {@code traffic: nginx}: which nginx cutover drives, and how. */
final class NginxSection {

    private NginxSection() {
    }

    /** The settings; null when the section is missing or upstream_dir is missing or wrong. */
    static NginxSettings read(MapReader root, Path base) {
        if (!root.require("nginx", "with traffic: nginx, say where cutover writes its upstream files, e.g."
                + " nginx: { upstream_dir: /etc/nginx/conf.d }")) {
            return null;
        }
        MapReader n = root.map("nginx", "{ upstream_dir: /etc/nginx/conf.d }");
        if (n == null) {
            return null;
        }
        Path upstreamDir = null;
        if (n.require("upstream_dir", "the folder cutover writes cutover-NAME.upstream into, e.g. upstream_dir:"
                + " /etc/nginx/conf.d")) {
            upstreamDir = path(n, "upstream_dir", base);
            if (upstreamDir != null && !Files.isDirectory(upstreamDir)) {
                n.problem(n.lineOf("upstream_dir"), n.where("upstream_dir") + ": " + upstreamDir + " is not a folder;"
                        + " create it, or name the folder your nginx.conf includes cutover's upstream files from");
                upstreamDir = null;
            } else if (upstreamDir != null && !Files.isWritable(upstreamDir)) {
                n.problem(n.lineOf("upstream_dir"), n.where("upstream_dir") + ": " + upstreamDir + " cannot be"
                        + " written by the user cutover runs as (" + System.getProperty("user.name") + "); give it"
                        + " write access to that folder");
                upstreamDir = null;
            }
        }
        NginxSettings defaults = NginxSettings.defaults(upstreamDir == null ? base : upstreamDir);
        String binary = n.text("binary");
        Path prefix = path(n, "prefix", base);
        Path config = path(n, "config", base);
        Path pidFile = path(n, "pid_file", base);
        List<String> reload = n.texts("reload_command", "[systemctl, reload, nginx]");
        if (reload != null && reload.isEmpty()) {
            n.problem(n.lineOf("reload_command"), n.where("reload_command") + " is empty; write the command that"
                    + " reloads nginx, e.g. [systemctl, reload, nginx], or leave it out for nginx -s reload");
        }
        Duration reloadTimeout = n.duration("reload_timeout");
        Path accessLog = path(n, "access_log", base);
        Integer keepalive = n.integer("keepalive", 0, 100_000);
        n.finish();
        if (upstreamDir == null) {
            return null;
        }
        return new NginxSettings(binary != null ? binary : defaults.binary(), prefix, config,
                pidFile != null ? pidFile : defaults.pidFile(), reload, upstreamDir,
                reloadTimeout != null ? reloadTimeout : defaults.reloadTimeout(), accessLog,
                keepalive != null ? keepalive : defaults.keepalive());
    }

    private static Path path(MapReader n, String key, Path base) {
        String text = n.text(key);
        return text == null ? null : base.resolve(text).normalize();
    }
}
