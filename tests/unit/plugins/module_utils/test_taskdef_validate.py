from __future__ import annotations

import copy

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.taskdef import validate_task_definition

IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/flask-web:1.4.2"


def _web(**overrides) -> dict:
    container = {
        "name": "web",
        "image": IMAGE,
        "essential": True,
        "portMappings": [{"containerPort": 8000, "protocol": "tcp"}],
        "environment": [{"name": "LOG_LEVEL", "value": "info"}],
        "secrets": [{"name": "SECRET_KEY", "valueFrom": "arn:aws:ssm:eu-west-1:123456789012:parameter/secret-key"}],
        "healthCheck": {"command": ["CMD", "true"], "interval": 30, "timeout": 5, "retries": 3, "startPeriod": 10},
        "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/flask-web"}},
    }
    container.update(overrides)
    return container


def _task(**overrides) -> dict:
    td = {
        "family": "flask-web",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
        "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
        "containerDefinitions": [_web()],
        "tags": [{"key": "app", "value": "flask-web"}],
    }
    td.update(overrides)
    return {k: v for k, v in td.items() if v is not None}


def _without(td: dict, *path) -> dict:
    td = copy.deepcopy(td)
    target = td
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return td


@pytest.mark.parametrize(
    "td, launch_type",
    [
        (_task(), "FARGATE"),
        (_task(cpu=256, memory=2048), "FARGATE"),
        (_task(cpu="0.25 vCPU", memory="0.5 GB"), "FARGATE"),
        (_task(cpu="4 vCPU", memory="30 GB", ephemeralStorage={"sizeInGiB": 200}), "FARGATE"),
        (_task(networkMode=None), "FARGATE"),
        (_task(containerDefinitions=[_web(essential=None), _web(name="sidecar", essential=False, portMappings=None)]), "FARGATE"),
        (_task(containerDefinitions=[_web(portMappings=[{"containerPort": 8000, "hostPort": 8000}])]), "FARGATE"),
        (_task(networkMode="bridge", requiresCompatibilities=["EC2"], cpu=None, memory=None,
               containerDefinitions=[_web(memory=256, portMappings=[{"containerPort": 8000, "hostPort": 0}])]), "EC2"),
        (_task(containerDefinitions=[_web(image="127.0.0.1:5050/app@sha256:" + "a" * 64)]), "FARGATE"),
    ],
)
def test_validate_task_definition_accepts(td, launch_type):
    assert validate_task_definition(td, launch_type) == []


