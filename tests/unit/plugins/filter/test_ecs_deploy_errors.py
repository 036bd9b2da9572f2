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


def test_valid_arguments_give_no_errors():
    assert ecs_deploy_errors(GOOD) == []


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
    ],
)
def test_bad_arguments_are_named(change, named):
    errors = ecs_deploy_errors(dict(GOOD, **change))
    assert errors and any(named in error for error in errors), errors
