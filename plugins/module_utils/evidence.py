# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Why a task stopped, with evidence: its stop code and reason, each container's exit code and reason, and the
last lines its container wrote to CloudWatch Logs, so a failed rollout says why without the console.

Pure functions over botocore's ``Task``, ``ContainerDefinition`` and ``OutputLogEvent`` shapes; the calls
(DescribeTasks, DescribeTaskDefinition, GetLogEvents) are the caller's.
"""

from __future__ import annotations

# Bounds: the newest tasks, the last lines of each container's stream, the length of a line, and the lines a
# failure message quotes (the result carries them all).
MAX_TASKS = 3
MAX_LOG_LINES = 20
MAX_LINE_LENGTH = 300
MESSAGE_LOG_LINES = 5


def log_stream(container_definition: dict, task_arn: str) -> tuple[str, str] | None:
    """``(log group, log stream)`` of the container in task ``task_arn``, where its awslogs configuration names them.

    The awslogs driver names a stream ``<awslogs-stream-prefix>/<container name>/<task ID>``; without a prefix the
    stream is named after the container's Docker ID, which ECS does not report, so there is none to read.
    """
    configuration = container_definition.get("logConfiguration") or {}
    options = configuration.get("options") or {}
    if configuration.get("logDriver") != "awslogs" or not options.get("awslogs-group") or not options.get("awslogs-stream-prefix"):
        return None
    task_id = task_arn.rsplit("/", 1)[-1]
    return options["awslogs-group"], f"{options['awslogs-stream-prefix']}/{container_definition['name']}/{task_id}"


def log_lines(events: list[dict]) -> list[str]:
    """GetLogEvents' events (oldest first), as bounded lines: the last ``MAX_LOG_LINES``, each cut to ``MAX_LINE_LENGTH``."""
    lines = [str(event.get("message", "")).rstrip("\n") for event in events][-MAX_LOG_LINES:]
    return [line if len(line) <= MAX_LINE_LENGTH else line[: MAX_LINE_LENGTH - 3] + "..." for line in lines]


def task_evidence(task: dict, container_definitions: list[dict], read_log) -> dict:
    """One stopped task as the result reports it. ``read_log(group, stream)`` returns ``(lines, error)``: the
    stream's last lines, or why they could not be read (a denied call, a stream never written)."""
    definitions = {definition.get("name"): definition for definition in container_definitions}
    containers = []
    for container in task.get("containers") or []:
        found = {"name": container.get("name"), "exit_code": container.get("exitCode"), "reason": container.get("reason")}
        stream = log_stream(definitions.get(container.get("name")) or {}, task.get("taskArn", ""))
        if stream:
            lines, error = read_log(*stream)
            found.update(log_group=stream[0], log_stream=stream[1], last_log_lines=lines)
            if error:
                found["log_error"] = error
        containers.append(found)
    return {
        "task_arn": task.get("taskArn"),
        "task_definition_arn": task.get("taskDefinitionArn"),
        "stop_code": task.get("stopCode"),
        "stopped_reason": task.get("stoppedReason"),
        "containers": containers,
    }


def evidence_message(evidence: list[dict]) -> str:
    """The newest stopped task's containers that exited or logged, in a few lines for a failure message; empty when
    there is nothing to add to the stopped tasks' reasons."""
    if not evidence:
        return ""
    task = evidence[0]
    task_id = (task.get("task_arn") or "?").rsplit("/", 1)[-1]
    parts = []
    for container in task["containers"]:
        lines = container.get("last_log_lines") or []
        if lines:
            quoted = " | ".join(lines[-MESSAGE_LOG_LINES:])
            parts.append(f"last log lines of task {task_id} container {container['name']} ({container['log_stream']}): {quoted}")
        elif container.get("log_error"):
            parts.append(f"the log of task {task_id} container {container['name']} could not be read: {container['log_error']}")
    return "; ".join(parts)
