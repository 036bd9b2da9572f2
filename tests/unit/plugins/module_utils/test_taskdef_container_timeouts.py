from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.taskdef import validate_task_definition


def _task(launch_type_compatibility: str = "FARGATE", **container) -> dict:
    return {
        "family": "web",
        "cpu": "256",
        "memory": "512",
        "requiresCompatibilities": [launch_type_compatibility],
        "containerDefinitions": [{"name": "web", "image": "app:1", **container}],
    }


@pytest.mark.parametrize(
    "container",
    [
        {},
        {"stopTimeout": 0},
        {"stopTimeout": 120},
        {"startTimeout": 2},
        {"startTimeout": 120},
        {"stopTimeout": 30, "startTimeout": 60},
    ],
)
def test_fargate_accepts(container):
    assert validate_task_definition(_task(**container)) == []


@pytest.mark.parametrize(
    "container, expected",
    [
        ({"stopTimeout": -10}, ["container_definitions[0].stopTimeout: must be from 0 to 120 on Fargate, got -10"]),
        ({"stopTimeout": 121}, ["container_definitions[0].stopTimeout: must be from 0 to 120 on Fargate, got 121"]),
        ({"startTimeout": 1}, ["container_definitions[0].startTimeout: must be from 2 to 120 on Fargate, got 1"]),
        ({"startTimeout": 600}, ["container_definitions[0].startTimeout: must be from 2 to 120 on Fargate, got 600"]),
        # a wrong type is the model check's to report, once
        ({"stopTimeout": "30"}, ["container_definitions[0].stopTimeout: must be an integer, got str '30'"]),
    ],
)
def test_fargate_rejects(container, expected):
    assert validate_task_definition(_task(**container)) == expected


def test_ec2_has_no_fargate_limits():
    td = {**_task("EC2", stopTimeout=300, startTimeout=600), "networkMode": "bridge"}
    assert validate_task_definition(td, launch_type="EC2") == []
