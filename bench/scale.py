#!/usr/bin/env python3
"""Scale of devops.fargate.ecs_deploy's no-op path: wall time and AWS API calls (moto's recorder, on
motos of the bench's own) of a redeploy that changes nothing, for a task definition of 1, 5 and 10
containers, and for a family with 1, 50 and 500 earlier revisions (registered with boto3 first).

Each scenario has a moto of its own; one run creates the service, then the no-op run is measured
3 times, the scenarios taking turns (so that a change of load on the machine falls on all alike),
and the median is reported. Times: the whole ansible-playbook run, the ecs_deploy task alone, and
the no-op's two API calls replayed with boto3 30 times (no Ansible in the way: what moto's answers
cost), also taking turns.

Usage: .venv/bin/python bench/scale.py [--json PATH]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import yaml

from common import REPO
from common import MotoServer
from common import actions
from common import aws_defaults
from common import default_network
from common import emit
from common import median
from common import parse_args
from common import recording
from common import run_ansible
from common import writes

NAME = "bench-scale"
REPEATS = 3
REPLAYS = 30
CONTAINERS = (1, 5, 10)
EARLIER_REVISIONS = (1, 50, 500)
TASK = "ecs_deploy"
# Below this, a difference in median task time is taken as noise whatever the repeats' spread.
NOISE_FLOOR_S = 0.05
COLUMNS = [
    "name",
    "containers",
    "earlier revisions",
    "ACTIVE revisions",
    "create: API calls",
    "no-op: API calls",
    "no-op: writes",
    "no-op: changed",
    "no-op: calls made",
    "no-op: playbook s",
    "no-op: task s",
    "task s min-max",
    "calls replayed ms",
]


def container(index: int) -> dict:
    """A container like deploy.yml's; the first one is the essential web container."""
    return {
        "name": "web" if index == 0 else f"sidecar{index}",
        "image": f"127.0.0.1:5050/{NAME}:1.0",
        "essential": index == 0,
        "portMappings": [{"containerPort": 8000 + index, "protocol": "tcp"}],
        "environment": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "INDEX", "value": str(index)}],
        "healthCheck": {"command": ["CMD", "python3", "-m", "webapp.healthcheck"], "interval": 5, "timeout": 3, "retries": 3, "startPeriod": 5},
        "stopTimeout": 30,
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {"awslogs-group": f"/ecs/{NAME}", "awslogs-region": "us-east-1", "awslogs-stream-prefix": NAME},
        },
    }


class Scenario:
    """One service on a moto of its own: ``containers`` containers, ``earlier`` revisions registered before."""

    def __init__(self, containers: int, earlier: int, workdir: Path) -> None:
        self.containers, self.earlier = containers, earlier
        self.name = f"{containers} container{'s' if containers > 1 else ''}, {earlier} earlier revision{'s' if earlier > 1 else ''}"
        self.playbook = workdir / f"scale-{containers}-{earlier}.yml"
        self.moto = MotoServer()
        self.noops: list[dict] = []
        self.replays: list[float] = []
        self._ecs, self._service = None, None
        try:
            self._create(containers, earlier)
        except BaseException:
            self.moto.stop()
            raise

    def _create(self, containers: int, earlier: int) -> None:
        ecs = self.moto.client("ecs")
        ecs.create_cluster(clusterName=NAME)
        for revision in range(earlier):
            old = dict(container(0), environment=[{"name": "EARLIER", "value": str(revision)}])
            ecs.register_task_definition(
                family=NAME, cpu="256", memory="512", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], containerDefinitions=[old]
            )
        network = default_network(self.moto)
        definitions = [container(index) for index in range(containers)]
        params = {
            "cluster": NAME,
            "service": NAME,
            "family": NAME,
            "cpu": 256,
            "memory": 512,
            "container_definitions": definitions,
            "image_digests": {definition["name"]: "sha256:" + f"{index:x}" * 64 for index, definition in enumerate(definitions, start=1)},
            "subnets": network["subnets"],
            "security_groups": network["security_groups"],
            "desired_count": 1,
            "service_tags": {"service": NAME},
            "task_definition_tags": {"service": NAME},
            "wait_delay": 1,
        }
        plays = [
            {
                "hosts": "localhost",
                "gather_facts": False,
                "module_defaults": aws_defaults(self.moto.url),
                "tasks": [{"name": TASK, "devops.fargate.ecs_deploy": params}],
            }
        ]
        self.playbook.write_text(yaml.safe_dump(plays, sort_keys=False))
        self.create = self.run()

    def run(self) -> dict:
        self.moto.start_recording()
        run = run_ansible([str(self.playbook), "-i", "localhost,", "-c", "local", "-e", f"ansible_python_interpreter={sys.executable}"], REPO)
        requests = recording(self.moto)
        if run.rc != 0:
            raise SystemExit(f"ecs_deploy playbook failed (rc={run.rc}):\n{run.output}")
        return {
            "seconds": run.seconds,
            "task seconds": run.task_seconds(TASK),
            "actions": actions(requests),
            "changed": run.changed,
        }

    def replay(self) -> None:
        """The no-op's two ECS calls, made once more with boto3: their time goes to ``self.replays``."""
        if self._service is None:
            self._ecs = self.moto.client("ecs")
            self._service = self._ecs.describe_services(cluster=NAME, services=[NAME], include=["TAGS"])["services"][0]
        start = time.perf_counter()
        self._ecs.describe_services(cluster=NAME, services=[NAME], include=["TAGS"])
        self._ecs.describe_task_definition(taskDefinition=self._service["taskDefinition"], include=["TAGS"])
        self.replays.append(time.perf_counter() - start)

    def row(self) -> dict:
        noops = self.noops
        counts = sorted({len(run["actions"]) for run in noops})
        task = [run["task seconds"] for run in noops]
        return {
            "name": self.name,
            "containers": self.containers,
            "earlier revisions": self.earlier,
            "ACTIVE revisions": len(self.moto.client("ecs").list_task_definitions(familyPrefix=NAME, status="ACTIVE")["taskDefinitionArns"]),
            "create: API calls": len(self.create["actions"]),
            "no-op: API calls": counts[0] if len(counts) == 1 else f"{counts[0]}-{counts[-1]}",
            "no-op: writes": max(len(writes(run["actions"])) for run in noops),
            "no-op: changed": max(run["changed"] for run in noops),
            "no-op: calls made": " ".join(action.split(":", 1)[1] for action in noops[0]["actions"]),
            "no-op: playbook s": round(median([run["seconds"] for run in noops]), 3),
            "no-op: task s": round(median(task), 3),
            "task s min-max": f"{min(task):.3f}-{max(task):.3f}",
            "calls replayed ms": round(median(self.replays) * 1000, 1),
        }


