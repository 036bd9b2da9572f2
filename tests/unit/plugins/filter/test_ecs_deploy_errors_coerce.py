"""The filter reads its arguments as the module would (AnsibleModule's conversions) before applying the rules."""

from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.filter.ecs_deploy import _coerce
from ansible_collections.devops.fargate.plugins.filter.ecs_deploy import ecs_deploy_errors

GOOD = {
    "cluster": "c",
    "service": "web",
    "family": "web",
    "cpu": 256,
    "memory": 512,
    "container_definitions": [{"name": "web", "image": "127.0.0.1:5050/app:1", "portMappings": [{"containerPort": 8000}]}],
    "subnets": ["subnet-0a1b"],
}


@pytest.mark.parametrize(
    "change, read_as",
    [
        ({"subnets": "subnet-0bad1e55"}, {"subnets": ["subnet-0bad1e55"]}),
        ({"subnets": "subnet-0a,subnet-0b"}, {"subnets": ["subnet-0a", "subnet-0b"]}),
        ({"desired_count": "2"}, {"desired_count": 2}),
        ({"assign_public_ip": "yes"}, {"assign_public_ip": True}),
        ({"desired_count": None}, {"desired_count": None}),
        ({}, {"security_groups": [], "state": "present", "wait_timeout": 900}),
    ],
)
def test_coerce_reads_as_the_module(change, read_as):
    params, errors = _coerce(dict(GOOD, **change))
    assert errors == []
    assert {key: params[key] for key in read_as} == read_as


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"colour": "blue"}, "colour: not an option of devops.fargate.ecs_deploy"),
        ({"desired_count": "two"}, "argument 'desired_count' is of type str and we were unable to convert to int: \"'two'\" cannot be converted to an int"),
        ({"image_update_mode": "latest"}, "value of image_update_mode must be one of: pin, tag, got: latest"),
        ({"container_definitions": "[oops"}, "Elements value for option 'container_definitions' is of type str and we were unable to convert to dict"),
    ],
)
def test_coerce_names_what_the_module_would_refuse(change, expected):
    _params, errors = _coerce(dict(GOOD, **change))
    assert any(error.startswith(expected) for error in errors), errors


def test_a_subnet_string_gives_one_error_not_one_per_character():
    assert ecs_deploy_errors(dict(GOOD, subnets="bad-input")) == ["subnets: 'bad-input' is not a subnet id (subnet-...)"]


def test_a_subnet_string_the_module_accepts_is_accepted():
    assert ecs_deploy_errors(dict(GOOD, subnets="subnet-0bad1e55")) == []


class _Lazy(dict):
    """Stands in for ansible-core's lazy template containers, which render again on every copy."""

    copies = 0

    def __deepcopy__(self, memo):
        _Lazy.copies += 1
        return dict(self)

    def __copy__(self):
        _Lazy.copies += 1
        return dict(self)


def test_the_arguments_are_read_as_builtins_not_copied_as_the_caller_holds_them():
    _Lazy.copies = 0
    container = _Lazy(GOOD["container_definitions"][0])
    coerced, errors = _coerce(dict(GOOD, container_definitions=[container]))
    assert errors == []
    assert _Lazy.copies == 0
    assert isinstance(coerced["container_definitions"][0], dict) and not isinstance(coerced["container_definitions"][0], _Lazy)
