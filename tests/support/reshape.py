"""Give moto's ECS answers the members real AWS adds and moto leaves out.

moto answers CreateService, DescribeServices and the rest without deploymentConfiguration's
alarms, strategy and bakeTimeInMinutes, without platformFamily, availabilityZoneRebalancing,
createdBy, ..., and task definitions without registeredAt, requiresAttributes,
enableFaultInjection or the containers' versionConsistency. Code proven only against moto can
then trip over them on AWS. ``reshape_answer`` adds them to a moto answer (a JSON dict), with the
values of the real-AWS corpus (tests/unit/plugins/module_utils/fixtures/real_aws: one source of
truth), and never overwrites a member moto did return. Only members whose value does not depend
on what the request asked for are added (AWS's defaults and read-only members); a member that
echoes the request (desiredCount, networkConfiguration, the circuit breaker, tags) is left as
moto answered it.

Pure functions over JSON dicts, no server: the fault proxy applies them in its reshape mode, and
tests/unit/plugins/module_utils/test_real_aws_reshape.py tests them without starting anything.
"""

from __future__ import annotations

import copy
import functools
import json
from datetime import datetime
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "unit" / "plugins" / "module_utils" / "fixtures" / "real_aws"
ECS_TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113."

SERVICE_OPERATIONS = {"DescribeServices": "services", "CreateService": "service", "UpdateService": "service", "DeleteService": "service"}
TASK_DEFINITION_OPERATIONS = ("DescribeTaskDefinition", "RegisterTaskDefinition")

# Service members AWS fills in whatever the request said (defaults, read-only members).
SERVICE_MEMBERS = (
    "roleArn",
    "createdAt",
    "createdBy",
    "loadBalancers",
    "serviceRegistries",
    "placementConstraints",
    "placementStrategy",
    "healthCheckGracePeriodSeconds",
    "schedulingStrategy",
    "deploymentController",
    "enableECSManagedTags",
    "enableExecuteCommand",
    "availabilityZoneRebalancing",
    "resourceManagementType",
    "events",
)
FARGATE_SERVICE_MEMBERS = ("platformVersion", "platformFamily")
DEPLOYMENT_CONFIGURATION_MEMBERS = ("maximumPercent", "minimumHealthyPercent", "alarms", "strategy", "bakeTimeInMinutes")
DEPLOYMENT_MEMBERS = ("failedTasks",)
FARGATE_DEPLOYMENT_MEMBERS = ("platformVersion", "platformFamily")

TASK_DEFINITION_MEMBERS = (
    "registeredAt",
    "registeredBy",
    "requiresAttributes",
    "compatibilities",
    "placementConstraints",
    "volumes",
    "runtimePlatform",
    "enableFaultInjection",
)
CONTAINER_MEMBERS = ("cpu", "essential", "mountPoints", "volumesFrom", "systemControls", "versionConsistency")
LOG_CONFIGURATION_MEMBERS = ("secretOptions",)
PORT_MAPPING_MEMBERS = ("protocol",)
# Members the AWS JSON protocol sends as epoch seconds; the corpus spells them as the CLI prints them.
TIMESTAMPS = {"createdAt", "updatedAt", "registeredAt"}


@functools.lru_cache(maxsize=None)
def corpus(fixture: str) -> dict:
    """A corpus answer as JSON (read once)."""
    return json.loads((CORPUS / fixture).read_text())


def corpus_service() -> dict:
    return corpus("ecs.DescribeServices.json")["services"][0]


def corpus_task_definition() -> dict:
    return corpus("ecs.DescribeTaskDefinition.json")["taskDefinition"]


def _wire(key: str, value):
    if key in TIMESTAMPS and isinstance(value, str):
        return datetime.fromisoformat(value).timestamp()
    return copy.deepcopy(value)


def _add_missing(target: dict, source: dict, members) -> None:
    """Copy ``members`` from ``source`` into ``target`` where ``target`` has none; never overwrite."""
    for member in members:
        if member not in target and member in source:
            target[member] = _wire(member, source[member])


def reshape_service(service: dict) -> dict:
    """A service object with the members AWS adds, from the corpus; what moto returned is kept."""
    service = copy.deepcopy(service)
    real = corpus_service()
    fargate = service.get("launchType") == "FARGATE"
    _add_missing(service, real, SERVICE_MEMBERS + (FARGATE_SERVICE_MEMBERS if fargate else ()))
    configuration = service.setdefault("deploymentConfiguration", {})
    _add_missing(configuration, real["deploymentConfiguration"], DEPLOYMENT_CONFIGURATION_MEMBERS)
    real_deployment = real["deployments"][0]
    for deployment in service.get("deployments") or []:
        _add_missing(deployment, real_deployment, DEPLOYMENT_MEMBERS + (FARGATE_DEPLOYMENT_MEMBERS if deployment.get("launchType") == "FARGATE" else ()))
    return service


def reshape_task_definition(task_definition: dict) -> dict:
    """A task definition with the members AWS adds, from the corpus; what moto returned is kept."""
    task_definition = copy.deepcopy(task_definition)
    real = corpus_task_definition()
    real_container = real["containerDefinitions"][0]
    _add_missing(task_definition, real, TASK_DEFINITION_MEMBERS)
    awsvpc = task_definition.get("networkMode") == "awsvpc"
    for container in task_definition.get("containerDefinitions") or []:
        _add_missing(container, real_container, CONTAINER_MEMBERS)
        if isinstance(container.get("logConfiguration"), dict):
            _add_missing(container["logConfiguration"], real_container["logConfiguration"], LOG_CONFIGURATION_MEMBERS)
        for mapping in container.get("portMappings") or []:
            _add_missing(mapping, real_container["portMappings"][0], PORT_MAPPING_MEMBERS)
            if awsvpc and "hostPort" not in mapping and "containerPort" in mapping:
                mapping["hostPort"] = mapping["containerPort"]  # awsvpc: AWS sets hostPort to containerPort
    return task_definition


def reshape_answer(operation: str, answer: dict) -> dict:
    """moto's answer to an ECS ``operation`` as real AWS shapes it; other operations unchanged (a copy)."""
    answer = copy.deepcopy(answer)
    if operation in SERVICE_OPERATIONS:
        key = SERVICE_OPERATIONS[operation]
        if key == "services":
            answer["services"] = [reshape_service(service) for service in answer.get("services") or []]
            answer.setdefault("failures", [])
        elif isinstance(answer.get(key), dict):
            answer[key] = reshape_service(answer[key])
    elif operation in TASK_DEFINITION_OPERATIONS and isinstance(answer.get("taskDefinition"), dict):
        answer["taskDefinition"] = reshape_task_definition(answer["taskDefinition"])
    return answer


def reshape_body(target: str, body: bytes) -> bytes:
    """The proxy's entry: an X-Amz-Target and a JSON body in, the body to send on out."""
    if not target.startswith(ECS_TARGET_PREFIX):
        return body
    operation = target[len(ECS_TARGET_PREFIX):]
    if operation not in SERVICE_OPERATIONS and operation not in TASK_DEFINITION_OPERATIONS:
        return body
    try:
        answer = json.loads(body)
    except ValueError:
        return body
    if not isinstance(answer, dict):
        return body
    return json.dumps(reshape_answer(operation, answer)).encode()
