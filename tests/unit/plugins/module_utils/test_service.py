from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.service import compare_service
from ansible_collections.devops.fargate.plugins.module_utils.service import create_only_conflicts
from ansible_collections.devops.fargate.plugins.module_utils.service import digests_fingerprint
from ansible_collections.devops.fargate.plugins.module_utils.service import dropped_on_create
from ansible_collections.devops.fargate.plugins.module_utils.service import network_configuration
from ansible_collections.devops.fargate.plugins.module_utils.service import service_diff
from ansible_collections.devops.fargate.plugins.module_utils.service import tags_dict

TD1 = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1"
TD2 = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2"
NET = network_configuration(["subnet-b", "subnet-a"], ["sg-1"], False)
CURRENT = {
    "taskDefinition": TD1,
    "desiredCount": 2,
    "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-a", "subnet-b"], "securityGroups": ["sg-1"], "assignPublicIp": "DISABLED"}},
    "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": True, "rollback": True}, "maximumPercent": 200, "minimumHealthyPercent": 100},
    "launchType": "FARGATE",
    "propagateTags": "SERVICE",
    "loadBalancers": [],
}


@pytest.mark.parametrize(
    "desired, changes, update",
    [
        # Identical, with subnets in another order and defaults left out.
        (
            {"taskDefinition": TD1, "networkConfiguration": NET, "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}},
            [],
            {},
        ),
        # Unmanaged fields (None) are not compared: autoscaling is not fought.
        ({"taskDefinition": TD1, "desiredCount": None}, [], {}),
        ({"taskDefinition": TD2}, ["service.taskDefinition"], {"taskDefinition": TD2}),
        ({"desiredCount": 3}, ["service.desiredCount"], {"desiredCount": 3}),
        (
            {"networkConfiguration": network_configuration(["subnet-a"], ["sg-1"], False)},
            ["service.networkConfiguration"],
            {"networkConfiguration": network_configuration(["subnet-a"], ["sg-1"], False)},
        ),
        (
            {"networkConfiguration": network_configuration(["subnet-a", "subnet-b"], ["sg-1"], True)},
            ["service.networkConfiguration"],
            {"networkConfiguration": network_configuration(["subnet-a", "subnet-b"], ["sg-1"], True)},
        ),
        (
            {"deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": False, "rollback": False}}},
            ["service.deploymentConfiguration"],
            {"deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": False, "rollback": False}}},
        ),
        # update_service replaces the whole deploymentConfiguration: a left-out breaker is off.
        (
            {"deploymentConfiguration": {"maximumPercent": 200}},
            ["service.deploymentConfiguration"],
            {"deploymentConfiguration": {"maximumPercent": 200}},
        ),
        ({"healthCheckGracePeriodSeconds": 0}, [], {}),
        ({"healthCheckGracePeriodSeconds": 60}, ["service.healthCheckGracePeriodSeconds"], {"healthCheckGracePeriodSeconds": 60}),
        ({"enableExecuteCommand": False}, [], {}),
        ({"enableExecuteCommand": True}, ["service.enableExecuteCommand"], {"enableExecuteCommand": True}),
        ({"propagateTags": "SERVICE"}, [], {}),
        ({"loadBalancers": []}, [], {}),
        (
            {"loadBalancers": [{"targetGroupArn": "arn:tg", "containerName": "web", "containerPort": 8000}]},
            ["service.loadBalancers"],
            {"loadBalancers": [{"targetGroupArn": "arn:tg", "containerName": "web", "containerPort": 8000}]},
        ),
        (
            {"taskDefinition": TD2, "desiredCount": 1},
            ["service.taskDefinition", "service.desiredCount"],
            {"taskDefinition": TD2, "desiredCount": 1},
        ),
    ],
)
def test_compare_service(desired, changes, update):
    assert compare_service(desired, CURRENT) == (changes, update)


