"""Round trip through moto's ECS: register the desired definition, describe it, compare."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from ansible_collections.devops.fargate.plugins.module_utils.taskdef import compare_task_definitions
from ansible_collections.devops.fargate.plugins.module_utils.taskdef import normalize_tags

FIXTURES = Path(__file__).parent / "fixtures"

DESIRED = {
    "family": "flask-web",
    "requiresCompatibilities": ["FARGATE"],
    "networkMode": "awsvpc",
    "cpu": 512,
    "memory": "1 GB",
    "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
    "taskRoleArn": "arn:aws:iam::123456789012:role/flask-web-task",
    "runtimePlatform": {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
    "containerDefinitions": [
        {
            "name": "web",
            "image": "127.0.0.1:5050/flask-web@sha256:" + "ab" * 32,
            "portMappings": [{"containerPort": 8000}],
            "environment": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "GUNICORN_WORKERS", "value": "2"}],
            "secrets": [{"name": "SECRET_KEY", "valueFrom": "arn:aws:ssm:eu-west-1:123456789012:parameter/secret-key"}],
            "healthCheck": {"command": ["CMD", "python", "-c", "print('ok')"]},
            "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/flask-web", "awslogs-region": "eu-west-1"}},
        },
    ],
    "volumes": [{"name": "shared", "efsVolumeConfiguration": {"fileSystemId": "fs-0123456789abcdef0"}}],
    "tags": [{"key": "app", "value": "flask-web"}],
}


def _register_request(td: dict) -> dict:
    """What the module sends: the API types task cpu and memory as strings."""
    request = dict(td)
    for key in ("cpu", "memory"):
        if key in request:
            request[key] = str(request[key])
    return request


@pytest.fixture
def ecs():
    with mock_aws():
        yield boto3.client("ecs", region_name="eu-west-1")


def _register_and_describe(ecs, td: dict) -> dict:
    ecs.register_task_definition(**_register_request(td))
    return ecs.describe_task_definition(taskDefinition=td["family"], include=["TAGS"])


def test_moto_round_trip_compares_equal(ecs):
    response = _register_and_describe(ecs, DESIRED)
    assert compare_task_definitions(DESIRED, response["taskDefinition"]) == []
    assert normalize_tags(response["tags"]) == normalize_tags(DESIRED["tags"])


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("describe_*.json")))
def test_moto_round_trip_of_fixture_inputs(ecs, name):
    desired = json.loads((FIXTURES / name).read_text())["input"]
    response = _register_and_describe(ecs, desired)
    assert compare_task_definitions(desired, response["taskDefinition"]) == []


def test_moto_round_trip_sees_a_changed_revision(ecs):
    _register_and_describe(ecs, DESIRED)
    changed = json.loads(json.dumps(DESIRED))
    changed["containerDefinitions"][0]["environment"][0]["value"] = "debug"
    changed["memory"] = 2048
    latest = _register_and_describe(ecs, changed)["taskDefinition"]
    assert latest["revision"] == 2
    assert compare_task_definitions(DESIRED, latest) == ["containerDefinitions[web].environment[LOG_LEVEL]", "memory"]
    assert compare_task_definitions(changed, latest) == []
