"""Shared code of the bench scripts: a moto of their own with its recording, ansible-playbook runs
timed and reported, a copy of the project to deploy, and the table / JSON output every script gives.

Kept stable: other bench scripts import from here.
"""

from __future__ import annotations

import argparse
import base64
import configparser
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # devkit, the local-stack tooling the tests share

from devkit import helpers  # noqa: E402
from devkit.helpers import VENV_BIN  # noqa: E402
from devkit.helpers import MotoServer  # noqa: E402
from devkit.helpers import request_action  # noqa: E402  (one recorded request -> "ecs:DescribeServices")
from devkit.helpers import ansible_env  # noqa: E402
from devkit.helpers import aws_defaults  # noqa: E402
from devkit.helpers import run_playbook  # noqa: E402
from devkit.helpers import writes  # noqa: E402

__all__ = [
    "AWS_ENV",
    "CACHE",
    "REPO",
    "VENV_BIN",
    "MotoServer",
    "Run",
    "actions",
    "argument_parser",
    "aws_defaults",
    "copy_project",
    "default_network",
    "duration_seconds",
    "emit",
    "median",
    "parse_args",
    "recording",
    "request_action",
    "retry_docker",
    "run_ansible",
    "run_playbook",
    "slowest_tasks",
    "stage_requests",
    "writes",
]

# Bench-only installs and scratch files go here (git-ignored).
CACHE = REPO / ".cache" / "bench"
STAGE_PROBE_DIR = REPO / "tests" / "integration" / "callback_plugins"
AWS_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


# ---------------------------------------------------------------------------------------
# moto's recording


def recording(moto: MotoServer) -> list[dict]:
    """Every request recorded since ``moto.start_recording()``, in order, without stopping the recorder.

    Each entry is ``{"action": "ecs:UpdateService" or None, "body": str}``; the indexes match the
    offsets stage_probe writes (it counts the recording's lines).
    """
    text = urllib.request.urlopen(f"{moto.url}/moto-api/recorder/download-recording", timeout=30).read().decode()
    requests = []
    for line in text.splitlines():
        if not line.strip():
            continue
        request = json.loads(line)
        body = request.get("body") or ""
        if request.get("body_encoded"):
            body = base64.b64decode(body).decode(errors="replace")
        requests.append({"action": request_action(request), "body": body})
    return requests


def actions(requests: list[dict]) -> list[str]:
    """The AWS API actions among recorded requests (a plain GET of the endpoint is not one)."""
    return [request["action"] for request in requests if request["action"]]


def default_network(moto: MotoServer) -> dict:
    """The default VPC's subnets and default security group, as moto has them."""
    ec2 = moto.client("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnets = sorted(s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"])
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]
    return {"subnets": subnets, "security_groups": [group["GroupId"] for group in groups]}


# ---------------------------------------------------------------------------------------
# ansible-playbook


@dataclass
class Run:
    """One ansible-playbook run: its JSON report, wall time and, with stage_probe, the per-stage figures."""

    rc: int
    seconds: float
    report: dict
    output: str
    stages: list[dict] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return sum(host.get("changed", 0) for host in self.report.get("stats", {}).values())

    @property
    def changed_tasks(self) -> list[str]:
        return [
            task["task"]["name"]
            for play in self.report.get("plays", [])
            for task in play["tasks"]
            if any(result.get("changed") for result in task["hosts"].values())
        ]

    def task_seconds(self, name: str) -> float:
        """Wall time of the task called ``name`` (the last one run), from the JSON callback's durations."""
        for play in reversed(self.report.get("plays", [])):
            for task in reversed(play["tasks"]):
                if task["task"]["name"] == name:
                    return duration_seconds(task["task"]["duration"])
        raise KeyError(name)


def duration_seconds(duration: dict) -> float | None:
    """A JSON-callback duration (``start``, ``end``) in seconds; None without an end (an include's entry)."""
    from datetime import datetime

    if not duration.get("start") or not duration.get("end"):
        return None
    start, end = (datetime.fromisoformat(duration[key].replace("Z", "+00:00")) for key in ("start", "end"))
    return (end - start).total_seconds()


def slowest_tasks(report: dict, count: int = 8) -> list[tuple[float, str]]:
    """The run's longest tasks (seconds, "play / task"), from the JSON callback's durations."""
    timed = []
    for play in report.get("plays", []):
        for task in play["tasks"]:
            seconds = duration_seconds(task["task"].get("duration", {}))
            if seconds is not None:
                timed.append((seconds, f"{play['play']['name']} / {task['task']['name']}"))
    return sorted(timed, reverse=True)[:count]


def project_callbacks(root: Path) -> list[str]:
    """The callbacks the project's ansible.cfg enables (as a user's run has them), but the timer, which prints."""
    config = configparser.ConfigParser()
    config.read(root / "ansible.cfg")
    enabled = config.get("defaults", "callbacks_enabled", fallback="")
    return [name.strip() for name in enabled.split(",") if name.strip() and name.strip() != "ansible.posix.timer"]