def test_compare_service_absent_field_uses_api_default():
    current = {"taskDefinition": TD1}
    assert compare_service({"deploymentConfiguration": {"maximumPercent": 200, "minimumHealthyPercent": 100}}, current) == ([], {})
    changes = compare_service({"deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}}, current)[0]
    assert changes == ["service.deploymentConfiguration"]


@pytest.mark.parametrize(
    "desired, conflicts",
    [
        ({"launchType": "FARGATE"}, 0),
        ({"launchType": "EC2"}, 1),
        ({"launchType": None}, 0),
    ],
)
def test_create_only_conflicts(desired, conflicts):
    found = create_only_conflicts(desired, CURRENT)
    assert len(found) == conflicts
    assert all("cannot change in place" in message for message in found)


def test_dropped_on_create():
    desired = {
        "taskDefinition": TD1,
        "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": True, "rollback": True}},
        "healthCheckGracePeriodSeconds": 30,
        "desiredCount": 2,
    }
    created = {"taskDefinition": TD1, "desiredCount": 2}
    assert dropped_on_create(desired, created) == {
        "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": True, "rollback": True}},
        "healthCheckGracePeriodSeconds": 30,
    }
    assert dropped_on_create(desired, dict(created, deploymentConfiguration=desired["deploymentConfiguration"], healthCheckGracePeriodSeconds=30)) == {}


def test_digests_fingerprint_ignores_order_and_sees_changes():
    a = digests_fingerprint({"web": "sha256:" + "a" * 64, "side": "sha256:" + "b" * 64})
    b = digests_fingerprint({"side": "sha256:" + "b" * 64, "web": "sha256:" + "a" * 64})
    c = digests_fingerprint({"web": "sha256:" + "c" * 64, "side": "sha256:" + "b" * 64})
    assert a == b != c
    assert len(a) <= 256


def test_tags_dict():
    assert tags_dict([{"key": "a", "value": "1"}, {"key": "b"}]) == {"a": "1", "b": ""}
    assert tags_dict(None) == {}


def test_service_diff_shows_only_changed_fields_normalised():
    desired = {"taskDefinition": TD2, "desiredCount": 2}
    diff = service_diff(desired, CURRENT, ["service.taskDefinition"])
    assert diff == {"before": {"taskDefinition": TD1}, "after": {"taskDefinition": TD2}}


# What real ECS answers carry beyond what the module sets (awscli's examples/ecs/update-service.rst,
# create-service.rst; botocore's Service and DeploymentConfiguration shapes). None of it is ours.
REAL_EXTRAS = {
    "deploymentConfiguration": {
        "deploymentCircuitBreaker": {"enable": True, "rollback": True},
        "maximumPercent": 200,
        "minimumHealthyPercent": 100,
        "alarms": {"alarmNames": [], "rollback": False, "enable": False},
        "strategy": "ROLLING",
        "bakeTimeInMinutes": 0,
    },
    "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-b", "subnet-a"], "securityGroups": ["sg-1"], "assignPublicIp": "DISABLED"}},
    "loadBalancers": [
        {"targetGroupArn": "arn:tg", "containerName": "web", "containerPort": 8000, "advancedConfiguration": {"alternateTargetGroupArn": "arn:tg2"}}
    ],
    "availabilityZoneRebalancing": "ENABLED",
    "platformFamily": "Linux",
    "enableECSManagedTags": False,
    "deploymentController": {"type": "ECS"},
    "schedulingStrategy": "REPLICA",
}


def test_fields_aws_adds_are_not_differences():
    current = dict(CURRENT, **REAL_EXTRAS)
    desired = {
        "taskDefinition": TD1,
        "networkConfiguration": NET,
        "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": True, "rollback": True}, "maximumPercent": 200, "minimumHealthyPercent": 100},
        "loadBalancers": [{"targetGroupArn": "arn:tg", "containerName": "web", "containerPort": 8000}],
        "propagateTags": "SERVICE",
    }
    assert compare_service(desired, current) == ([], {})
    # ... while a managed sub-key still counts.
    desired["deploymentConfiguration"] = dict(desired["deploymentConfiguration"], minimumHealthyPercent=50)
    assert compare_service(desired, current)[0] == ["service.deploymentConfiguration"]


def test_a_real_create_answer_needs_no_update():
    desired = {
        "taskDefinition": TD1,
        "networkConfiguration": NET,
        "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": True, "rollback": True}, "maximumPercent": 200, "minimumHealthyPercent": 100},
        "propagateTags": "SERVICE",
        "enableExecuteCommand": None,
    }
    created = dict(CURRENT, **REAL_EXTRAS)
    assert dropped_on_create(desired, created) == {}
    # moto leaves deploymentConfiguration out of its create answer: then it is really missing.
    assert dropped_on_create(desired, {k: v for k, v in created.items() if k != "deploymentConfiguration"}) == {
        "deploymentConfiguration": desired["deploymentConfiguration"]
    }
