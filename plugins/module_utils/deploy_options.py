# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ecs_deploy module's options and their checks, which need no AWS call: every bad input is reported before
anything is read or changed.

Apart from module_utils.deploy (the deployment, which loads boto3), so that the ecs_deploy_errors filter, which the
fargate role's input check runs in its preflight and again in the role, loads only what checks the options.
"""

from __future__ import annotations

import re

from ansible_collections.devops.fargate.plugins.module_utils.one_off import pre_deploy_task_errors
from ansible_collections.devops.fargate.plugins.module_utils.rollout import TAG_PREFIX
from ansible_collections.devops.fargate.plugins.module_utils.strategy import strategy_errors
from ansible_collections.devops.fargate.plugins.module_utils.taskdef import check_against_shape
from ansible_collections.devops.fargate.plugins.module_utils.taskdef import parse_cpu
from ansible_collections.devops.fargate.plugins.module_utils.taskdef import parse_memory
from ansible_collections.devops.fargate.plugins.module_utils.taskdef import pin_image
from ansible_collections.devops.fargate.plugins.module_utils.taskdef import validate_task_definition

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
_SUBNET = re.compile(r"^subnet-[0-9a-f]+$")
_SECURITY_GROUP = re.compile(r"^sg-[0-9a-f]+$")
_ROLLBACK_TO = re.compile(r"^([0-9]+|[A-Za-z0-9_-]{1,255}:[0-9]+|arn:aws[a-z-]*:ecs:[^:]+:[0-9]{12}:task-definition/[A-Za-z0-9_-]{1,255}:[0-9]+)$")
_ARN_OR_NAME = re.compile(r"^(arn:aws[a-z-]*:ecs:[^:]+:[0-9]{12}:cluster/)?[A-Za-z0-9_-]{1,255}$")


# The module's options; also used by the ecs_deploy_errors filter to check a role's inputs early.
ARGUMENT_SPEC = dict(
    state=dict(type="str", choices=["present", "rolled_back", "absent"], default="present"),
    cluster=dict(type="str", required=True),
    service=dict(type="str", required=True),
    family=dict(type="str"),
    container_definitions=dict(type="list", elements="dict"),
    cpu=dict(type="raw"),
    memory=dict(type="raw"),
    execution_role_arn=dict(type="str"),
    task_role_arn=dict(type="str"),
    runtime_platform=dict(type="dict"),
    ephemeral_storage_gib=dict(type="int"),
    volumes=dict(type="list", elements="dict"),
    task_definition_tags=dict(type="dict"),
    image_digests=dict(type="dict"),
    image_update_mode=dict(type="str", choices=["pin", "tag"], default="pin"),
    force_new_deployment=dict(type="bool", default=False),
    desired_count=dict(type="int"),
    subnets=dict(type="list", elements="str"),
    security_groups=dict(type="list", elements="str", default=[]),
    assign_public_ip=dict(type="bool", default=False),
    platform_version=dict(type="str"),
    circuit_breaker=dict(type="bool", default=True),
    maximum_percent=dict(type="int", default=200),
    minimum_healthy_percent=dict(type="int", default=100),
    load_balancers=dict(type="list", elements="dict"),
    health_check_grace_period_seconds=dict(type="int"),
    propagate_tags=dict(type="str", choices=["SERVICE", "TASK_DEFINITION", "NONE"], default="SERVICE"),
    enable_execute_command=dict(type="bool"),
    tags=dict(type="dict", aliases=["service_tags", "resource_tags"]),
    purge_tags=dict(type="bool", default=True),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=900),
    wait_delay=dict(type="int", default=10),
    failed_tasks_threshold=dict(type="int", default=0),
    alarms=dict(type="dict", options=dict(names=dict(type="list", elements="str", required=True), rollback=dict(type="bool", default=True))),
    deployment_strategy=dict(
        type="dict",
        options=dict(
            type=dict(type="str", choices=["rolling", "blue_green", "canary", "linear"], required=True),
            bake_time=dict(type="int"),
            canary_percent=dict(type="float"),
            canary_bake_time=dict(type="int"),
            linear_step_percent=dict(type="float"),
            linear_step_bake_time=dict(type="int"),
            lifecycle_hooks=dict(type="list", elements="dict"),
        ),
    ),
    rollback_on_failure=dict(type="bool", default=True),
    rollback_to=dict(type="str"),
    continue_deployment=dict(type="bool"),
    keep_revisions=dict(type="int"),
    pre_deploy_task=dict(
        type="dict",
        options=dict(
            command=dict(type="list", elements="str", required=True),
            container=dict(type="str"),
            wait_timeout=dict(type="int", default=600),
            run_by=dict(type="str", default="ecs", choices=["ecs", "caller"]),
        ),
    ),
)


def with_defaults(args: dict) -> dict:
    """Module arguments completed with the argument spec's defaults, as AnsibleModule would."""
    params = {name: spec.get("default") for name, spec in ARGUMENT_SPEC.items()}
    for name, spec in ARGUMENT_SPEC.items():
        for key in [name, *spec.get("aliases", [])]:
            if key in args:
                params[name] = args[key]
    return params


