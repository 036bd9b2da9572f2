# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A one-off task run before a rollout (``pre_deploy_task``: database migrations, say): when it runs, what RunTask
is asked, and what its stopped task means.

Pure functions over botocore's ``Task`` shape; the calls (RunTask, DescribeTasks, StopTask) live in ecs.py.
"""

from __future__ import annotations

from ansible_collections.devops.fargate.plugins.module_utils.rollout import DeploymentState

# Who started the task, in RunTask's startedBy (at most 128 characters): a reader of the cluster's tasks sees why it ran.
STARTED_BY = "devops-fargate/pre-deploy"


def container_name(spec: dict, container_definitions: list[dict]) -> str | None:
    """The container the command replaces the command of: the one named, else the first essential one."""
    if spec.get("container"):
        return spec["container"]
    essential = [c.get("name") for c in container_definitions if c.get("essential", True)]
    return essential[0] if essential else None


def pre_deploy_task_errors(spec: dict | None, container_definitions: list[dict]) -> list[str]:
    """What is wrong with ``pre_deploy_task``, before any call."""
    if not spec:
        return []
    errors = []
    if not spec.get("command") or not all(isinstance(part, str) and part for part in spec["command"]):
        errors.append("pre_deploy_task.command: must be a non-empty list of non-empty strings (the container's command, e.g. [flask, db, upgrade])")
    names = [c.get("name") for c in container_definitions]
    if spec.get("container") and spec["container"] not in names:
        errors.append(f"pre_deploy_task.container: {spec['container']!r} is not one of the task definition's containers ({', '.join(map(str, names))})")
    if spec.get("wait_timeout") is not None and spec["wait_timeout"] < 1:
        errors.append(f"pre_deploy_task.wait_timeout: must be 1 or more seconds, got {spec['wait_timeout']}")
    return errors


def run_task_params(cluster: str, task_definition: str, container: str, command: list[str], network_configuration: dict,
                    platform_version: str | None = None) -> dict:
    """RunTask's input: one Fargate task of ``task_definition`` in the service's network, ``container`` running ``command``."""
    params = {
        "cluster": cluster,
        "taskDefinition": task_definition,
        "launchType": "FARGATE",
        "count": 1,
        "startedBy": STARTED_BY,
        "networkConfiguration": network_configuration,
        "overrides": {"containerOverrides": [{"name": container, "command": list(command)}]},
    }
    if platform_version:
        params["platformVersion"] = platform_version
    return params


def classify_one_off_task(task: dict, container: str) -> tuple[DeploymentState, str]:
    """COMPLETED once the task stopped with ``container`` exiting 0; FAILED when it stopped otherwise; IN_PROGRESS
    while it has not stopped."""
    task_id = (task.get("taskArn") or "?").rsplit("/", 1)[-1]
    status = task.get("lastStatus") or "PROVISIONING"
    if status != "STOPPED":
        return DeploymentState.IN_PROGRESS, f"task {task_id} {status}"
    found = next((c for c in task.get("containers") or [] if c.get("name") == container), {})
    exit_code = found.get("exitCode")
    if exit_code == 0:
        return DeploymentState.COMPLETED, f"task {task_id}: container {container} exited 0"
    stopped = ": ".join(part for part in (task.get("stopCode"), task.get("stoppedReason")) if part)
    said = f"exit code {exit_code}" if exit_code is not None else "no exit code (it never ran)"
    reason = found.get("reason")
    return DeploymentState.FAILED, f"task {task_id}: container {container} {said}" + (f" ({reason})" if reason else "") + (f"; {stopped}" if stopped else "")
