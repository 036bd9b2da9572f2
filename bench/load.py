#!/usr/bin/env python3
"""The service under load: wrk on /health and / at 1, 8 and 32 connections, against gunicorn as the
image runs it (with the local inventory's task environment) and against the Flask development
server in the same image (what a naive image runs).

Usage: .venv/bin/python bench/load.py [--json PATH] [--rounds N] [--seconds S] [--no-variants]
   (after `make stack` and `make wheelhouse`; installs wrk with apt-get if it is missing)

Both servers run side by side, published on loopback ports as the local run publishes the service
(through docker-proxy), and are measured in turns, round after round; each figure is the median of
the rounds. Each run also records, in % of one CPU: the container (its cgroup), docker-proxy, dockerd
with the container's shim (they carry its logs), wrk, and the rest of the machine ("other"); the CPU
per request of the container ("app ms/req") and of that whole path ("path ms/req"); and, for gunicorn,
how the open connections were spread over the workers halfway through the run. The machine may be
shared: before each run the script waits briefly for it to be quiet. When "other" is high, the
figures understate what free CPUs give, gunicorn's more than the dev server's (one process).

Variants (32 connections, /health, each measured in turns with the image's gunicorn) show what the
throughput depends on: how connections reach the workers, the number of workers, the access log,
the worker class.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import docker
import requests
import yaml

from common import emit
from common import retry_docker
from image import build
from image import copy_context

REPO = Path(__file__).resolve().parents[1]
INVENTORY_VARS = REPO / "inventories" / "local" / "group_vars" / "all" / "fargate.yml"
TAG = "bench-load:bench"
CONTAINER_PORT = 8000  # the image's PORT, the fargate role's fargate_container_port
GUNICORN_PORT, DEV_PORT, VARIANT_PORT = 18095, 18096, 18097
CONNECTIONS = (1, 8, 32)
PATHS = ("/health", "/")
DEV_COMMAND = ["python3", "-m", "flask", "--app", "webapp:create_app()", "run", "--host", "0.0.0.0", "--port", str(CONTAINER_PORT)]
GUNICORN_APP = "webapp:create_app()"
TARGET_RATIO = 5
TARGET_P99_MS = 50
# Each variant changes one thing: the task environment, or the image's gunicorn config (a file importing it, mounted).
VARIANTS = [
    ("reuse_port = True (a listener per worker)", {}, {"reuse_port": True}),
    ("GUNICORN_WORKERS=4", {"GUNICORN_WORKERS": "4"}, {}),
    ("access log off", {}, {"accesslog": None}),
    ("worker_class sync (no keep-alive)", {}, {"worker_class": "sync", "threads": 1}),
]
# Before a run, wait at most QUIET_WAIT_S for half a second in which the machine used less than QUIET_CPU (% of one CPU).
QUIET_CPU = 25
QUIET_WAIT_S = 2
_UNITS_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env, capture_output=True, check=False).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, check=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env, capture_output=True, check=True)
    return shutil.which("wrk") or "/usr/bin/wrk"


def task_environment() -> dict[str, str]:
    """fargate_environment of the local inventory, as the fargate role puts it in the task definition (strings)."""
    values = yaml.safe_load(INVENTORY_VARS.read_text()).get("fargate_environment") or {}
    return {str(name): str(value) for name, value in values.items()}


# ---------------------------------------------------------------------------------------
# CPU accounting (seconds of CPU time)


def _machine_busy() -> float:
    fields = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _process(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _cgroup(container_id: str) -> float | None:
    v1 = Path(f"/sys/fs/cgroup/cpuacct/docker/{container_id}/cpuacct.usage")
    if v1.exists():
        return int(v1.read_text()) / 1e9
    v2 = Path(f"/sys/fs/cgroup/system.slice/docker-{container_id}.scope/cpu.stat")
    if v2.exists():
        usage = dict(line.split() for line in v2.read_text().splitlines())
        return int(usage["usage_usec"]) / 1e6
    return None


def _pids(match) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if argv and match(argv):
                pids.append(int(entry.name))
    return pids


def _children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wait_for_quiet(limit: float = QUIET_WAIT_S) -> None:
    """Wait (at most ``limit`` seconds) until the machine has been nearly idle for half a second."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = _machine_busy()
        time.sleep(0.5)
        if 100 * (_machine_busy() - before) / 0.5 < QUIET_CPU:
            return


