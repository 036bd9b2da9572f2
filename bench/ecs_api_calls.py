#!/usr/bin/env python3
"""API calls made by devops.fargate.ecs_deploy, counted by moto's recorder, beside the stock modules.

Usage: .venv/bin/python bench/ecs_api_calls.py [--json PATH]
Prints a table: scenario, ECS calls (and how many were writes), wall time.
"""

from __future__ import annotations

import argparse
import json
import time

from common import MotoServer
from common import aws_defaults
from common import run_playbook
from common import writes

DIGEST = "sha256:" + "a" * 64
CONTAINER = {
    "name": "web",
    "image": "127.0.0.1:5050/fargate-demo:1.0",
    "portMappings": [{"containerPort": 8000}],
    "environment": [{"name": "LOG_LEVEL", "value": "info"}],
    "healthCheck": {"command": ["CMD", "python3", "-m", "webapp.healthcheck"]},
}


def ours(moto, network, **overrides):
    params = {
        "cluster": "bench",
        "service": "web",
        "family": "web",
        "cpu": 256,
        "memory": 512,
        "container_definitions": [CONTAINER],
        "image_digests": {"web": DIGEST},
        "subnets": network["subnets"],
        "security_groups": network["security_groups"],
        "desired_count": 1,
        "wait_delay": 1,
    }
    params.update(overrides)
    return [{"name": "ecs_deploy", "devops.fargate.ecs_deploy": params}]


def stock(moto, network, memory=512):
    container = dict(CONTAINER, image="127.0.0.1:5050/fargate-demo@" + DIGEST, essential=True)
    return [
        {
            "name": "stock task definition",
            "community.aws.ecs_taskdefinition": {
                "family": "stock",
                "state": "present",
                "cpu": "256",
                "memory": str(memory),
                "network_mode": "awsvpc",
                "launch_type": "FARGATE",
                "containers": [container],
            },
            "register": "td",
        },
        {
            "name": "stock service",
            "community.aws.ecs_service": {
                "name": "stock",
                "cluster": "bench",
                "state": "present",
                "task_definition": "{{ td.taskdefinition.family }}:{{ td.taskdefinition.revision }}",
                "desired_count": 1,
                "launch_type": "FARGATE",
                "network_configuration": {"subnets": network["subnets"], "security_groups": network["security_groups"]},
                "force_new_deployment": True,
            },
        },
    ]


def measure(moto, tasks, *args):
    plays = [{"hosts": "localhost", "gather_facts": False, "module_defaults": aws_defaults(moto.url), "tasks": tasks}]
    moto.start_recording()
    start = time.monotonic()
    report = run_playbook(plays, *args)
    elapsed = time.monotonic() - start
    actions = [a for a in moto.recorded_actions() if a.startswith("ecs:")]
    return len(actions), len(writes(actions)), elapsed, report["stats"]["localhost"]["changed"]


def main() -> None:
    moto = MotoServer()
    try:
        moto.client("ecs").create_cluster(clusterName="bench")
        ec2 = moto.client("ec2")
        network = {
            "subnets": [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]][:2],
            "security_groups": [ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]["GroupId"]],
        }
        rows = [
            ("ecs_deploy: create from nothing", measure(moto, ours(moto, network))),
            ("ecs_deploy: no-op", measure(moto, ours(moto, network))),
            ("ecs_deploy: no-op, --check", measure(moto, ours(moto, network), "--check")),
            ("ecs_deploy: task memory change", measure(moto, ours(moto, network, memory=1024))),
            (
                "ecs_deploy: rollback on demand",
                measure(
                    moto, [{"name": "rollback", "devops.fargate.ecs_deploy": {"cluster": "bench", "service": "web", "state": "rolled_back", "wait_delay": 1}}]
                ),
            ),
            ("stock ecs_taskdefinition + ecs_service: create", measure(moto, stock(moto, network))),
            ("stock ecs_taskdefinition + ecs_service: no-op", measure(moto, stock(moto, network))),
        ]
    finally:
        moto.stop()
    print(f"{'scenario':52} {'ECS calls':>9} {'writes':>6} {'changed':>7} {'seconds':>7}")
    for name, (calls, write_calls, elapsed, changed) in rows:
        print(f"{name:52} {calls:>9} {write_calls:>6} {changed:>7} {elapsed:>7.2f}")
    parser = argparse.ArgumentParser()
    parser.add_argument("--json")
    args = parser.parse_args()
    if args.json:
        figures = dict((name, values) for name, values in rows)
        ours_noop = figures["ecs_deploy: no-op"]
        result = {
            "title": "ECS API calls of the module alone, beside the stock modules",
            "rows": [{"name": name, "ecs_calls": c, "writes": w, "changed": ch, "seconds": round(t, 2)} for name, (c, w, t, ch) in rows],
            "targets": [
                {
                    "target": "ecs_deploy no-op: no write call, changed=0",
                    "figure": f"{ours_noop[0]} calls, {ours_noop[1]} writes",
                    "met": ours_noop[1] == 0 and ours_noop[3] == 0,
                },
            ],
        }
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(result, handle, indent=1)


if __name__ == "__main__":
    main()
