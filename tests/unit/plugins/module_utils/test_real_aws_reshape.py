"""tests/support/reshape.py: moto's ECS answers given the members real AWS adds, without a server.

The moto answers below are what moto (the local stack's version) returns for the calls ecs_deploy
makes; the values reshape adds must be the corpus's (fixtures/real_aws), and what moto returned
must stay as it was.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime

import boto3
import pytest
from botocore import xform_name
from botocore.stub import Stubber

from support import reshape
from test_real_aws_corpus import CORPUS


REAL_SERVICE = json.loads((CORPUS / "ecs.DescribeServices.json").read_text())["services"][0]
REAL_TASK_DEFINITION = json.loads((CORPUS / "ecs.DescribeTaskDefinition.json").read_text())["taskDefinition"]
NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-ba470f2e337c4f7ce"], "securityGroups": ["sg-7023a0d899f1950c0"], "assignPublicIp": "DISABLED"}}
# moto's CreateService / DescribeServices service: no deploymentConfiguration at all, platformFamily "FARGATE" on the deployment.
MOTO_SERVICE = {
    "serviceArn": "arn:aws:ecs:eu-west-1:123456789012:service/c/s",
    "serviceName": "s",
    "clusterArn": "arn:aws:ecs:eu-west-1:123456789012:cluster/c",
    "loadBalancers": [],
    "serviceRegistries": [],
    "status": "ACTIVE",
    "desiredCount": 1,
    "runningCount": 0,
    "pendingCount": 1,
    "launchType": "FARGATE",
    "taskDefinition": "arn:aws:ecs:eu-west-1:123456789012:task-definition/f:1",
    "taskSets": [],
    "deployments": [
        {
            "id": "ecs-svc/1144363178601990474",
            "status": "PRIMARY",
            "taskDefinition": "arn:aws:ecs:eu-west-1:123456789012:task-definition/f:1",
            "desiredCount": 1,
            "pendingCount": 1,
            "runningCount": 0,
            "failedTasks": 0,
            "createdAt": 1764621268.503,
            "updatedAt": 1764621268.503,
            "launchType": "FARGATE",
            "platformFamily": "FARGATE",
            "networkConfiguration": NETWORK,
            "rolloutState": "IN_PROGRESS",
            "rolloutStateReason": "ECS deployment ecs-svc/1144363178601990474 in progress.",
        }
    ],
    "events": [],
    "networkConfiguration": NETWORK,
    "schedulingStrategy": "REPLICA",
    "deploymentController": {"type": "ECS"},
    "tags": [{"key": "a", "value": "b"}],
    "propagateTags": "SERVICE",
}
# moto's RegisterTaskDefinition / DescribeTaskDefinition: no registeredAt, hostPort, protocol, versionConsistency, ...
MOTO_TASK_DEFINITION = {
    "taskDefinitionArn": "arn:aws:ecs:eu-west-1:123456789012:task-definition/f:1",
    "containerDefinitions": [
        {
            "name": "web",
            "image": "x/y@sha256:" + "a" * 64,
            "cpu": 0,
            "portMappings": [{"containerPort": 8000}],
            "essential": True,
            "environment": [],
            "mountPoints": [],
            "volumesFrom": [],
            "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "g"}},
        }
    ],
    "family": "f",
    "networkMode": "awsvpc",
    "revision": 1,
    "volumes": [],
    "status": "ACTIVE",
    "placementConstraints": [],
    "compatibilities": ["EC2", "FARGATE"],
    "requiresCompatibilities": ["FARGATE"],
    "cpu": "256",
    "memory": "512",
}


@pytest.mark.parametrize("operation", ["CreateService", "UpdateService", "DeleteService"])
def test_a_service_gains_the_members_aws_adds_with_the_corpus_values(operation):
    service = reshape.reshape_answer(operation, {"service": MOTO_SERVICE})["service"]

    configuration = service["deploymentConfiguration"]
    for member in ("alarms", "strategy", "bakeTimeInMinutes", "maximumPercent", "minimumHealthyPercent"):
        assert configuration[member] == REAL_SERVICE["deploymentConfiguration"][member]
    assert configuration["alarms"] == {"alarmNames": [], "rollback": False, "enable": False} and configuration["strategy"] == "ROLLING"
    members = ("platformFamily", "platformVersion", "availabilityZoneRebalancing", "enableECSManagedTags", "createdBy", "roleArn", "resourceManagementType")
    for member in members:
        assert service[member] == REAL_SERVICE[member]
    assert service["createdAt"] == datetime.fromisoformat(REAL_SERVICE["createdAt"]).timestamp()  # as the JSON protocol sends it


def test_what_moto_returned_is_never_overwritten():
    moto = copy.deepcopy(MOTO_SERVICE)
    moto["deploymentConfiguration"] = {"deploymentCircuitBreaker": {"enable": False, "rollback": False}, "maximumPercent": 150, "strategy": "BLUE_GREEN"}
    moto["availabilityZoneRebalancing"] = "DISABLED"

    service = reshape.reshape_answer("DescribeServices", {"services": [moto]})["services"][0]

    assert service["deploymentConfiguration"]["deploymentCircuitBreaker"] == {"enable": False, "rollback": False}
    assert service["deploymentConfiguration"]["maximumPercent"] == 150 and service["deploymentConfiguration"]["strategy"] == "BLUE_GREEN"
    assert service["availabilityZoneRebalancing"] == "DISABLED"
    assert service["deployments"][0]["platformFamily"] == "FARGATE"  # moto's value, wrong as it is
    assert service["propagateTags"] == "SERVICE" and service["desiredCount"] == 1 and service["networkConfiguration"] == NETWORK


def test_members_that_echo_the_request_are_not_invented():
    service = reshape.reshape_answer("CreateService", {"service": MOTO_SERVICE})["service"]

    assert "deploymentCircuitBreaker" not in service["deploymentConfiguration"]  # what was asked, moto's business
    assert service["tags"] == MOTO_SERVICE["tags"] and service["taskDefinition"] == MOTO_SERVICE["taskDefinition"]


@pytest.mark.parametrize("operation", ["RegisterTaskDefinition", "DescribeTaskDefinition"])
def test_a_task_definition_gains_the_members_aws_adds(operation):
    task_definition = reshape.reshape_answer(operation, {"taskDefinition": MOTO_TASK_DEFINITION, "tags": []})["taskDefinition"]

    for member in ("registeredBy", "requiresAttributes", "runtimePlatform", "enableFaultInjection"):
        assert task_definition[member] == REAL_TASK_DEFINITION[member]
    assert isinstance(task_definition["registeredAt"], float)
    assert task_definition["compatibilities"] == ["EC2", "FARGATE"]  # moto's, kept
    container = task_definition["containerDefinitions"][0]
    assert container["versionConsistency"] == "enabled" and container["systemControls"] == []
    assert container["portMappings"] == [{"containerPort": 8000, "hostPort": 8000, "protocol": "tcp"}]
    assert container["logConfiguration"]["secretOptions"] == []


def test_other_answers_and_the_input_are_left_alone():
    moto = {"service": copy.deepcopy(MOTO_SERVICE)}
    listing = {"taskArns": ["arn:aws:ecs:eu-west-1:123456789012:task/c/1"]}

    reshape.reshape_answer("CreateService", moto)

    assert moto == {"service": MOTO_SERVICE}
    assert reshape.reshape_answer("ListTasks", listing) == listing
    assert reshape.reshape_answer("DescribeServices", {"services": [], "failures": [{"arn": "x", "reason": "MISSING"}]})["services"] == []


@pytest.mark.parametrize(
    "target, reshaped",
    [
        ("AmazonEC2ContainerServiceV20141113.CreateService", True),
        ("AmazonEC2ContainerServiceV20141113.ListTasks", False),
        ("AmazonEC2ContainerRegistry_V20150921.DescribeRepositories", False),
        ("", False),
    ],
)
def test_reshape_body_touches_only_ecs_service_and_task_definition_answers(target, reshaped):
    body = json.dumps({"service": MOTO_SERVICE}).encode()

    out = reshape.reshape_body(target, body)

    assert (out != body) is reshaped
    assert reshape.reshape_body(target, b"not json") == b"not json"


@pytest.mark.parametrize(
    "operation, answer",
    [
        ("CreateService", {"service": MOTO_SERVICE}),
        ("DescribeServices", {"services": [MOTO_SERVICE]}),
        ("RegisterTaskDefinition", {"taskDefinition": MOTO_TASK_DEFINITION}),
        ("DescribeTaskDefinition", {"taskDefinition": MOTO_TASK_DEFINITION, "tags": []}),
    ],
)
def test_reshaped_answers_are_valid_for_botocore(operation, answer):
    """Only members the output shape defines are added, with the right types."""
    client = boto3.client("ecs", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        stubber.add_response(xform_name(operation), reshape.reshape_answer(operation, answer))
