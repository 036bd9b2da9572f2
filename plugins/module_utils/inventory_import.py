# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A running service as the fargate role's inventory variables, so a team can adopt devops.fargate without
redeploying (ecs_deploy_info ``inventory_vars``, playbooks/import.yml).

The inverse of roles/fargate/vars/main.yml: from DescribeServices' service and DescribeTaskDefinition's task
definition to ``fargate_*`` variables. What the role cannot express (a second container, a log driver other than
awslogs, ...) is not guessed: it is listed in the notes, for a person to decide.

Pure functions over botocore's ``Service`` and ``TaskDefinition`` shapes.
"""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.arn import parse_aws_arn

from ansible_collections.devops.fargate.plugins.module_utils.rollout import TAG_PREFIX

# Tags ECS, AWS or this project set: not the inventory's to manage.
_NOT_THE_INVENTORYS = ("aws:", "ecs:", TAG_PREFIX)
_HEALTH_CHECK_KEYS = ("command", "interval", "timeout", "retries", "startPeriod")


def _name(arn: str | None) -> str:
    """The last part of an ARN's resource (a cluster's or role's name, past any path); the value itself when it is no ARN."""
    parsed = parse_aws_arn(arn or "")
    return (parsed["resource"] if parsed else arn or "").rsplit("/", 1)[-1]


def _image_parts(image: str) -> dict:
    """``repository``, and ``tag`` or ``digest``, of an image reference."""
    if "@" in image:
        repository, digest = image.split("@", 1)
        return {"fargate_image_repository": repository, "fargate_image_digest": digest}
    last = image.rsplit("/", 1)[-1]
    if ":" in last:
        repository, tag = image.rsplit(":", 1)
        return {"fargate_image_repository": repository, "fargate_image_tag": tag}
    return {"fargate_image_repository": image, "fargate_image_tag": "latest"}


def _tags(tags: list[dict] | None) -> dict:
    return {tag["key"]: tag["value"] for tag in tags or [] if not tag.get("key", "").startswith(_NOT_THE_INVENTORYS)}


def _container_vars(container: dict, notes: list[str]) -> dict:
    found = {"fargate_container_name": container.get("name")}
    found.update(_image_parts(container.get("image", "")))
    ports = container.get("portMappings") or []
    if ports:
        found["fargate_container_port"] = ports[0].get("containerPort")
        if len(ports) > 1:
            notes.append(f"container {container.get('name')}: only its first port mapping is the role's (fargate_container_port)")
    found["fargate_environment"] = {item["name"]: item.get("value", "") for item in container.get("environment") or []}
    found["fargate_secrets"] = {item["name"]: item["valueFrom"] for item in container.get("secrets") or []}
    if container.get("healthCheck"):
        found["fargate_health_check"] = {key: container["healthCheck"][key] for key in _HEALTH_CHECK_KEYS if key in container["healthCheck"]}
    if container.get("stopTimeout") is not None:
        found["fargate_stop_timeout"] = container["stopTimeout"]
    logging = container.get("logConfiguration") or {}
    if logging.get("logDriver") == "awslogs" and (logging.get("options") or {}).get("awslogs-group"):
        found["fargate_log_group"] = logging["options"]["awslogs-group"]
    elif logging:
        notes.append(f"container {container.get('name')}: log driver {logging.get('logDriver')} is not the role's (awslogs); the role would replace it")
    for key in ("command", "entryPoint", "mountPoints", "dependsOn", "ulimits", "linuxParameters", "firelensConfiguration"):
        if container.get(key):
            notes.append(f"container {container.get('name')}: {key} has no role variable (the image's own is used)")
    return found


