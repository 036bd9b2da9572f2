"""The local inventory's AWS CLI: the main job's AWS CLI play installs it (PyPI's awscli) and writes the local stack's
profile, and the summary's command then shows the service. Here into directories of the test's own (the machine's
/opt and the user's local-stack state stay as they are), against the e2e stack's moto."""

from __future__ import annotations

import json
import os
import subprocess

from devkit.helpers import copy_project
from devkit.helpers import run_project
from devkit.helpers import task_result


def test_the_local_inventory_installs_the_aws_cli_and_its_profile_shows_the_service(tmp_path, e2e_stack):
    ecs = e2e_stack.client("ecs")
    ecs.create_cluster(clusterName="awscli-local")
    ecs.create_service(cluster="awscli-local", serviceName="awscli-local", desiredCount=0)
    own = {
        "awscli_enabled": True,
        "awscli_venv_dir": str(tmp_path / "aws-cli"),
        "awscli_bin_dir": str(tmp_path / "bin"),
        "local_stack_state_dir": str(tmp_path / "state"),
        "aws_endpoint_url": e2e_stack.moto_url,
        "fargate_service_name": "awscli-local",
        "fargate_cluster_name": "awscli-local",
    }
    (tmp_path / "bin").mkdir()
    root = copy_project(tmp_path / "project", own)

    installed = run_project(root, "playbooks/awscli.yml")
    assert installed["rc"] == 0, installed["output"]
    again = run_project(root, "playbooks/awscli.yml")
    assert again["changed_tasks"] == [], "a second run changes nothing"
    # Nor does it include the install step or run the profiles' write: the probe found both as wanted.
    skipped = {task["task"]["name"].split(" : ", 1)[-1] for play in again["plays"] for task in play["tasks"]
               if task["hosts"].get("localhost", {}).get("skipped")}
    assert {"Install with the method chosen", "Write the AWS CLI profiles"} <= skipped, skipped
    config = (tmp_path / "state" / "aws" / "config").read_text()
    assert "[profile fargate-local]" in config and f"endpoint_url = {e2e_stack.moto_url}" in config

    summary = task_result(run_project(root, "playbooks/summary.yml", "-e", "deploy_started_at=2026-12-04T00:00:00.000000"), "Summarise the run")
    command = summary["msg"]["aws_cli"]
    assert "--profile fargate-local ecs describe-services --cluster awscli-local --services awscli-local" in command
    environment, argv = [part for part in command.split() if "=" in part], [part for part in command.split() if "=" not in part]
    argv[0] = str(tmp_path / "bin" / "aws")
    shown = subprocess.run(argv, env={**os.environ, **dict(part.split("=", 1) for part in environment)}, capture_output=True, text=True, timeout=60, check=False)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["services"][0]["serviceName"] == "awscli-local"