# ---------------------------------------------------------------------------------------
# Servers


class Server:
    """One container of the bench image, published on a loopback port."""

    def __init__(self, client, name: str, port: int, environment: dict[str, str], command: list[str] | None = None, volumes: dict | None = None) -> None:
        self.name, self.port = name, port
        _remove(client, name)
        self.container = retry_docker(
            client.containers.run,
            TAG,
            command,
            name=name,
            detach=True,
            environment=environment,
            ports={f"{CONTAINER_PORT}/tcp": ("127.0.0.1", port)},
            volumes=volumes or {},
        )
        self.url = f"http://127.0.0.1:{port}"
        self._ready()

    def _ready(self) -> None:
        """Wait for /health, then find the processes whose CPU the runs count."""
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    logs = self.container.logs(tail=20).decode(errors="replace")
                    raise RuntimeError(f"{self.name} did not answer /health on {self.url}:\n{logs}") from None
                time.sleep(0.2)
        self.container.reload()
        self.proxies = _pids(lambda argv: argv[0].endswith(b"docker-proxy") and str(self.port).encode() in argv)
        # dockerd and the container's shim carry its stdout (the access log) to the log driver.
        self.docker = _pids(lambda argv: argv[0].endswith(b"dockerd")) + [_parent(self.container.attrs["State"]["Pid"])]

    def revive(self, client) -> None:
        """Start the container again after dockerd came back from a restart (which stops it)."""
        deadline = time.monotonic() + 180
        while True:
            try:
                client.ping()
                break
            except (docker.errors.DockerException, requests.exceptions.ConnectionError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(3)
        retry_docker(self.container.reload)
        if self.container.status != "running":
            retry_docker(self.container.start)
        self._ready()

    def connections_per_worker(self) -> str:
        """Open client connections of each gunicorn worker (its sockets, less the listener)."""
        try:
            processes = self.container.top(ps_args="-o pid,ppid")["Processes"]
        except (docker.errors.DockerException, requests.exceptions.ConnectionError):
            return "?"
        pids = {int(pid): int(ppid) for pid, ppid in processes}
        counts = []
        for pid in (pid for pid, ppid in pids.items() if ppid in pids):
            try:
                targets = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
            except OSError:
                continue
            counts.append(sum(1 for target in targets if target.startswith("socket:")) - 1)
        return "+".join(str(count) for count in sorted(counts, reverse=True))

    def cpu(self) -> tuple:
        return (_cgroup(self.container.id), sum(map(_process, self.proxies)), sum(map(_process, self.docker)), _children(), _machine_busy())

    def remove(self) -> None:
        retry_docker(self.container.remove, force=True)


def _remove(client, name: str) -> None:
    try:
        retry_docker(client.containers.get, name).remove(force=True)
    except docker.errors.NotFound:
        pass


def _override_config(directory: Path, name: str, settings: dict) -> tuple[list[str], dict]:
    """A gunicorn config that is the image's plus ``settings``, mounted read-only; returns (command, volumes)."""
    lines = ["from webapp.gunicorn_conf import *  # noqa: F401,F403"] + [f"{key} = {value!r}" for key, value in settings.items()]
    path = directory / f"{name}.py"
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o644)
    return ["gunicorn", "-c", f"/bench/{path.name}", GUNICORN_APP], {str(directory): {"bind": "/bench", "mode": "ro"}}


# ---------------------------------------------------------------------------------------
# wrk


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)([a-z]+)", text).groups()
    return float(number) * _UNITS_MS[unit]


