from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.filter.ecs_deploy import ecs_deploy_errors

GOOD = {
    "cluster": "c",
    "service": "web",
    "family": "web",
    "cpu": "256",
    "memory": "512",
    "container_definitions": [{"name": "web", "image": "127.0.0.1:5050/app:1", "portMappings": [{"containerPort": 8000}]}],
    "subnets": ["subnet-0a1b"],
    "security_groups": ["sg-0a1b"],
    "desired_count": "2",
}


TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-{}/0123456789abcdef"
RULE = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/web/0123456789abcdef/0123456789abcdef/{}"
ADVANCED = {
    "alternateTargetGroupArn": TG.format("green"),
    "productionListenerRule": RULE.format("prod"),
    "testListenerRule": RULE.format("test"),
    "roleArn": "arn:aws:iam::123456789012:role/ecsInfrastructureRoleForLoadBalancers",
}
LB = {"targetGroupArn": TG.format("blue"), "containerName": "web", "containerPort": 8000}


def test_each_strategy_with_what_it_needs_gives_no_errors():
    balancers = [dict(LB, advancedConfiguration=ADVANCED)]
    for strategy in (
        {"type": "rolling"},
        {"type": "rolling", "bake_time": 0, "lifecycle_hooks": [{"targetType": "PAUSE", "lifecycleStages": ["POST_SCALE_UP"]}]},
        {"type": "blue_green", "bake_time": 10},
        {"type": "canary", "canary_percent": 10, "canary_bake_time": 5},
        {"type": "linear", "linear_step_percent": 25, "linear_step_bake_time": 2},
    ):
        assert ecs_deploy_errors(dict(GOOD, deployment_strategy=strategy, load_balancers=balancers)) == [], strategy


def test_valid_arguments_give_no_errors():
    assert ecs_deploy_errors(GOOD) == []
    assert ecs_deploy_errors(dict(GOOD, alarms={"names": ["web-5xx"]})) == []
    assert ecs_deploy_errors(dict(GOOD, alarms={"names": []})) == [], "no names: alarm monitoring off"


@pytest.mark.parametrize(
    "change, named",
    [
        ({"memory": "4096"}, "memory"),
        ({"desired_count": "two"}, "desired_count"),
        ({"subnets": None}, "subnets: required"),
        ({"subnets": ["nope"]}, "subnets"),
        ({"image_update_mode": "latest"}, "image_update_mode"),
        ({"colour": "blue"}, "colour: not an option"),
        ({"container_definitions": [{"name": "web", "image": "bad image"}]}, "image"),
        ({"alarms": {"names": ["x" * 256]}}, "alarms.names: 'xxx"),
        ({"alarms": {"names": ["web-5xx", "web-5xx"]}}, "alarms.names: 'web-5xx' is listed twice"),
        ({"alarms": {"rollback": True}}, "names"),
        ({"deployment_strategy": {"type": "canary"}}, "deployment_strategy.canary_percent: required with type canary"),
        ({"deployment_strategy": {"type": "rolling", "canary_percent": 10}}, "deployment_strategy.canary_percent: only with type canary, not rolling"),
        ({"deployment_strategy": {"type": "blue_green", "bake_time": 5}}, "deployment_strategy.type blue_green: needs load_balancers"),
        ({"deployment_strategy": {"type": "linear", "linear_step_percent": 0, "linear_step_bake_time": 1}, "load_balancers": [LB]},
         "deployment_strategy.linear_step_percent: must be more than 0"),
        ({"deployment_strategy": {"type": "canary", "canary_percent": 10, "canary_bake_time": 5}, "load_balancers": [dict(LB, advancedConfiguration={})]},
         "load_balancers[0].advancedConfiguration: alternateTargetGroupArn, productionListenerRule, roleArn required with deployment_strategy.type canary"),
        ({"deployment_strategy": {"type": "rolling", "lifecycle_hooks": [{"targetType": "LAMBDA", "lifecycleStages": ["PRE_SCALE_UP"]}]}},
         "deployment_strategy.lifecycle_hooks[0].targetType: must be one of AWS_LAMBDA or PAUSE"),
        ({"load_balancers": [dict(LB, advancedConfiguration={"alternateTargetGroup": "x"})]}, "advancedConfiguration.alternateTargetGroup: unknown key"),
        ({"deployment_strategy": {"type": "green"}}, "deployment_strategy"),
    ],
)
def test_bad_arguments_are_named(change, named):
    errors = ecs_deploy_errors(dict(GOOD, **change))
    assert errors and any(named in error for error in errors), errors