def run_ansible(args: list[str], cwd: Path, env: dict | None = None, moto: MotoServer | None = None, timeout: int = 900,
                callbacks: list[str] | None = None) -> Run:
    """ansible-playbook ``args`` in ``cwd`` with the JSON callback (and ``callbacks``), timed from outside.

    With ``moto`` the stage_probe callback also runs: ``Run.stages`` then holds each play's name,
    seconds and the offset of its first request in moto's recording (start the recorder first).
    """
    extra = dict(env or {})
    enabled = ",".join(["ansible.posix.json", *(callbacks or [])])
    probe = None
    if moto is not None:
        CACHE.mkdir(parents=True, exist_ok=True)
        probe = CACHE / f"stage-probe-{os.getpid()}.json"
        probe.unlink(missing_ok=True)
        enabled += ",stage_probe"
        extra.update(ANSIBLE_CALLBACK_PLUGINS=str(STAGE_PROBE_DIR), STAGE_PROBE_OUT=str(probe), STAGE_PROBE_MOTO=moto.url)
    environment = ansible_env(**extra)
    environment.pop("ANSIBLE_CONFIG", None)  # the ansible.cfg of cwd
    environment["ANSIBLE_CALLBACKS_ENABLED"] = enabled
    start = time.monotonic()
    process = subprocess.run(
        [str(VENV_BIN / "ansible-playbook"), *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout, check=False
    )
    seconds = time.monotonic() - start
    try:
        report = json.loads(process.stdout[process.stdout.index("{") :])
    except ValueError:
        report = {"plays": [], "stats": {}}
    stages = json.loads(probe.read_text())["stages"] if probe is not None and probe.exists() else []
    if probe is not None:
        probe.unlink(missing_ok=True)
    return Run(rc=process.returncode, seconds=seconds, report=report, output=process.stdout[-6000:] + process.stderr[-3000:], stages=stages)


def stage_requests(run: Run, requests: list[dict]) -> dict[str, list[dict]]:
    """The recorded requests of each stage (play name), split at stage_probe's offsets."""
    split = {}
    for index, stage in enumerate(run.stages):
        start = stage["first_call"] or 0
        end = run.stages[index + 1]["first_call"] if index + 1 < len(run.stages) else len(requests)
        split[stage["play"]] = requests[start : end if end is not None else len(requests)]
    return split


# ---------------------------------------------------------------------------------------
# The project, copied


# deploy.yml's names for one run, apart from `make deploy`'s (the tests' helper).
project_names = helpers.project_names


def copy_project(root: Path, extra_vars: dict, name: str = "bench-vars.yml") -> Path:
    """A copy of the checkout with a git history of its own (the tests' helper); ``extra_vars`` go to ``root/<name>``.
    The local inventory as the main job runs it: the web service, its worker and the migration on the local engine."""
    return helpers.copy_project(root, extra_vars, vars_file=name, services=True)


def retry_docker(call, *args, attempts: int = 10, delay: float = 3, **kwargs):
    """A docker SDK call, retried while dockerd is briefly away (another developer may restart it)."""
    import docker.errors
    import requests.exceptions

    for attempt in range(attempts):
        try:
            return call(*args, **kwargs)
        except (docker.errors.DockerException, requests.exceptions.ConnectionError) as e:
            # An APIError is dockerd's answer (not found, conflict): only a missing dockerd is waited for.
            if isinstance(e, docker.errors.APIError) or attempt == attempts - 1:
                raise
            time.sleep(delay)
    return None


# ---------------------------------------------------------------------------------------
# Output


def median(values: list[float]) -> float:
    return statistics.median(values)


def argument_parser(description: str) -> argparse.ArgumentParser:
    """The bench scripts' command line: ``--json PATH``; a script may add its own options."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH")
    return parser


def parse_args(description: str) -> argparse.Namespace:
    return argument_parser(description).parse_args()


def _text(value) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return "" if value is None else str(value)


def emit(title: str, rows: list[dict], targets: list[dict], json_path: str | None = None, columns: list[str] | None = None) -> None:
    """Print the rows as a table and the targets; write the bench JSON.

    Columns come in the order given, then any other key in first-seen order; a row without a key
    leaves its cell empty (and the key out of the JSON).
    """
    columns = list(columns or ["name"])
    for row in rows:
        columns += [key for key in row if key not in columns]
    cells = [[_text(row.get(column)) for column in columns] for row in rows]
    widths = [max([len(column)] + [len(line[index]) for line in cells]) for index, column in enumerate(columns)]
    print(title)
    print("  ".join(column.ljust(width) if index == 0 else column.rjust(width) for index, (column, width) in enumerate(zip(columns, widths))))
    for line in cells:
        print("  ".join(cell.ljust(width) if index == 0 else cell.rjust(width) for index, (cell, width) in enumerate(zip(line, widths))))
    if targets:
        print()
        for target in targets:
            print(f"[{'met' if target['met'] else 'MISSED'}] {target['target']}: {target['figure']}")
    if json_path:
        path = Path(json_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"title": title, "rows": rows, "targets": targets}, indent=1, default=str) + "\n")
