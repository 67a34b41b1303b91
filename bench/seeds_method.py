#!/usr/bin/env python3
"""Deploys under load: the seeds' method (nginx + include + reload + fuser -k) vs cutover, one run.

For each method: start v1 of the sample app, start `./cutover loadtest` against the front door,
deploy v2..v(N+1) a few seconds apart, stop the load, and count what the clients saw: failed
requests in total and per deploy, failures by cause, the longest run of consecutive failures, p99.

  seeds    nginx (own prefix, own pid file, free port) proxying to $service_url from
           service-url.inc; every deploy is bench/seeds/deploy.sh, the second seed's script.
  cutover  `./cutover serve --config` as a child; every deploy is `./cutover deploy web ...`.

    bench/seeds_method.py                        # 5 deploys each, 32 connections
    bench/seeds_method.py --deploys 3 --only seeds

Prints a side-by-side table and writes bench/results/seeds.json. Stops only what it started (by
pid, process group, or nginx's own pid file). Every load is bounded in time.

Needs: nginx, curl, fuser (apt-get install nginx curl psmisc) and the built jar
(./mvnw -q -B -DskipTests package).
"""
import argparse
import json
import os
import pty
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
JAR = ROOT / "cli" / "target" / "cutover.jar"
CUTOVER = ROOT / "cutover"
SEEDS = HERE / "seeds"
RESULTS = HERE / "results" / "seeds.json"


def free_port():
    """A free port below the ephemeral range, so no client socket can ever share it (fuser -k safety)."""
    for _ in range(200):
        port = 20000 + int.from_bytes(os.urandom(2), "big") % 12000
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    sys.exit("no free port found between 20000 and 32000")


