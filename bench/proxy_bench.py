#!/usr/bin/env python3
"""Proxy throughput and latency: cutover side by side with nginx and HAProxy, in one run.

Starts a fast origin (nginx, answers from memory), nginx and HAProxy as reverse proxies with the
anchor configs in bench/anchors/ (upstream keep-alive, logs off), and cutover's proxy; warms each
up; then measures them in alternating rounds with wrk so drift on a shared machine hits all alike.
Reports medians, ratios to nginx, and cutover's memory. Stops only the processes it started.

    bench/proxy_bench.py                       # one I/O thread each, then "auto" for all
    bench/proxy_bench.py --modes one --rounds 5

Needs: nginx, haproxy, wrk (apt-get install nginx haproxy wrk), and a built cutover (./cutover).
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = Path("/tmp/cutover-bench")
ORIGIN, NGINX, HAPROXY, CUTOVER = 18090, 18091, 18092, 18093


def wait_for_port(port, what, timeout=30.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"{what} did not start listening on 127.0.0.1:{port} within {timeout:.0f} s; see {WORK}")


def port_free(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


class Processes:
    """The processes this run started, stopped by pid (never by name)."""

    def __init__(self):
        self.started = []  # (name, stop callable)

    def nginx(self, conf, port, name):
        subprocess.run(["nginx", "-c", str(conf)], check=True)
        pid_file = WORK / (conf.stem.replace("nginx-", "") + ".pid")
        self.started.append((name, lambda: self._kill_pid_file(pid_file, signal.SIGQUIT)))  # nginx: graceful stop
        wait_for_port(port, name)

    def haproxy(self, conf):
        pid_file = WORK / "haproxy.pid"
        subprocess.run(["haproxy", "-D", "-f", str(conf), "-p", str(pid_file)], check=True)
        self.started.append(("haproxy", lambda: self._kill_pid_file(pid_file, signal.SIGTERM)))  # haproxy: stop
        wait_for_port(HAPROXY, "haproxy")

    def cutover(self, command, log):
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.started.append(("cutover", lambda: self._stop_group(proc)))
        wait_for_port(CUTOVER, "cutover", timeout=120)
        return proc

    @staticmethod
    def _kill_pid_file(pid_file, sig):
        try:
            os.kill(int(pid_file.read_text().strip()), sig)
        except (OSError, ValueError):
            pass

    @staticmethod
    def _stop_group(proc):
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)

    def stop_all(self):
        for _, stop in reversed(self.started):
            stop()
        self.started.clear()


def cpu_seconds(pids):
    """User + system CPU time so far of these processes (all their threads)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / tick


def with_children(pid):
    """A master process and its workers (nginx), or a single process (HAProxy, the JVM)."""
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [pid] + [int(c) for c in children]


def wrk(port, path, seconds, connections, pids=()):
    before = cpu_seconds(pids)
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
                          f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True).stdout
    cpu = cpu_seconds(pids) - before
    requests = int(re.search(r"(\d+) requests in", out).group(1))

    def latency(label):
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out)
    return {"rps": rps, "p50": latency("50"), "p99": latency("99"), "errors": errors.group(0) if errors else None,
            # CPU per request is steadier than req/s on a shared machine: it does not care who else runs.
            "cpu_us": round(1e6 * cpu / requests, 2) if requests else None}


def java_pid_in_group(pgid):
    out = subprocess.run(["pgrep", "-g", str(pgid)], capture_output=True, text=True).stdout.split()
    for pid in out:
        try:
            if "java" in Path(f"/proc/{pid}/cmdline").read_text():
                return int(pid)
        except OSError:
            pass
    return pgid


def heap_used_mb(jcmd, pid):
    out = subprocess.run([jcmd, str(pid), "GC.heap_info"], capture_output=True, text=True).stdout
    m = re.search(r"used (\d+)K", out)
    return round(int(m.group(1)) / 1024, 1) if m else None