def _service_vars(service: dict, notes: list[str]) -> dict:
    found = {
        "fargate_service_name": service.get("serviceName"),
        "fargate_cluster_name": _name(service.get("clusterArn")),
        "fargate_desired_count": service.get("desiredCount"),
    }
    network = (service.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
    found["fargate_subnets"] = list(network.get("subnets") or [])
    found["fargate_security_groups"] = list(network.get("securityGroups") or [])
    found["fargate_assign_public_ip"] = network.get("assignPublicIp") == "ENABLED"
    if service.get("platformVersion"):
        found["fargate_platform_version"] = service["platformVersion"]
    configuration = service.get("deploymentConfiguration") or {}
    breaker = configuration.get("deploymentCircuitBreaker") or {}
    found["fargate_circuit_breaker"] = bool(breaker.get("enable") and breaker.get("rollback"))
    if breaker.get("enable") != breaker.get("rollback"):
        notes.append("the circuit breaker is on without rollback (or the other way round); the role sets both alike")
    alarms = configuration.get("alarms") or {}
    if alarms.get("enable"):
        found["fargate_alarms"] = {"names": list(alarms.get("alarmNames") or []), "rollback": bool(alarms.get("rollback"))}
    strategy = _strategy(configuration)
    if strategy:
        found["fargate_deployment_strategy"] = strategy
    found["fargate_load_balancers"] = [dict(balancer) for balancer in service.get("loadBalancers") or []]
    if service.get("healthCheckGracePeriodSeconds"):
        found["fargate_health_check_grace_period"] = service["healthCheckGracePeriodSeconds"]
    found["fargate_tags"] = _tags(service.get("tags"))
    if service.get("capacityProviderStrategy") and not service.get("launchType"):
        notes.append("the service runs on a capacity provider strategy; ecs_deploy manages Fargate services by launch type")
    return found


def _strategy(configuration: dict) -> dict:
    """The service's strategy as deployment_strategy takes it; empty for the default rolling update."""
    kind = configuration.get("strategy")
    if not kind or kind == "ROLLING":
        return {}
    found = {"type": kind.lower()}
    if configuration.get("bakeTimeInMinutes") is not None:
        found["bake_time"] = configuration["bakeTimeInMinutes"]
    canary = configuration.get("canaryConfiguration") or {}
    linear = configuration.get("linearConfiguration") or {}
    for key, value in (
        ("canary_percent", canary.get("canaryPercent")),
        ("canary_bake_time", canary.get("canaryBakeTimeInMinutes")),
        ("linear_step_percent", linear.get("stepPercent")),
        ("linear_step_bake_time", linear.get("stepBakeTimeInMinutes")),
    ):
        if value is not None:
            found[key] = value
    if configuration.get("lifecycleHooks"):
        found["lifecycle_hooks"] = [dict(hook) for hook in configuration["lifecycleHooks"]]
    return found


def inventory_vars(service: dict, task_definition: dict) -> tuple[dict, list[str]]:
    """``(variables, notes)``: the fargate role's variables that describe ``service`` as it runs
    ``task_definition``, and what they cannot say."""
    notes: list[str] = []
    found = _service_vars(service, notes)
    found.update(
        fargate_family=task_definition.get("family"),
        fargate_cpu=int(task_definition["cpu"]) if str(task_definition.get("cpu", "")).isdecimal() else task_definition.get("cpu"),
        fargate_memory=int(task_definition["memory"]) if str(task_definition.get("memory", "")).isdecimal() else task_definition.get("memory"),
    )
    architecture = (task_definition.get("runtimePlatform") or {}).get("cpuArchitecture")
    if architecture:
        found["fargate_cpu_architecture"] = architecture
    if task_definition.get("executionRoleArn"):
        found["fargate_execution_role_name"] = _name(task_definition["executionRoleArn"])
    if task_definition.get("taskRoleArn"):
        found["fargate_task_role_name"] = _name(task_definition["taskRoleArn"])
    containers = task_definition.get("containerDefinitions") or []
    essential = [container for container in containers if container.get("essential", True)] or containers
    if essential:
        found.update(_container_vars(essential[0], notes))
    for container in containers:
        if container is not (essential[0] if essential else None):
            notes.append(f"container {container.get('name')}: the role runs one container; this one is not in the variables")
    if task_definition.get("volumes"):
        notes.append("the task definition's volumes have no role variable")
    return found, notes
