#!/usr/bin/env python3
"""The first `make deploy` on a machine: a copy of the project with no venv, no wheelhouse and no caches, a local
stack of its own (moto and registry on free ports, a state directory and a base image of its own, so mmdebstrap
runs), and names of its own; `make venv`, then `make deploy`, each timed, then the service is asked /health.

What this machine already has cannot be timed here: the Debian packages the local_stack role would install
(docker.io, docker-registry, mmdebstrap, ...) and a running dockerd. The packages' install is timed instead in a
clean Debian container (the local stack's test image: apt-get update, then apt-get install of the role's packages,
as its apt task would), and added to the figure; dockerd's first start (a few seconds) is not. Pip's and uv's
caches are switched off for the run (PIP_NO_CACHE_DIR, UV_NO_CACHE): a fresh machine has none. Afterwards the copy's stack is torn down
(playbooks/local_stack_teardown.yml: its moto, its registry, its state directory, its base image), and its
container and images are removed; the user's stack is not touched.

Usage: .venv/bin/python bench/first_deploy.py [--json PATH]   (dockerd running, as after `make stack`)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import docker
import yaml

from common import REPO
from common import copy_project
from common import duration_seconds
from common import emit
from common import parse_args
from common import project_names
from common import retry_docker
from common import slowest_tasks
from devkit.helpers import free_port

NAME = "bench-first"
TARGET_S = 180
NO_CACHE = {"PIP_NO_CACHE_DIR": "1", "UV_NO_CACHE": "1"}


def _env(root: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ANSIBLE_", "VIRTUAL_ENV"))}
    # Not the bench's own venv: the copy's Makefile puts the copy's .venv first.
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if not p.endswith("/.venv/bin"))
    return dict(env, **NO_CACHE)


def _make(root: Path, *args: str, env: dict, timeout: int = 1200) -> tuple[float, subprocess.CompletedProcess]:
    start = time.monotonic()
    process = subprocess.run(["make", *args], cwd=root, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    return time.monotonic() - start, process


def _report(stdout: str) -> dict:
    """The JSON callback's report, after the line make echoes."""
    try:
        return json.JSONDecoder().raw_decode(stdout[stdout.index("\n{") + 1 :])[0]  # the timer callback's line follows
    except ValueError:
        return {"plays": []}


def _apt_seconds() -> tuple[float, bool]:
    """apt-get update and install of the local_stack role's packages, in a clean container of its Debian test image."""
    role = yaml.safe_load((REPO / "roles" / "local_stack" / "defaults" / "main.yml").read_text())
    stack = yaml.safe_load((REPO / "inventories" / "local" / "group_vars" / "all" / "local_stack.yml").read_text())
    packages = role["local_stack_docker_packages"] + sorted(set(role["local_stack_packages"].values()))
    image = stack.get("local_stack_test_image", role["local_stack_test_image"])
    script = f"apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q {' '.join(packages)} >/dev/null"
    start = time.monotonic()
    process = subprocess.run(["docker", "run", "--rm", image, "/bin/sh", "-c", script], capture_output=True, text=True, timeout=900, check=False)
    return time.monotonic() - start, process.returncode == 0


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=10) as response:
            return response.status == 200
    except OSError:
        return False


def _clean(root: Path, env: dict, names: dict) -> None:
    if (root / ".venv" / "bin" / "ansible-playbook").exists():
        subprocess.run(
            [str(root / ".venv" / "bin" / "ansible-playbook"), "playbooks/local_stack_teardown.yml", "-i", "inventories/local", "-e", "@bench-vars.yml"],
            cwd=root,
            env=dict(env, PATH=f"{root / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"),
            capture_output=True,
            timeout=300,
            check=False,
        )
    client = docker.from_env()
    for container in retry_docker(client.containers.list, all=True, filters={"name": names["run_local_container_name"]}):
        container.remove(force=True)
    for image in retry_docker(client.images.list):
        if any(NAME in tag for tag in image.tags):
            for tag in image.tags:
                if NAME in tag:
                    retry_docker(client.images.remove, tag, force=True)


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    base = Path(tempfile.mkdtemp(prefix="bench-first-"))
    port = free_port()
    names = dict(
        project_names(NAME, port),
        local_stack_moto_port=free_port(),
        local_stack_registry_port=free_port(),
        local_stack_state_dir=str(base / "stack"),
        local_stack_base_image=f"{NAME}/python-base:bookworm",
    )
    root = copy_project(base / "project", names)
    shutil.rmtree(root / "app" / "wheelhouse", ignore_errors=True)
    env = _env(root)
    try:
        venv_s, venv = _make(root, "venv", env=env)
        if venv.returncode != 0:
            raise SystemExit(f"make venv failed:\n{venv.stdout[-3000:]}{venv.stderr[-3000:]}")
        deploy_s, deploy = _make(root, "deploy", "ANSIBLE_ARGS=-e @bench-vars.yml", env=dict(env, ANSIBLE_STDOUT_CALLBACK="ansible.posix.json"))
        report = _report(deploy.stdout)
        answers = deploy.returncode == 0 and _answers(port)
        if deploy.returncode != 0:
            print(f"make deploy failed (rc {deploy.returncode}):\n{deploy.stdout[-4000:]}{deploy.stderr[-3000:]}")
    finally:
        _clean(root, env, names)
        shutil.rmtree(base, ignore_errors=True)
    apt_s, apt_ok = _apt_seconds()
    plays = [{"name": play["play"]["name"], "seconds": round(duration_seconds(play["play"]["duration"]) or 0.0, 1)} for play in report.get("plays", [])]
    total = apt_s + venv_s + deploy_s
    rows = [
        {
            "name": "the local stack's Debian packages (apt, timed in a clean container)",
            "seconds": round(apt_s, 1),
            "service answers": None if apt_ok else "apt failed",
        },
        {"name": "make venv", "seconds": round(venv_s, 1)},
        {"name": "make deploy", "seconds": round(deploy_s, 1)},
    ]
    rows += [{"name": f"  play: {play['name']}", "seconds": play["seconds"]} for play in plays]
    rows += [{"name": f"  slowest task: {name}", "seconds": round(seconds, 1)} for seconds, name in slowest_tasks(report, 6)]
    rows.append({"name": "first make deploy (packages + venv + playbook)", "seconds": round(total, 1), "service answers": answers})
    targets = [
        {
            "target": f"first make deploy on a fresh machine <= {TARGET_S} s (issue 12; dockerd's first start not counted)",
            "figure": f"{total:.1f} s (packages {apt_s:.1f} s in a container, venv {venv_s:.1f} s, playbook {deploy_s:.1f} s), service answers: {answers}",
            "met": answers and apt_ok and total <= TARGET_S,
        }
    ]
    emit("First make deploy: a copy with no venv, wheelhouse, caches, base image or stack of its own", rows, targets, args.json, ["name", "seconds"])


if __name__ == "__main__":
    main()
