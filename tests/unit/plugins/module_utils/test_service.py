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


# Real DescribeServices answers carry members this module does not manage (awscli's describe-services example,
# botocore's DeploymentConfiguration shape): an alarms block, disabled when none is set, and the strategy.
REAL_DEPLOYMENT = {
    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
    "maximumPercent": 200,
    "minimumHealthyPercent": 100,
    "alarms": {"alarmNames": [], "rollback": False, "enable": False},
    "strategy": "ROLLING",
}
MANAGED = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}, "maximumPercent": 200, "minimumHealthyPercent": 100}


def test_alarms_are_compared_only_when_asked_for():
    current = dict(CURRENT, deploymentConfiguration=dict(REAL_DEPLOYMENT, alarms={"alarmNames": ["web-5xx"], "enable": True, "rollback": True}))

    assert compare_service({"deploymentConfiguration": MANAGED}, current) == ([], {})


def test_every_disabled_alarms_block_is_the_same():
    current = dict(CURRENT, deploymentConfiguration=dict(REAL_DEPLOYMENT, alarms={"alarmNames": ["old"], "enable": False, "rollback": True}))
    off = dict(MANAGED, alarms={"alarmNames": [], "enable": False, "rollback": False})

    assert compare_service({"deploymentConfiguration": off}, current) == ([], {})
    assert compare_service({"deploymentConfiguration": off}, CURRENT) == ([], {}), "moto leaves the block out"


def test_alarms_asked_for_are_set_and_the_rest_of_the_block_is_sent_back():
    current = dict(CURRENT, deploymentConfiguration=REAL_DEPLOYMENT)
    alarms = {"alarmNames": ["web-5xx", "web-latency"], "enable": True, "rollback": True}

    changes, update = compare_service({"deploymentConfiguration": dict(MANAGED, alarms=alarms)}, current)

    assert changes == ["service.deploymentConfiguration"]
    assert update["deploymentConfiguration"] == dict(MANAGED, alarms=alarms, strategy="ROLLING")
    reordered = dict(REAL_DEPLOYMENT, alarms=dict(alarms, alarmNames=["web-latency", "web-5xx"]))
    assert compare_service({"deploymentConfiguration": dict(MANAGED, alarms=alarms)}, dict(CURRENT, deploymentConfiguration=reordered)) == ([], {})


def test_an_update_of_the_managed_members_keeps_the_ones_it_does_not_manage():
    """update_service replaces the whole block: alarms, strategy and bake time set outside are sent back as they are."""
    outside = dict(REAL_DEPLOYMENT, alarms={"alarmNames": ["web-5xx"], "enable": True, "rollback": True}, strategy="BLUE_GREEN", bakeTimeInMinutes=5)

    changes, update = compare_service({"deploymentConfiguration": dict(MANAGED, maximumPercent=150)}, dict(CURRENT, deploymentConfiguration=outside))

    assert changes == ["service.deploymentConfiguration"]
    assert update["deploymentConfiguration"] == dict(outside, maximumPercent=150)


def test_a_strategy_is_compared_only_when_asked_for_and_takes_its_own_settings_with_it():
    canary = dict(REAL_DEPLOYMENT, strategy="CANARY", bakeTimeInMinutes=5, canaryConfiguration={"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 3})
    current = dict(CURRENT, deploymentConfiguration=canary)
    assert compare_service({"deploymentConfiguration": MANAGED}, current) == ([], {}), "not asked for: left as it is"
    same = dict(MANAGED, strategy="CANARY", canaryConfiguration={"canaryPercent": 10, "canaryBakeTimeInMinutes": 3})
    assert compare_service({"deploymentConfiguration": same}, current) == ([], {})

    blue_green = dict(MANAGED, strategy="BLUE_GREEN", bakeTimeInMinutes=15)
    changes, update = compare_service({"deploymentConfiguration": blue_green}, current)

    assert changes == ["service.deploymentConfiguration"]
    assert update["deploymentConfiguration"] == dict(blue_green, alarms=REAL_DEPLOYMENT["alarms"]), "the canary settings do not go with blue/green"


def test_lifecycle_hooks_compare_whatever_the_order_of_their_stages():
    hook = {"targetType": "PAUSE", "lifecycleStages": ["POST_SCALE_UP", "PRE_SCALE_UP"]}
    current = dict(CURRENT, deploymentConfiguration=dict(REAL_DEPLOYMENT, lifecycleHooks=[hook]))
    wanted = dict(MANAGED, lifecycleHooks=[dict(hook, lifecycleStages=["PRE_SCALE_UP", "POST_SCALE_UP"])])
    assert compare_service({"deploymentConfiguration": wanted}, current) == ([], {})


def test_a_load_balancers_advanced_configuration_is_kept_unless_asked_for():
    balancer = {"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue/1", "containerName": "web", "containerPort": 8000}
    advanced = {"alternateTargetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/green/2", "productionListenerRule": "r",
                "roleArn": "arn:aws:iam::123456789012:role/lb"}
    current = dict(CURRENT, loadBalancers=[dict(balancer, advancedConfiguration=advanced)])
    assert compare_service({"loadBalancers": [balancer]}, current) == ([], {})

    moved = dict(balancer, containerPort=8080)
    changes, update = compare_service({"loadBalancers": [moved]}, current)
    assert changes == ["service.loadBalancers"] and update["loadBalancers"] == [dict(moved, advancedConfiguration=advanced)]

    changes, update = compare_service({"loadBalancers": [dict(balancer, advancedConfiguration=dict(advanced, testListenerRule="t"))]}, current)
    assert changes == ["service.loadBalancers"]