def wrk_run(wrk: str, server: Server, path: str, connections: int, seconds: float, gunicorn: bool) -> dict:
    """One wrk run: throughput, latency and where the CPU went (in % of one CPU)."""
    sampled = {}
    if gunicorn:
        timer = threading.Timer(seconds / 2, lambda: sampled.update(workers=server.connections_per_worker()))
        timer.start()
    before, start = server.cpu(), time.monotonic()
    command = [wrk, f"-t{min(connections, 2)}", f"-c{connections}", f"-d{seconds}s", "--latency", server.url + path]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    elapsed = time.monotonic() - start
    app, proxy, docker_cpu, wrk_cpu, busy = (None if a is None or b is None else a - b for a, b in zip(server.cpu(), before))
    if gunicorn:
        timer.join()
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    errors += int(re.search(r"Non-2xx or 3xx responses: (\d+)", output).group(1)) if "Non-2xx" in output else 0
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": _ms(re.search(r"^\s*50%\s+(\S+)", output, re.M).group(1)),
        "p99": _ms(re.search(r"^\s*99%\s+(\S+)", output, re.M).group(1)),
        "errors": errors,
        "app_ms_per_request": None if app is None or not requests else 1000 * app / requests,
        # The whole path's CPU per request: the server, docker-proxy, dockerd and the shim, wrk.
        "path_ms_per_request": None if app is None or not requests else 1000 * (app + proxy + docker_cpu + wrk_cpu) / requests,
        "app_cpu": None if app is None else 100 * app / elapsed,
        "proxy_cpu": 100 * proxy / elapsed,
        "docker_cpu": 100 * docker_cpu / elapsed,
        "wrk_cpu": 100 * wrk_cpu / elapsed,
        "other_cpu": max(0.0, 100 * (busy - (app or 0) - proxy - docker_cpu - wrk_cpu) / elapsed),
        "workers": sampled.get("workers"),
    }


def measure(wrk: str, server: Server, path: str, connections: int, seconds: float, gunicorn: bool) -> dict:
    """A wrk run after a (short) wait for a quiet machine; run again if dockerd was restarted under it."""
    for attempt in range(3):
        wait_for_quiet()
        try:
            run = wrk_run(wrk, server, path, connections, seconds, gunicorn)
            server.container.reload()
            if server.container.status == "running" and run["app_cpu"] is not None:
                return run
        except (subprocess.CalledProcessError, docker.errors.DockerException, requests.exceptions.ConnectionError):
            if attempt == 2:
                raise
        server.revive(server.container.client)
    raise RuntimeError(f"{server.name} stopped during each of 3 runs")


def _median(runs: list[dict], key: str, digits: int = 1):
    values = [run[key] for run in runs if run[key] is not None]
    if not values:
        return None
    return round(statistics.median(values)) if digits == 0 else round(statistics.median(values), digits)


def row(name: str, runs: list[dict], **labels) -> dict:
    figures = {
        "name": name,
        **labels,
        "req/s": _median(runs, "rps", 0),
        "p50 ms": _median(runs, "p50", 2),
        "p99 ms": _median(runs, "p99", 2),
        "errors": sum(run["errors"] for run in runs),
        "app ms/req": _median(runs, "app_ms_per_request", 3),
        "path ms/req": _median(runs, "path_ms_per_request", 3),
        "app cpu %": _median(runs, "app_cpu", 0),
        "proxy cpu %": _median(runs, "proxy_cpu", 0),
        "docker cpu %": _median(runs, "docker_cpu", 0),
        "wrk cpu %": _median(runs, "wrk_cpu", 0),
        "other cpu %": _median(runs, "other_cpu", 0),
        "req/s per round": " ".join(f"{run['rps']:.0f}" for run in runs),
    }
    if any(run["workers"] for run in runs):
        figures["conns per worker"] = " ".join(run["workers"] or "?" for run in runs)
    return figures


# ---------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each measurement; figures are their medians (default 3)")
    parser.add_argument("--seconds", type=int, default=4, help="duration of each wrk run (default 4)")
    parser.add_argument("--no-variants", action="store_true", help="skip the gunicorn variants")
    return parser.parse_args()


