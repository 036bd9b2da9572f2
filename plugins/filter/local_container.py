# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: local_container
short_description: The local container of a task definition's container, or of a container Docker describes
version_added: 0.3.0
description:
  - The run_local role runs an ECS service's revision on the local Docker engine with M(community.docker.docker_container).
    This filter turns the revision's container definition into that module's arguments - the image, the environment,
    the port published on the loopback address, the health check, the stop timeout, and labels naming the revision
    and a digest of all these arguments (C(devops-fargate.container-spec)). A running container whose label has the
    digest is already as the module would make it, so a rerun need not ask.
  - Given C(inspect) instead (what M(community.docker.docker_container_info) returns of a container), it gives the
    arguments that run the same container again - how the role puts back the container a failed revision replaced.
  - Missing keys are left out (C(healthcheck) and C(stop_timeout) are then V(null)), so the module keeps its defaults.
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  _input:
    description:
      - A container definition, as ECS describes it (C(image), C(environment), C(portMappings), C(healthCheck), C(stopTimeout)).
      - Or, with O(inspect=true), a container as Docker inspects it (C(Config), C(HostConfig)).
    type: dict
    required: true
  port:
    description: The host port to publish the container's port on, on 127.0.0.1.
    type: int
    required: true
  task_definition_arn:
    description: The revision, recorded as the container's label C(devops-fargate.task-definition).
    type: str
  inspect:
    description: The input is a container Docker describes.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Run the revision's container
  community.docker.docker_container:
    name: web-local
    image: "{{ spec.image }}"
    env: "{{ spec.env }}"
    published_ports: "{{ spec.published_ports }}"
    healthcheck: "{{ spec.healthcheck if spec.healthcheck else omit }}"
    labels: "{{ spec.labels }}"
  vars:
    spec: "{{ definition | devops.fargate.local_container(port=8080, task_definition_arn=arn) }}"
"""

RETURN = r"""
_value:
  description: M(community.docker.docker_container)'s arguments.
  type: dict
  contains:
    image: {description: The image., type: str}
    env: {description: The environment., type: dict}
    published_ports: {description: "C(127.0.0.1:<port>:<container port>), one for each port the container publishes.", type: list}
    healthcheck: {description: The health check (C(test), C(interval), C(timeout), C(retries), C(start_period)); V(null) without one., type: dict}
    stop_timeout: {description: Seconds Docker waits after SIGTERM; V(null) when not set., type: int}
    labels: {description: "The container's labels: with O(task_definition_arn), the revision and the arguments' digest.", type: dict}
"""

import hashlib
import json

from ansible.errors import AnsibleFilterError

LABEL = "devops-fargate.task-definition"
SPEC_LABEL = "devops-fargate.container-spec"
NANOSECONDS = 1_000_000_000
# ECS's health check defaults (seconds), as Docker's are not the same.
ECS_HEALTH_DEFAULTS = {"interval": 30, "timeout": 5, "retries": 3, "startPeriod": 0}


def _health(test: list, interval: float, timeout: float, retries: int, start_period: float) -> dict:
    return {"test": test, "interval": f"{int(interval)}s", "timeout": f"{int(timeout)}s", "retries": int(retries), "start_period": f"{int(start_period)}s"}


def from_task(definition: dict, port: int, task_definition_arn: str | None = None) -> dict:
    check = definition.get("healthCheck")
    health = None
    if check:
        settings = {key: check.get(key, default) for key, default in ECS_HEALTH_DEFAULTS.items()}
        health = _health(check["command"], settings["interval"], settings["timeout"], settings["retries"], settings["startPeriod"])
    spec = {
        "image": definition["image"],
        "env": {item["name"]: item["value"] for item in definition.get("environment") or []},
        "published_ports": [f"127.0.0.1:{port}:{mapping['containerPort']}" for mapping in (definition.get("portMappings") or [])[:1]],
        "healthcheck": health,
        "stop_timeout": definition.get("stopTimeout"),
        "labels": {},
    }
    if task_definition_arn:
        spec["labels"] = {LABEL: task_definition_arn}
        spec["labels"][SPEC_LABEL] = "sha256:" + hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()
    return spec


def from_inspect(container: dict, port: int) -> dict:
    config, host = container.get("Config") or {}, container.get("HostConfig") or {}
    check = config.get("Healthcheck")
    health = None
    if check and check.get("Test") and check["Test"] != ["NONE"]:
        health = _health(
            check["Test"],
            (check.get("Interval") or ECS_HEALTH_DEFAULTS["interval"] * NANOSECONDS) / NANOSECONDS,
            (check.get("Timeout") or ECS_HEALTH_DEFAULTS["timeout"] * NANOSECONDS) / NANOSECONDS,
            check.get("Retries") or ECS_HEALTH_DEFAULTS["retries"],
            (check.get("StartPeriod") or 0) / NANOSECONDS,
        )
    return {
        "image": config["Image"],
        "env": dict(item.split("=", 1) for item in config.get("Env") or [] if "=" in item),
        "published_ports": [f"127.0.0.1:{port}:{key.split('/')[0]}" for key in sorted(host.get("PortBindings") or {})],
        "healthcheck": health,
        "stop_timeout": config.get("StopTimeout"),
        "labels": dict(config.get("Labels") or {}),
    }


def local_container(data: dict, port: int, task_definition_arn: str | None = None, inspect: bool = False) -> dict:
    if not isinstance(data, dict):
        raise AnsibleFilterError(f"local_container: expects a dict, got {type(data).__name__}")
    try:
        return from_inspect(data, int(port)) if inspect else from_task(data, int(port), task_definition_arn)
    except (KeyError, TypeError, ValueError) as e:
        raise AnsibleFilterError(f"local_container: not a {'container Docker describes' if inspect else 'container definition'}: {e!r}") from e


class FilterModule:
    def filters(self):
        return {"local_container": local_container}
