"""The fargate role's own input rules, as the fargate_role_errors filter checks them (formerly Jinja in vars/main.yml)."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.devops.fargate.plugins.filter.fargate_role_errors import fargate_role_errors

# The role's defaults, as a play renders them for service "web".
DEFAULTS = {
    "fargate_secrets": {},
    "fargate_subnets": [],
    "fargate_security_groups": [],
    "fargate_execution_role_name": "web-execution",
    "fargate_task_role_name": "",
    "fargate_log_group": "/ecs/web",
    "fargate_platform_version": "LATEST",
    "fargate_capacity_providers": ["FARGATE", "FARGATE_SPOT"],
    "fargate_capacity_provider_strategy": [{"capacity_provider": "FARGATE", "weight": 1, "base": 1}],
    "fargate_min_capacity": 1,
    "fargate_max_capacity": 0,
    "fargate_cpu_target": 60,
}


def test_the_defaults_are_valid():
    assert fargate_role_errors(DEFAULTS) == []


@pytest.mark.parametrize(
    "change, error",
    [
        ({"fargate_subnets": "subnet-0a"}, "fargate_subnets: must be a list of subnet ids, got the string 'subnet-0a'"),
        ({"fargate_security_groups": "sg-0a"}, "fargate_security_groups: must be a list of security group ids, got the string 'sg-0a'"),
        ({"fargate_execution_role_name": "web execution"},
         "fargate_execution_role_name: must be an IAM role name: 1 to 64 letters, digits and + = , . @ _ -, got 'web execution'"),
        ({"fargate_execution_role_name": "r" * 65}, "fargate_execution_role_name: must be an IAM role name"),
        ({"fargate_task_role_name": "web/task"},
         "fargate_task_role_name: must be an IAM role name: 1 to 64 letters, digits and + = , . @ _ - (or empty for none), got 'web/task'"),
        ({"fargate_log_group": "ecs web"}, "fargate_log_group: must be 1 to 512 letters, digits and . - _ / #, got 'ecs web'"),
        ({"fargate_platform_version": "1.4"}, "fargate_platform_version: must be LATEST or a version such as 1.4.0, got '1.4'"),
        ({"fargate_secrets": {"DB_PASSWORD": "hunter2"}}, "fargate_secrets.DB_PASSWORD: must be an SSM parameter or Secrets Manager ARN, never a plain value"),
        ({"fargate_capacity_provider_strategy": [{"capacity_provider": "FARGATE_SPOT"}, {"capacity_provider": "EC2"}]},
         "fargate_capacity_provider_strategy: names EC2, not in fargate_capacity_providers (FARGATE, FARGATE_SPOT)"),
        ({"fargate_min_capacity": -1}, "fargate_min_capacity: must be 0 or more, got -1"),
        ({"fargate_max_capacity": -2}, "fargate_max_capacity: must be 0 (autoscaling off) or more, got -2"),
        ({"fargate_min_capacity": 5, "fargate_max_capacity": 3},
         "fargate_min_capacity: must be at most fargate_max_capacity (3) when autoscaling is on, got 5"),
        ({"fargate_cpu_target": 0}, "fargate_cpu_target: must be more than 0 and at most 100 (percent), got 0"),
        ({"fargate_cpu_target": "150"}, "fargate_cpu_target: must be more than 0 and at most 100 (percent), got 150"),
    ],
)
def test_each_rule_names_the_variable_and_the_rule(change, error):
    errors = fargate_role_errors(dict(DEFAULTS, **change))
    assert len(errors) == 1 and errors[0].startswith(error), errors


def test_valid_values_of_each_kind_pass():
    valid = dict(
        DEFAULTS,
        fargate_secrets={"A": "arn:aws:ssm:eu-west-1:123456789012:parameter/a", "B": "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:b"},
        fargate_task_role_name="web-task",
        fargate_platform_version="1.4.0",
        fargate_min_capacity=2,
        fargate_max_capacity=4,
        fargate_cpu_target="100",
    )
    assert fargate_role_errors(valid) == []


def test_a_min_above_the_max_is_fine_while_autoscaling_is_off():
    assert fargate_role_errors(dict(DEFAULTS, fargate_min_capacity=3, fargate_max_capacity=0)) == []


def test_secrets_come_first_and_every_problem_is_listed():
    errors = fargate_role_errors(dict(DEFAULTS, fargate_secrets={"A": "plain"}, fargate_log_group="", fargate_subnets="x"))
    assert [error.split(":")[0] for error in errors] == ["fargate_secrets.A", "fargate_subnets", "fargate_log_group"]


def test_the_input_must_be_a_dict():
    with pytest.raises(AnsibleFilterError, match="expects a dict"):
        fargate_role_errors(["fargate_subnets"])