def wait_for(condition, what, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not happen within {timeout:.0f} s")


def listening(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def java_21_or_newer():
    """The java binary for the sample app: JAVA_HOME if >= 21, else the newest JDK in /usr/lib/jvm."""
    candidates = [os.environ.get("JAVA_HOME", "")] + sorted(str(p) for p in Path("/usr/lib/jvm").glob("*"))
    best, best_feature = None, 0
    for home in candidates:
        java = Path(home) / "bin" / "java"
        if not home or not java.is_file():
            continue
        out = subprocess.run([str(java), "-XshowSettings:properties", "-version"], capture_output=True, text=True)
        m = re.search(r"java\.specification\.version = (\d+)", out.stderr)
        if m and int(m.group(1)) >= 21:
            if home == os.environ.get("JAVA_HOME"):
                return str(java), int(m.group(1))
            if int(m.group(1)) > best_feature:
                best, best_feature = str(java), int(m.group(1))
    if not best:
        sys.exit("the sample app needs a JDK 21 or newer; none in JAVA_HOME or /usr/lib/jvm")
    return best, best_feature


def sample_app_command(java, feature):
    """The sample app's command, exactly as `cutover demo` writes it (minus --port/--version/--behavior)."""
    command = [java]
    if feature >= 22:
        command.append("--enable-native-access=ALL-UNNAMED")
    return command + ["-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", str(JAR),
                      "dev.cutover.sample.SampleApp"]


class Load:
    """`./cutover loadtest ... --json` on a pseudo-terminal, so its once-a-second progress line
    (total, ok, failed) can be read while it runs: that is how failures are attributed to deploys."""

    PROGRESS = re.compile(r"([\d.]+) s\s+([\d,]+) requests\s+ok ([\d,]+)\s+failed ([\d,]+)")

    def __init__(self, url, args, log):
        self.log = log
        command = [str(CUTOVER), "loadtest", url, "--duration", f"{args.max_load_s}s", "--concurrency",
                   str(args.concurrency), "--slow-every", str(args.slow_every), "--slow-ms", str(args.slow_ms), "--json"]
        self.command = command
        master, slave = pty.openpty()
        self.master = master
        self.proc = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave, cwd=ROOT,
                                     start_new_session=True)
        os.close(slave)
        self.output = bytearray()
        self.snapshots = []  # (monotonic time read, elapsed s, total, failed)
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        pending = ""
        while True:
            ready, _, _ = select.select([self.master], [], [], 0.5)
            if not ready:
                if self.proc.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                break
            if not chunk:
                break
            now = time.monotonic()
            with self.lock:
                self.output += chunk
            pending += chunk.decode("utf-8", "replace")
            parts = pending.split("\r")
            pending = parts[-1]
            for part in parts[:-1]:
                m = self.PROGRESS.search(part)
                if m:
                    with self.lock:
                        self.snapshots.append((now, float(m.group(1)), int(m.group(2).replace(",", "")),
                                               int(m.group(4).replace(",", ""))))

    def latest(self):
        with self.lock:
            return self.snapshots[-1] if self.snapshots else None

    def wait_running(self, timeout=60):
        wait_for(lambda: self.latest() is not None and self.latest()[2] > 0, "the load's first progress line", timeout)

    def fresh_snapshot(self, timeout=5):
        """The first progress line read after now: a failed count at most ~1 s old."""
        start = time.monotonic()
        wait_for(lambda: self.latest() is not None and self.latest()[0] > start, "a fresh progress line", timeout)
        return self.latest()

    def stop(self, timeout=40):
        """Ctrl-C: the load stops sending, lets the requests in flight finish, and prints its report."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self.reader.join(10)
        os.close(self.master)
        text = self.output.decode("utf-8", "replace").replace("\r\n", "\n")
        self.log.write_text(text)
        start, end = text.find("{"), text.rfind("}")
        if start < 0 or end < 0:
            raise RuntimeError(f"the load printed no JSON report; its output is in {self.log}")
        return json.loads(text[start:end + 1])


class Seeds:
    """nginx + service-url.inc + bench/seeds/deploy.sh, under a temp prefix of its own."""

    name = "seeds"

    def __init__(self, work, app_command):
        self.dir = work / "seeds"
        (self.dir / "logs").mkdir(parents=True)
        (self.dir / "tmp").mkdir()
        self.listen, self.blue, self.green = free_port(), free_port(), free_port()
        conf = (SEEDS / "nginx.conf.template").read_text()
        for key, value in (("@LISTEN@", self.listen), ("@BLUE@", self.blue), ("@GREEN@", self.green)):
            conf = conf.replace(key, str(value))
        (self.dir / "nginx.conf").write_text(conf)
        # Nothing deployed yet: the include points at green, so the first deploy goes to blue.
        (self.dir / "service-url.inc").write_text(f"set $service_url http://127.0.0.1:{self.green};\n")
        self.env = dict(os.environ, SEEDS_DIR=str(self.dir), BLUE_PORT=str(self.blue), GREEN_PORT=str(self.green),
                        APP_COMMAND=" ".join(app_command))
        self.url = f"http://127.0.0.1:{self.listen}/"
        self.nginx_started = False

    def start(self):
        subprocess.run(self._nginx(), check=True)
        self.nginx_started = True
        wait_for(lambda: listening(self.listen), "nginx listening", 15)

    def _nginx(self, *extra):
        return ["nginx", "-p", f"{self.dir}/", "-c", str(self.dir / "nginx.conf"), *extra]

    def deploy(self, version, log):
        done = subprocess.run([str(SEEDS / "deploy.sh"), version], env=self.env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=60, start_new_session=True)
        with open(log, "a") as out:
            out.write(f"== deploy {version}\n{done.stdout}")
        switched = re.search(r"switched nginx to \d+ at ([\d.]+)", done.stdout)
        killed = re.search(r"killed the old version .* at ([\d.]+)", done.stdout)
        if switched and killed:
            # How long the old version lived after the reload: requests it held longer than this died.
            self.kill_after_reload_ms = round(1000 * (float(killed.group(1)) - float(switched.group(1))))
        return done.returncode

    def stop(self):
        if self.nginx_started:
            subprocess.run(self._nginx("-s", "quit"), check=False)
            pid_file = self.dir / "nginx.pid"
            try:
                wait_for(lambda: not pid_file.exists(), "nginx quitting", 15)
            except RuntimeError:
                pass
        for port in (self.blue, self.green):
            stop_pid_file(self.dir / f"app-{port}.pid", f"--port {port}")


class Cutover:
    """`./cutover serve` with a process-runtime service 'web' running the same sample app."""

    name = "cutover"

    def __init__(self, work, app_command):
        self.dir = work / "cutover"
        self.dir.mkdir(parents=True)
        self.listen, self.blue, self.green = free_port(), free_port(), free_port()
        command = app_command + ["--port", "${PORT}", "--version", "${VERSION}", "--behavior", "${ARTIFACT}"]
        yaml = f"""# Written by bench/seeds_method.py
proxy:
  listen: 127.0.0.1:{self.listen}
state_dir: {quote(str(self.dir / "state"))}
services:
  web:
    runtime: process
    command: [{", ".join(quote(c) for c in command)}]
    ports: {{ blue: {self.blue}, green: {self.green} }}
    health: {{ path: /health, interval: 200ms, timeout: 1s, deadline: 20s, healthy_threshold: 2 }}
    drain_timeout: 30s
    stop_timeout: 5s
"""
        self.config = self.dir / "cutover.yml"
        self.config.write_text(yaml)
        self.artifact = self.dir / "release.properties"
        self.artifact.write_text("# the sample app's default behavior: healthy, no errors\n")
        self.url = f"http://127.0.0.1:{self.listen}/"
        self.serve = None

    def start(self):
        self.serve_log = open(self.dir / "serve.log", "w")
        self.serve = subprocess.Popen([str(CUTOVER), "serve", "--config", str(self.config)], cwd=ROOT,
                                      stdout=self.serve_log, stderr=subprocess.STDOUT, start_new_session=True)

        def answers():
            if self.serve.poll() is not None:
                raise RuntimeError(f"cutover serve exited with {self.serve.returncode}; see {self.dir / 'serve.log'}")
            return subprocess.run([str(CUTOVER), "status", "--config", str(self.config)], cwd=ROOT,
                                  capture_output=True).returncode == 0
        wait_for(answers, "cutover serve answering", 90)

    def deploy(self, version, log):
        with open(log, "a") as out:
            out.write(f"== deploy {version}\n")
            out.flush()
            return subprocess.run([str(CUTOVER), "deploy", "web", "--version", version, "--artifact", str(self.artifact),
                                   "--config", str(self.config)], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                  timeout=120).returncode

    def stop(self):
        if self.serve is not None and self.serve.poll() is None:
            os.killpg(self.serve.pid, signal.SIGTERM)
            try:
                self.serve.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.serve.pid, signal.SIGKILL)
                self.serve.wait(10)
        # The daemon leaves its apps running on purpose; stop the ones on this run's own ports.
        for port in (self.blue, self.green):
            for pid in port_holders(port):
                if f"--port {port}" in cmdline(pid) and "dev.cutover.sample.SampleApp" in cmdline(pid):
                    terminate(pid)


def quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def cmdline(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def port_holders(port):
    out = subprocess.run(["fuser", f"{port}/tcp"], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def terminate(pid):
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists() and "State:\tZ" not in proc_status(pid):
        time.sleep(0.1)
    if Path(f"/proc/{pid}").exists() and "State:\tZ" not in proc_status(pid):
        os.kill(pid, signal.SIGKILL)


def proc_status(pid):
    try:
        return Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return ""


def stop_pid_file(pid_file, must_contain):
    """Stops the app a pid file names, if that pid is still the app this run started."""
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return
    if must_contain in cmdline(pid) and "dev.cutover.sample.SampleApp" in cmdline(pid):
        terminate(pid)


def run_method(method, args, work):
    log = work / f"{method.name}-deploys.log"
    result = {"method": method.name, "url": method.url, "deploys": []}
    method.start()
    try:
        code = method.deploy("v1", log)
        if code != 0:
            raise RuntimeError(f"{method.name}: deploying v1 failed (exit {code}); see {log}")
        load = Load(method.url, args, work / f"{method.name}-load.out")
        try:
            load.wait_running()
            time.sleep(args.spacing_s)
            before = load.fresh_snapshot()
            result["failedBeforeFirstDeploy"] = before[3]
            boundaries = [before]
            for i in range(args.deploys):
                version = f"v{i + 2}"
                started = time.monotonic()
                code = method.deploy(version, log)
                took = time.monotonic() - started
                print(f"  {method.name}: deploy {version} exit {code} in {took:.1f} s", flush=True)
                time.sleep(args.spacing_s)
                boundaries.append(load.fresh_snapshot())
                deploy = {"version": version, "exitCode": code, "seconds": round(took, 2)}
                if getattr(method, "kill_after_reload_ms", None) is not None:
                    deploy["killAfterReloadMs"] = method.kill_after_reload_ms
                    method.kill_after_reload_ms = None
                result["deploys"].append(deploy)
        finally:
            report = load.stop()
        # Failures between two boundaries belong to the deploy in between. The last boundary is
        # replaced by the report's exact total (requests still in flight at the stop are counted).
        counts = [b[3] for b in boundaries[:-1]] + [report["failed"]]
        for i, deploy in enumerate(result["deploys"]):
            deploy["failed"] = counts[i + 1] - counts[i]
        result["report"] = report
    finally:
        method.stop()
    return result


def table(results):
    rows = [("", *[r["method"] for r in results])]
    n = max(len(r["deploys"]) for r in results)
    rows.append(("requests", *[f'{r["report"]["total"]:,}' for r in results]))
    rows.append(("failed, total", *[str(r["report"]["failed"]) for r in results]))
    for i in range(n):
        rows.append((f"failed in deploy {i + 1} ({results[0]['deploys'][i]['version']})",
                     *[str(r["deploys"][i]["failed"]) if i < len(r["deploys"]) else "-" for r in results]))
    rows.append(("failures by cause", *[", ".join(f"{k} {v}" for k, v in r["report"]["failuresByCause"].items()) or "none"
                                        for r in results]))
    rows.append(("longest failure window", *[
        f'{r["report"]["longestFailureWindow"]["requests"]} requests, {r["report"]["longestFailureWindow"]["spanMs"]:.0f} ms'
        for r in results]))
    rows.append(("p50 / p99 ms", *[f'{r["report"]["latency"]["p50Ms"]:.1f} / {r["report"]["latency"]["p99Ms"]:.1f}'
                                   for r in results]))
    rows.append(("deploy time s (each)", *[", ".join(f'{d["seconds"]:.1f}' for d in r["deploys"]) for r in results]))
    rows.append(("old app SIGKILLed after reload, ms", *[", ".join(str(d["killAfterReloadMs"]) for d in r["deploys"]
                                                                 if "killAfterReloadMs" in d) or "-" for r in results]))
    rows.append(("versions served", *[", ".join(f"{k} {v}" for k, v in r["report"]["versions"].items()) for r in results]))
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(widths[c]) for c, cell in enumerate(row)).rstrip() for row in rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deploys", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--slow-every", type=int, default=20)
    parser.add_argument("--slow-ms", type=int, default=1000)
    parser.add_argument("--spacing-s", type=float, default=4.0, help="pause before the first deploy and after each")
    parser.add_argument("--max-load-s", type=int, default=600, help="upper bound of each load (it is stopped earlier)")
    parser.add_argument("--only", choices=["seeds", "cutover"])
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (configs, logs, load output)")
    args = parser.parse_args()

    for tool in ("nginx", "curl", "fuser"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: apt-get install -y nginx curl psmisc")
    if not JAR.is_file():
        sys.exit(f"{JAR} is missing: build it with ./mvnw -q -B -DskipTests package")
    java, feature = java_21_or_newer()
    app = sample_app_command(java, feature)
    work = Path(tempfile.mkdtemp(prefix="cutover-seeds-"))
    print(f"work folder {work}; {args.deploys} deploys each, {args.concurrency} connections, "
          f"1 in {args.slow_every} requests takes {args.slow_ms} ms", flush=True)

    results = []
    methods = [Seeds, Cutover] if not args.only else [Seeds if args.only == "seeds" else Cutover]
    started = time.time()
    load_avg = []
    for cls in methods:
        method = cls(work, app)
        print(f"{method.name}: front door {method.url}", flush=True)
        load_avg.append(os.getloadavg())
        results.append(run_method(method, args, work))
    load_avg.append(os.getloadavg())

    print()
    print(table(results))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "date": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)),
        "settings": {"deploys": args.deploys, "concurrency": args.concurrency, "slowEvery": args.slow_every,
                     "slowMs": args.slow_ms, "spacingSeconds": args.spacing_s},
        "loadAverageAtEachStart": load_avg,
        "results": results}, indent=2))
    print(f"\nwrote {args.out}" + (f"; logs in {work}" if args.keep else ""))
    cut = [r for r in results if r["method"] == "cutover"]
    if not args.keep and not (cut and cut[0]["report"]["failed"]):
        shutil.rmtree(work, ignore_errors=True)
    elif cut and cut[0]["report"]["failed"]:
        print(f"cutover lost {cut[0]['report']['failed']} requests: that is a bug; everything is kept in {work}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