def desired_task_definition(params: dict) -> dict:
    """The RegisterTaskDefinition input the options describe, images pinned in pin mode."""
    containers = [dict(container) for container in params.get("container_definitions") or []]
    digests = params.get("image_digests") or {}
    if params.get("image_update_mode", "pin") == "pin":
        for container in containers:
            digest = digests.get(container.get("name"))
            if digest and isinstance(container.get("image"), str):
                try:
                    container["image"] = pin_image(container["image"], digest)
                except ValueError:
                    pass  # validate_options names image_digests or the image
    definition: dict = {
        "family": params.get("family"),
        "containerDefinitions": containers,
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
    }
    optional = {
        "cpu": params.get("cpu"),
        "memory": params.get("memory"),
        "executionRoleArn": params.get("execution_role_arn"),
        "taskRoleArn": params.get("task_role_arn"),
        "runtimePlatform": params.get("runtime_platform"),
        "volumes": params.get("volumes"),
    }
    definition.update({key: value for key, value in optional.items() if value is not None})
    for key, parse in (("cpu", parse_cpu), ("memory", parse_memory)):
        if key in definition:
            try:
                definition[key] = str(parse(definition[key]))
            except ValueError:
                pass  # validate_task_definition names the option
    if params.get("ephemeral_storage_gib") is not None:
        definition["ephemeralStorage"] = {"sizeInGiB": params["ephemeral_storage_gib"]}
    return definition


def _check_service_options(params: dict) -> list[str]:
    errors = []
    if not _ARN_OR_NAME.match(params["cluster"] or ""):
        errors.append(f"cluster: {params['cluster']!r} is not a cluster name (letters, digits, - and _, up to 255) or ARN")
    if not _NAME.match(params["service"] or ""):
        errors.append(f"service: {params['service']!r} must be 1-255 letters, digits, - and _")
    for option, minimum in (
        ("desired_count", 0),
        ("health_check_grace_period_seconds", 0),
        ("failed_tasks_threshold", 0),
        ("wait_timeout", 1),
        ("wait_delay", 1),
        ("keep_revisions", 1),
    ):
        value = params.get(option)
        if value is not None and value < minimum:
            errors.append(f"{option}: must be {minimum} or more, got {value}")
    alarms = (params.get("alarms") or {}).get("names") or []
    errors += [f"alarms.names: {name!r} is not a CloudWatch alarm name (1 to 255 characters)" for name in alarms if not 1 <= len(str(name)) <= 255]
    errors += [f"alarms.names: {name!r} is listed twice" for name in sorted({n for n in alarms if alarms.count(n) > 1})]
    if not 0 <= params["minimum_healthy_percent"] <= 100:
        errors.append(f"minimum_healthy_percent: must be from 0 to 100, got {params['minimum_healthy_percent']}")
    if params["maximum_percent"] < max(100, params["minimum_healthy_percent"]):
        errors.append(f"maximum_percent: must be at least 100 and at least minimum_healthy_percent, got {params['maximum_percent']}")
    return errors


