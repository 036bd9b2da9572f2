from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.taskdef import diff_for_ansible
from ansible_collections.devops.fargate.plugins.module_utils.taskdef import normalize_task_definition

WEB = {"name": "web", "image": "app@sha256:" + "a" * 64, "essential": True}
PROXY = {"name": "proxy", "image": "nginx:1.27", "essential": True}


@pytest.mark.parametrize(
    "desired, current, expected",
    [
        (
            {"family": "f", "cpu": 256, "memory": 512, "containerDefinitions": [WEB]},
            {"family": "f", "cpu": 256, "memory": 512, "containerDefinitions": [WEB]},
            {"before": {}, "after": {}},
        ),
        (
            {"family": "f", "cpu": 256, "memory": 1024, "containerDefinitions": [WEB]},
            {"family": "f", "cpu": 256, "memory": 512, "containerDefinitions": [WEB]},
            {"before": {"memory": 512}, "after": {"memory": 1024}},
        ),
        (
            {"family": "f", "taskRoleArn": "arn:r", "containerDefinitions": [WEB]},
            {"family": "f", "containerDefinitions": [WEB]},
            {"before": {}, "after": {"taskRoleArn": "arn:r"}},
        ),
        (
            {"family": "f", "containerDefinitions": [PROXY, dict(WEB, image="app:2")]},
            {"family": "f", "containerDefinitions": [PROXY, WEB]},
            {"before": {"containerDefinitions": [WEB]}, "after": {"containerDefinitions": [dict(WEB, image="app:2")]}},
        ),
        (
            {"family": "f", "containerDefinitions": [PROXY, WEB]},
            {"family": "f", "containerDefinitions": [WEB]},
            {"before": {"containerDefinitions": []}, "after": {"containerDefinitions": [PROXY]}},
        ),
    ],
    ids=["identical", "task memory", "added field", "one of two containers", "added container"],
)
def test_diff_for_ansible(desired, current, expected):
    assert diff_for_ansible(desired, current) == expected


def test_diff_for_ansible_on_normalized_definitions():
    desired = normalize_task_definition({"family": "f", "cpu": "0.25 vCPU", "memory": "1 GB", "containerDefinitions": [dict(WEB, cpu=0)]})
    current = normalize_task_definition({"family": "f", "cpu": "256", "memory": "512", "revision": 4, "containerDefinitions": [WEB]})
    assert diff_for_ansible(desired, current) == {"before": {"memory": 512}, "after": {"memory": 1024}}