def targets(by_revisions: dict[int, Scenario], rows: dict[Scenario, dict]) -> list[dict]:
    few, many = by_revisions[EARLIER_REVISIONS[0]], by_revisions[EARLIER_REVISIONS[-1]]
    same_calls = all(run["actions"] == few.noops[0]["actions"] for scenario in by_revisions.values() for run in scenario.noops)
    spread = max(max(run["task seconds"] for run in s.noops) - min(run["task seconds"] for run in s.noops) for s in by_revisions.values())
    noise = max(NOISE_FLOOR_S, spread)
    growth = rows[many]["no-op: task s"] - rows[few]["no-op: task s"]
    return [
        {
            "target": f"no-op API calls do not grow with earlier revisions ({EARLIER_REVISIONS[0]} to {EARLIER_REVISIONS[-1]}), compared exactly",
            "figure": " / ".join(
                f"{count}: {rows[scenario]['no-op: API calls']} ({rows[scenario]['no-op: calls made']})" for count, scenario in by_revisions.items()
            ),
            "met": same_calls,
        },
        {
            "target": f"no-op time does not grow with earlier revisions, within noise (ecs_deploy task, median of {REPEATS})",
            "figure": (
                " / ".join(f"{count}: {rows[scenario]['no-op: task s']:.3f} s" for count, scenario in by_revisions.items())
                + f"; {EARLIER_REVISIONS[-1]} vs {EARLIER_REVISIONS[0]}: {growth:+.3f} s, noise {noise:.3f} s"
                + f" (largest spread of one scenario's repeats, at least {NOISE_FLOOR_S} s); calls replayed: "
                + " / ".join(f"{count}: {rows[scenario]['calls replayed ms']:.1f} ms" for count, scenario in by_revisions.items())
            ),
            "met": growth <= noise,
        },
    ]


def main() -> None:
    args = parse_args(__doc__.split("\n\n")[0])
    started = time.monotonic()
    scenarios: list[Scenario] = []
    try:
        with tempfile.TemporaryDirectory(prefix=f"{NAME}-") as tmp:
            # The 1-container, 1-earlier-revision service is the first point of both series.
            for containers, earlier in [(count, EARLIER_REVISIONS[0]) for count in CONTAINERS] + [(CONTAINERS[0], count) for count in EARLIER_REVISIONS[1:]]:
                scenarios.append(Scenario(containers, earlier, Path(tmp)))
            for _ in range(REPEATS):
                for scenario in scenarios:
                    scenario.noops.append(scenario.run())
            for _ in range(REPLAYS):
                for scenario in scenarios:
                    scenario.replay()
        rows = {scenario: scenario.row() for scenario in scenarios}
    finally:
        for scenario in scenarios:
            scenario.moto.stop()
    by_revisions = {scenario.earlier: scenario for scenario in scenarios if scenario.containers == CONTAINERS[0]}
    emit(
        "ecs_deploy no-op path: cost by containers and by earlier revisions",
        list(rows.values()),
        targets(by_revisions, rows),
        args.json,
        columns=COLUMNS,
    )
    print(f"\nbench/scale.py ran {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