def prepare_configs(mode):
    """Anchor configs as given for "one"; for "auto", every proxy uses all cores."""
    WORK.mkdir(exist_ok=True)
    (WORK / "www").mkdir(exist_ok=True)
    (WORK / "www" / "100k").write_bytes(bytes((i * 31 + 7) & 0xFF for i in range(100 * 1024)))
    origin = (HERE / "anchors" / "nginx-backend.conf").read_text()
    proxy = (HERE / "anchors" / "nginx-proxy.conf").read_text()
    haproxy = (HERE / "anchors" / "haproxy.cfg").read_text()
    if mode == "auto":
        proxy = proxy.replace("worker_processes 1;", "worker_processes auto;")
        haproxy = re.sub(r"^\s*nbthread 1\n", "", haproxy, flags=re.M)
    (WORK / "nginx-backend.conf").write_text(origin)
    (WORK / "nginx-proxy.conf").write_text(proxy)
    (WORK / "haproxy.cfg").write_text(haproxy)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modes", default="one,auto", help="one (one I/O thread each) and/or auto (all cores)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--warmup", type=int, default=60, help="seconds of load on cutover before measuring (the JIT compiles for about a minute)")
    parser.add_argument("--cutover", default=str(ROOT / "cutover") + " proxy --listen 127.0.0.1:18093 --to 127.0.0.1:18090 --io-threads {threads}",
                        help="command that runs cutover's proxy on 18093 in front of 18090; {threads} is 1 or 0 (auto)")
    parser.add_argument("--paths", default="/,/100k", help="paths to measure: / answers 'ok', /100k a 100 KB body")
    parser.add_argument("--out", default=str(HERE / "results" / "proxy.json"))
    args = parser.parse_args()

    for tool in ("nginx", "haproxy", "wrk"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed: apt-get install nginx haproxy wrk")
    for port in (ORIGIN, NGINX, HAPROXY, CUTOVER):
        if not port_free(port):
            sys.exit(f"port {port} is already in use: stop what listens there (ss -ltnp 'sport = :{port}') and run again")
    jcmd = shutil.which("jcmd") or next(Path("/usr/lib/jvm").glob("*25*/bin/jcmd"), None)

    results = {"machine": machine(), "runs": {}}
    processes = Processes()
    try:
        for mode in args.modes.split(","):
            prepare_configs(mode)
            processes.nginx(WORK / "nginx-backend.conf", ORIGIN, "origin")
            processes.nginx(WORK / "nginx-proxy.conf", NGINX, "nginx")
            processes.haproxy(WORK / "haproxy.cfg")
            command = args.cutover.format(threads=1 if mode == "one" else 0).split()
            with open(WORK / f"cutover-{mode}.log", "w") as log:
                proc = processes.cutover(command, log)
                java = java_pid_in_group(proc.pid)
                targets = {"origin": ORIGIN, "nginx": NGINX, "haproxy": HAPROXY, "cutover": CUTOVER}
                pids = {"origin": with_children(int((WORK / "backend.pid").read_text())),
                        "nginx": with_children(int((WORK / "proxy.pid").read_text())),
                        "haproxy": with_children(int((WORK / "haproxy.pid").read_text().split()[0])),
                        "cutover": [java]}
                for name, port in targets.items():
                    wrk(port, "/", args.warmup if name == "cutover" else 3, args.connections)
                for path in args.paths.split(","):
                    samples = {name: [] for name in targets}
                    for r in range(args.rounds):
                        order = list(targets.items())
                        order = order[r % len(order):] + order[:r % len(order)]
                        for name, port in order:
                            samples[name].append(wrk(port, path, args.seconds, args.connections, pids[name]))
                    results["runs"][f"{mode} {path}"] = summarize(samples)
                results["runs"][f"{mode} memory"] = {
                    "rss_mb": round(int(Path(f"/proc/{java}/status").read_text().split("VmRSS:")[1].split()[0]) / 1024, 1),
                    "heap_used_mb": heap_used_mb(str(jcmd), java) if jcmd else None,
                }
            processes.stop_all()
            time.sleep(1)
    finally:
        processes.stop_all()

    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2))
    print(report(results, args))


def summarize(samples):
    out = {}
    for name, runs in samples.items():
        out[name] = {k: round(statistics.median(r[k] for r in runs), 3) for k in ("rps", "p50", "p99", "cpu_us")}
        out[name]["all_p99"] = [r["p99"] for r in runs]
        out[name]["all_rps"] = [round(r["rps"]) for r in runs]
        out[name]["errors"] = [r["errors"] for r in runs if r["errors"]]
    return out


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), "unknown")
    versions = {
        "nginx": subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip(),
        "haproxy": subprocess.run(["haproxy", "-v"], capture_output=True, text=True).stdout.splitlines()[0],
        "wrk": subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()[0],
    }
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": os.uname().release, **versions}


def report(results, args):
    lines = [f"machine: {results['machine']['cores']} cores, {results['machine']['cpu']}",
             f"wrk -t1 -c{args.connections} -d{args.seconds}s, median of {args.rounds} alternating rounds", ""]
    for run, data in results["runs"].items():
        if run.endswith("memory"):
            lines.append(f"{run}: cutover RSS {data['rss_mb']} MB, heap used {data['heap_used_mb']} MB")
            continue
        lines.append(f"{run}")
        lines.append(f"  {'':8} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'CPU us/req':>11} "
                     f"{'req/s vs nginx':>15} {'p99 vs nginx':>13} {'CPU vs nginx':>13}")
        ref = data["nginx"]
        for name, d in data.items():
            lines.append(f"  {name:8} {d['rps']:>10.0f} {d['p50']:>8.2f} {d['p99']:>8.2f} {d['cpu_us']:>11.1f} "
                         f"{d['rps'] / ref['rps']:>14.2f}x {d['p99'] / ref['p99']:>12.2f}x {d['cpu_us'] / ref['cpu_us']:>12.2f}x"
                         + (f"   errors: {d['errors']}" if d["errors"] else ""))
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