def _check_network_options(params: dict) -> list[str]:
    errors = []
    subnets = params.get("subnets")
    if params["state"] == "present" and subnets is not None and not subnets:
        errors.append("subnets: at least one subnet id is required for awsvpc")
    errors += [f"subnets: {subnet!r} is not a subnet id (subnet-...)" for subnet in subnets or [] if not _SUBNET.match(str(subnet))]
    errors += [
        f"security_groups: {group!r} is not a security group id (sg-...)"
        for group in params.get("security_groups") or []
        if not _SECURITY_GROUP.match(str(group))
    ]
    return errors


def _check_image_options(params: dict) -> list[str]:
    errors = []
    digests = params.get("image_digests") or {}
    names = {container.get("name") for container in params.get("container_definitions") or [] if isinstance(container, dict)}
    for name, digest in digests.items():
        if name not in names:
            errors.append(f"image_digests.{name}: no container of that name (containers: {', '.join(sorted(str(n) for n in names)) or 'none'})")
        if not isinstance(digest, str) or not _DIGEST.match(digest):
            errors.append(f"image_digests.{name}: {digest!r} is not an image digest (sha256: and 64 hex digits)")
    if params.get("image_update_mode") == "tag" and not digests:
        errors.append("image_update_mode: tag needs image_digests, to know when an image changed behind its tag")
    return errors


def _check_load_balancers(params: dict) -> list[str]:
    errors = []
    ports = {}
    for container in params.get("container_definitions") or []:
        if isinstance(container, dict):
            ports[container.get("name")] = {mapping.get("containerPort") for mapping in container.get("portMappings") or [] if isinstance(mapping, dict)}
    for index, balancer in enumerate(params.get("load_balancers") or []):
        where = f"load_balancers[{index}]"
        unknown = set(balancer) - {"targetGroupArn", "loadBalancerName", "containerName", "containerPort", "advancedConfiguration"}
        if unknown:
            errors.append(f"{where}: unknown keys {', '.join(sorted(unknown))}; use targetGroupArn, containerName, containerPort, advancedConfiguration")
        if balancer.get("advancedConfiguration") is not None:
            errors += check_against_shape(balancer["advancedConfiguration"], "AdvancedConfiguration", f"{where}.advancedConfiguration")
        if not balancer.get("targetGroupArn"):
            errors.append(f"{where}.targetGroupArn: required for Fargate services")
        if balancer.get("containerName") not in ports:
            errors.append(f"{where}.containerName: {balancer.get('containerName')!r} is not one of the containers")
        elif balancer.get("containerPort") not in ports[balancer.get("containerName")]:
            errors.append(f"{where}.containerPort: {balancer.get('containerPort')!r} is not a containerPort of {balancer.get('containerName')}")
    return errors


def _check_tags(params: dict) -> list[str]:
    errors = []
    for option in ("tags", "task_definition_tags"):
        for key, value in (params.get(option) or {}).items():
            if str(key).startswith(TAG_PREFIX) or str(key).lower().startswith("aws:"):
                errors.append(f"{option}.{key}: keys starting with {TAG_PREFIX} or aws: are reserved")
            if not isinstance(value, (str, int, float, bool)):
                errors.append(f"{option}.{key}: tag values must be strings")
    return errors


def validate_options(params: dict) -> list[str]:
    """Every problem with the options, each naming the option and the rule; [] when fine."""
    errors = _check_service_options(params) + _check_tags(params)
    if params["rollback_to"] is not None and not _ROLLBACK_TO.match(params["rollback_to"]):
        errors.append(f"rollback_to: {params['rollback_to']!r} must be a revision number, family:revision or a task definition ARN")
    if params["state"] != "present":
        return errors
    errors += _check_network_options(params) + _check_image_options(params) + _check_load_balancers(params)
    errors += strategy_errors(params.get("deployment_strategy"), params.get("load_balancers"))
    errors += pre_deploy_task_errors(params.get("pre_deploy_task"), params.get("container_definitions") or [])
    errors += [
        f"task_definition: {error}" if not error.startswith(("task_definition", "container_definitions")) else error
        for error in validate_task_definition(desired_task_definition(params))
    ]
    return errors