@pytest.mark.parametrize(
    "td, expected",
    [
        # Fargate sizes and network mode
        (_task(memory="4096"), "task_definition.cpu/memory: 256 CPU units allow memory 512, 1024 or 2048 MiB, not 4096"),
        (_task(cpu="1 vCPU", memory="1 GB"), "task_definition.cpu/memory: 1024 CPU units allow memory 2048 to 8192 MiB in steps of 1024, not 1024"),
        (_task(cpu="300"), "task_definition.cpu: Fargate supports 256, 512, 1024, 2048, 4096, 8192 or 16384 CPU units, got 300"),
        (_task(cpu=None), "task_definition.cpu: required on Fargate"),
        (_task(memory=None), "task_definition.memory: required on Fargate"),
        (_task(memory="1 TB"), "task_definition.memory: memory '1 TB': unknown unit 'tb'; use MiB (512) or GB (1 GB)"),
        (_task(cpu=True), "task_definition.cpu: cpu must be an integer or a string such as '1024', got True"),
        (_task(ephemeralStorage={"sizeInGiB": 20}), "task_definition.ephemeralStorage.sizeInGiB: Fargate accepts 21 to 200 GiB, got 20"),
        (_task(networkMode="bridge"), "task_definition.networkMode: Fargate requires awsvpc, got bridge"),
        (_task(networkMode="vpc"), "task_definition.networkMode: must be one of bridge, host, awsvpc or none, got 'vpc'"),
        # keys the API does not know, at every level
        (_task(launchType="FARGATE"), "task_definition.launchType: unknown key; RegisterTaskDefinitionRequest accepts: "),
        (_task(containerDefinitions=[_web(foo=1)]), "container_definitions[0].foo: unknown key; ContainerDefinition accepts: "),
        (_task(containerDefinitions=[_web(portMappings=[{"containerPort": 8000, "foo": 1}])]),
         "container_definitions[0].portMappings[0].foo: unknown key; "
         "PortMapping accepts: appProtocol, containerPort, containerPortRange, hostPort, name, protocol"),
        (_task(containerDefinitions=[_web(healthCheck={"command": ["CMD", "true"], "bar": 1})]),
         "container_definitions[0].healthCheck.bar: unknown key; HealthCheck accepts: command, interval, retries, startPeriod, timeout"),
        (_task(tags=[{"Key": "app", "Value": "x"}]), "task_definition.tags[0].Key: unknown key; Tag accepts: key, value"),
        # required members
        (_without(_task(), "family"), "task_definition.family: required; RegisterTaskDefinitionRequest must set it"),
        (_without(_task(), "containerDefinitions"), "container_definitions: required; RegisterTaskDefinitionRequest must set it"),
        (_task(containerDefinitions=[]), "container_definitions: at least one container is required"),
        (_task(containerDefinitions=[_web(image=None)]), "container_definitions[0].image: required; ContainerDefinition must set it"),
        (_task(containerDefinitions=[_web(name=None)]), "container_definitions[0].name: required; ContainerDefinition must set it"),
        (_task(containerDefinitions=[_web(secrets=[{"name": "SECRET_KEY"}])]),
         "container_definitions[0].secrets[0].valueFrom: required; Secret must set it"),
        (_task(containerDefinitions=[_web(healthCheck={"interval": 30})]),
         "container_definitions[0].healthCheck.command: required; HealthCheck must set it"),
        # types and enums from the model
        (_task(containerDefinitions=[_web(essential="yes")]), "container_definitions[0].essential: must be a boolean, got str 'yes'"),
        (_task(containerDefinitions=[_web(portMappings=[{"containerPort": "8000"}])]),
         "container_definitions[0].portMappings[0].containerPort: must be an integer, got str '8000'"),
        (_task(containerDefinitions=[_web(environment=[{"name": "PORT", "value": 8000}])]),
         "container_definitions[0].environment[0].value: must be a string, got int 8000"),
        (_task(containerDefinitions=[_web(command="gunicorn app:app")]), "container_definitions[0].command: must be a list, got str 'gunicorn app:app'"),
        (_task(tags={"app": "x"}), "task_definition.tags: must be a list, got dict {'app': 'x'}"),
        (_task(containerDefinitions=[_web(dockerLabels={"port": 8000})]),
         "container_definitions[0].dockerLabels.port: keys and values must be strings, got 8000"),
        (_task(containerDefinitions=[_web(portMappings=[{"containerPort": 8000, "protocol": "TCP"}])]),
         "container_definitions[0].portMappings[0].protocol: must be one of tcp or udp, got 'TCP'"),
        (_task(containerDefinitions=[_web(logConfiguration={"logDriver": "cloudwatch"})]),
         "container_definitions[0].logConfiguration.logDriver: "
         "must be one of json-file, syslog, journald, gelf, fluentd, awslogs, splunk or awsfirelens, got 'cloudwatch'"),
        (_task(tags=[{"key": "", "value": "x"}]), "task_definition.tags[0].key: length must be at least 1, got ''"),
        # names
        (_task(family="flask web"), "task_definition.family: must be 1-255 letters, digits, hyphens or underscores, got 'flask web'"),
        (_task(containerDefinitions=[_web(), _web(essential=False)]),
         "container_definitions[1].name: 'web' is used by more than one container; names must be unique"),
        (_task(containerDefinitions=[_web(name="web.app")]),
         "container_definitions[0].name: must be 1-255 letters, digits, hyphens or underscores, got 'web.app'"),
        # image references
        (_task(containerDefinitions=[_web(image="Foo Bar")]),
         "container_definitions[0].image: 'Foo Bar' is not a valid image reference (repository[:tag][@sha256:digest])"),
        (_task(containerDefinitions=[_web(image="app@sha256:abc")]),
         "container_definitions[0].image: 'app@sha256:abc' is not a valid image reference (repository[:tag][@sha256:digest])"),
        (_task(containerDefinitions=[_web(image="registry:5000/app:")]),
         "container_definitions[0].image: 'registry:5000/app:' is not a valid image reference (repository[:tag][@sha256:digest])"),
        # ports
        (_task(containerDefinitions=[_web(portMappings=[{"containerPort": 70000}])]),
         "container_definitions[0].portMappings[0].containerPort: must be an integer from 1 to 65535, got 70000"),
        (_task(containerDefinitions=[_web(portMappings=[{"containerPort": 0}])]),
         "container_definitions[0].portMappings[0].containerPort: must be an integer from 1 to 65535, got 0"),
        (_task(containerDefinitions=[_web(portMappings=[{"containerPort": 8000, "hostPort": 80}])]),
         "container_definitions[0].portMappings[0].hostPort: on awsvpc it must equal containerPort 8000, got 80"),
        # essential
        (_task(containerDefinitions=[_web(essential=False)]),
         "container_definitions: at least one container must be essential (essential absent counts as true)"),
        # health check ranges
        (_task(containerDefinitions=[_web(healthCheck={"command": ["CMD", "true"], "interval": 1})]),
         "container_definitions[0].healthCheck.interval: must be from 5 to 300, got 1"),
        (_task(containerDefinitions=[_web(healthCheck={"command": ["CMD", "true"], "timeout": 121})]),
         "container_definitions[0].healthCheck.timeout: must be from 2 to 120, got 121"),
        (_task(containerDefinitions=[_web(healthCheck={"command": ["CMD", "true"], "retries": 0})]),
         "container_definitions[0].healthCheck.retries: must be from 1 to 10, got 0"),
        (_task(containerDefinitions=[_web(healthCheck={"command": ["CMD", "true"], "startPeriod": 301})]),
         "container_definitions[0].healthCheck.startPeriod: must be from 0 to 300, got 301"),
        # variables
        (_task(containerDefinitions=[_web(environment=[{"name": "A", "value": "1"}, {"name": "A", "value": "2"}])]),
         "container_definitions[0].environment[1].name: 'A' is set more than once; names must be unique"),
        (_task(containerDefinitions=[_web(secrets=[{"name": "S", "valueFrom": "arn:a"}, {"name": "S", "valueFrom": "arn:b"}])]),
         "container_definitions[0].secrets[1].name: 'S' is set more than once; names must be unique"),
        # container memory against the task
        (_task(containerDefinitions=[_web(memory=1024)]), "container_definitions[0].memory: 1024 MiB exceeds the task memory of 512 MiB"),
        (_task(containerDefinitions=[_web(memoryReservation=768)]),
         "container_definitions[0].memoryReservation: 768 MiB exceeds the task memory of 512 MiB"),
        (_task(containerDefinitions=[_web(memory=256, memoryReservation=384)]),
         "container_definitions[0].memoryReservation: 384 MiB exceeds the container's memory limit of 256 MiB"),
        (_task(containerDefinitions=[_web(memoryReservation=384), _web(name="sidecar", memory=256)]),
         "container_definitions: the containers reserve 640 MiB in total, more than the task memory of 512 MiB"),
        # dependencies
        (_task(containerDefinitions=[_web(dependsOn=[{"containerName": "db", "condition": "HEALTHY"}])]),
         "container_definitions[0].dependsOn[0].containerName: no container is named 'db'"),
    ],
)
def test_validate_task_definition_rejects(td, expected):
    errors = validate_task_definition(td)
    assert any(error.startswith(expected) for error in errors), errors


def test_validate_task_definition_reports_every_problem_at_once():
    td = _task(memory="4096", networkMode="bridge", containerDefinitions=[_web(image="Foo Bar", foo=1)])
    errors = validate_task_definition(td)
    assert [e.split(":", maxsplit=1)[0] for e in errors] == [
        "container_definitions[0].foo",
        "task_definition.networkMode",
        "task_definition.cpu/memory",
        "container_definitions[0].image",
    ]


def test_validate_task_definition_applies_fargate_rules_for_requires_compatibilities():
    td = _task(networkMode="bridge")
    assert "task_definition.networkMode: Fargate requires awsvpc, got bridge" in validate_task_definition(td, "EC2")


def test_validate_task_definition_rejects_a_non_dict():
    assert validate_task_definition(["not", "a", "dict"]) == ["task_definition: must be a dict, got list"]