def compare(wrk: str, client, gunicorn: Server, environment: dict, overrides: Path, rounds: int, seconds: int) -> list[dict]:
    """Each variant against the image's gunicorn, at 32 connections on /health, in turns."""
    rows = []
    for index, (label, env, settings) in enumerate(VARIANTS):
        command, volumes = _override_config(overrides, f"variant{index}", settings) if settings else (None, None)
        variant = Server(client, "bench-load-variant", VARIANT_PORT, {**environment, **env}, command, volumes)
        try:
            measure(wrk, variant, "/health", 8, 1, gunicorn=False)  # warm-up
            runs, baseline = [], []
            for _ in range(rounds):
                baseline.append(measure(wrk, gunicorn, "/health", 32, seconds, gunicorn=True))
                runs.append(measure(wrk, variant, "/health", 32, seconds, gunicorn=True))
        finally:
            variant.remove()
        figures = row(f"variant: {label}", runs, path="/health", conns=32)
        reference = statistics.median(run["rps"] for run in baseline)
        figures["vs image gunicorn"] = f"{figures['req/s'] / reference:.2f}x of {reference:.0f}"
        rows.append(figures)
    return rows


def main() -> None:
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # remove the containers when stopped
    started = time.monotonic()
    wrk = ensure_wrk()
    client = docker.from_env()
    environment = task_environment()
    workers = environment.get("GUNICORN_WORKERS", "2")
    labels = {"gunicorn": f"gunicorn (image CMD, {workers} workers)", "dev": "flask dev server"}
    servers, rows = {}, []
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        build(client, copy_context(Path(tmp) / "ctx"), TAG, nocache=False)
        overrides = Path(tmp) / "gunicorn"
        overrides.mkdir()
        overrides.chmod(0o755)
        try:
            servers["gunicorn"] = Server(client, "bench-load-gunicorn", GUNICORN_PORT, environment)
            servers["dev"] = Server(client, "bench-load-dev", DEV_PORT, environment, DEV_COMMAND)
            for server in servers.values():
                for path in PATHS:
                    measure(wrk, server, path, 8, 1, gunicorn=False)  # warm-up
            runs = {}
            for _ in range(args.rounds):
                for connections in CONNECTIONS:
                    for path in PATHS:
                        for key, server in servers.items():
                            runs.setdefault((key, path, connections), []).append(measure(wrk, server, path, connections, args.seconds, key == "gunicorn"))
            for connections in CONNECTIONS:
                for path in PATHS:
                    for key in servers:
                        rows.append(row(labels[key], runs[(key, path, connections)], path=path, conns=connections))
            if not args.no_variants:
                rows += compare(wrk, client, servers["gunicorn"], environment, overrides, args.rounds, args.seconds)
        finally:
            for server in servers.values():
                server.remove()
            _remove(client, "bench-load-variant")
            retry_docker(client.images.remove, TAG, force=True)

    targets = []
    for path in PATHS:
        at_32 = {r["name"]: r for r in rows if r["path"] == path and r["conns"] == 32}
        ours, naive = at_32[labels["gunicorn"]], at_32[labels["dev"]]
        ratio = ours["req/s"] / naive["req/s"]
        targets.append(
            {
                "target": f"gunicorn >= {TARGET_RATIO}x the dev server's req/s at 32 connections, {path}",
                "figure": f"{ratio:.1f}x ({ours['req/s']:.0f} vs {naive['req/s']:.0f} req/s)",
                "met": ratio >= TARGET_RATIO,
            }
        )
        targets.append(
            {
                "target": f"gunicorn p99 < {TARGET_P99_MS} ms at 32 connections, {path}",
                "figure": f"{ours['p99 ms']:.1f} ms",
                "met": ours["p99 ms"] < TARGET_P99_MS,
            }
        )
    other = statistics.median(r["other cpu %"] for r in rows)
    title = (
        f"Load: wrk on the image's gunicorn and on the Flask dev server, median of {args.rounds} rounds of {args.seconds} s; "
        f"{os.cpu_count()} CPUs, CPU figures in % of one CPU, other processes took {other:.0f}% (median) during the runs; "
        f"bench ran {time.monotonic() - started:.0f} s"
    )
    emit(title, rows, targets, args.json)


if __name__ == "__main__":
    main()
