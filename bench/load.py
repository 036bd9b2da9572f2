#!/usr/bin/env python3
"""The service under load: wrk on /health and / at 32 connections, against gunicorn as the image runs
it (with the local inventory's task environment) and against the Flask development server in the same
image (what a naive image runs).

Usage: .venv/bin/python bench/load.py [--json PATH] [--rounds N] [--seconds S]
   (after `make stack` and `make wheelhouse`; installs wrk with apt-get if it is missing)

Both servers run side by side, published on loopback ports as the local run publishes the service
(through docker-proxy), and are measured in turns, round after round; each figure is the median of
the rounds. The machine may be shared: before each run the script waits briefly for it to be quiet.
The targets, on each path: gunicorn serves at least TARGET_RATIO times the dev server's req/s, with
a p99 under TARGET_P99_MS.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
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
GUNICORN_PORT, DEV_PORT = 18095, 18096
CONNECTIONS = 32
PATHS = ("/health", "/")
DEV_COMMAND = ["python3", "-m", "flask", "--app", "webapp:create_app()", "run", "--host", "0.0.0.0", "--port", str(CONTAINER_PORT)]
TARGET_RATIO = 5
TARGET_P99_MS = 50
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


def _machine_busy() -> float:
    """Seconds of CPU time the whole machine has spent busy since boot."""
    fields = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


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

    def __init__(self, client, name: str, port: int, environment: dict[str, str], command: list[str] | None = None) -> None:
        self.name = name
        _remove(client, name)
        self.container = retry_docker(
            client.containers.run,
            TAG,
            command,
            name=name,
            detach=True,
            environment=environment,
            ports={f"{CONTAINER_PORT}/tcp": ("127.0.0.1", port)},
        )
        self.url = f"http://127.0.0.1:{port}"
        self._ready()

    def _ready(self) -> None:
        """Wait for /health."""
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                if time.monotonic() > deadline:
                    logs = self.container.logs(tail=20).decode(errors="replace")
                    raise RuntimeError(f"{self.name} did not answer /health on {self.url}:\n{logs}") from None
                time.sleep(0.2)

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

    def remove(self) -> None:
        retry_docker(self.container.remove, force=True)


def _remove(client, name: str) -> None:
    try:
        retry_docker(client.containers.get, name).remove(force=True)
    except docker.errors.NotFound:
        pass


# ---------------------------------------------------------------------------------------
# wrk


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)([a-z]+)", text).groups()
    return float(number) * _UNITS_MS[unit]


def wrk_run(wrk: str, url: str, seconds: float) -> dict:
    """One wrk run at CONNECTIONS connections: throughput, latency, errors (socket errors and non-2xx/3xx answers)."""
    command = [wrk, f"-t{min(CONNECTIONS, 2)}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    errors += int(re.search(r"Non-2xx or 3xx responses: (\d+)", output).group(1)) if "Non-2xx" in output else 0
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": _ms(re.search(r"^\s*50%\s+(\S+)", output, re.M).group(1)),
        "p99": _ms(re.search(r"^\s*99%\s+(\S+)", output, re.M).group(1)),
        "errors": errors,
    }


def measure(wrk: str, server: Server, path: str, seconds: float) -> dict:
    """A wrk run after a (short) wait for a quiet machine; run again if dockerd was restarted under it."""
    for attempt in range(3):
        wait_for_quiet()
        try:
            run = wrk_run(wrk, server.url + path, seconds)
            server.container.reload()
            if server.container.status == "running":
                return run
        except (subprocess.CalledProcessError, docker.errors.DockerException, requests.exceptions.ConnectionError):
            if attempt == 2:
                raise
        server.revive(server.container.client)
    raise RuntimeError(f"{server.name} stopped during each of 3 runs")


def _median(runs: list[dict], key: str, digits: int):
    value = statistics.median(run[key] for run in runs)
    return round(value) if digits == 0 else round(value, digits)


def row(name: str, path: str, runs: list[dict]) -> dict:
    return {
        "name": name,
        "path": path,
        "conns": CONNECTIONS,
        "req/s": _median(runs, "rps", 0),
        "p50 ms": _median(runs, "p50", 2),
        "p99 ms": _median(runs, "p99", 2),
        "errors": sum(run["errors"] for run in runs),
        "req/s per round": " ".join(f"{run['rps']:.0f}" for run in runs),
    }


def measure_all(wrk: str, servers: dict[str, Server], labels: dict[str, str], rounds: int, seconds: int) -> list[dict]:
    """A short warm-up of each server on each path, then every (path, server) measured in turns, round after round."""
    for server in servers.values():
        for path in PATHS:
            measure(wrk, server, path, 1)  # warm-up
    runs: dict[tuple[str, str], list[dict]] = {}
    for _ in range(rounds):
        for path in PATHS:
            for key, server in servers.items():
                runs.setdefault((key, path), []).append(measure(wrk, server, path, seconds))
    return [row(labels[key], path, runs[(key, path)]) for path in PATHS for key in servers]


def targets(rows: list[dict], labels: dict[str, str]) -> list[dict]:
    """On each path: gunicorn >= TARGET_RATIO times the dev server's req/s, and gunicorn's p99 < TARGET_P99_MS."""
    found = []
    for path in PATHS:
        on_path = {r["name"]: r for r in rows if r["path"] == path}
        ours, naive = on_path[labels["gunicorn"]], on_path[labels["dev"]]
        ratio = ours["req/s"] / naive["req/s"]
        found.append(
            {
                "target": f"gunicorn >= {TARGET_RATIO}x the dev server's req/s at {CONNECTIONS} connections, {path}",
                "figure": f"{ratio:.1f}x ({ours['req/s']:.0f} vs {naive['req/s']:.0f} req/s)",
                "met": ratio >= TARGET_RATIO,
            }
        )
        found.append(
            {
                "target": f"gunicorn p99 < {TARGET_P99_MS} ms at {CONNECTIONS} connections, {path}",
                "figure": f"{ours['p99 ms']:.1f} ms",
                "met": ours["p99 ms"] < TARGET_P99_MS,
            }
        )
    return found


# ---------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each measurement; figures are their medians (default 3)")
    parser.add_argument("--seconds", type=int, default=4, help="duration of each wrk run (default 4)")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # remove the containers when stopped
    started = time.monotonic()
    wrk = ensure_wrk()
    client = docker.from_env()
    environment = task_environment()
    workers = environment.get("GUNICORN_WORKERS", "2")
    labels = {"gunicorn": f"gunicorn (image CMD, {workers} workers)", "dev": "flask dev server"}
    servers: dict[str, Server] = {}
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        build(client, copy_context(Path(tmp) / "ctx"), TAG, nocache=False)
        try:
            servers["gunicorn"] = Server(client, "bench-load-gunicorn", GUNICORN_PORT, environment)
            servers["dev"] = Server(client, "bench-load-dev", DEV_PORT, environment, DEV_COMMAND)
            rows = measure_all(wrk, servers, labels, args.rounds, args.seconds)
        finally:
            for server in servers.values():
                server.remove()
            retry_docker(client.images.remove, TAG, force=True)
    title = (
        f"Load: wrk on the image's gunicorn and on the Flask dev server, {CONNECTIONS} connections, "
        f"median of {args.rounds} rounds of {args.seconds} s; {os.cpu_count()} CPUs; bench ran {time.monotonic() - started:.0f} s"
    )
    emit(title, rows, targets(rows, labels), args.json)


if __name__ == "__main__":
    main()
