"""compare_task_definitions on describe_task_definition outputs modelled on AWS's examples."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.taskdef import compare_task_definitions
from ansible_collections.devops.fargate.plugins.module_utils.taskdef import normalize_tags

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_NAMES = sorted(p.name for p in FIXTURES.glob("describe_*.json"))
NEW_DIGEST = "sha256:" + "0123456789abcdef" * 4


def _fixture(name: str) -> tuple[dict, dict]:
    """(the RegisterTaskDefinition input, the taskDefinition describe returned for it)"""
    data = json.loads((FIXTURES / name).read_text())
    return data["input"], data["output"]["taskDefinition"]


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_compare_task_definitions_fixture_is_unchanged(name):
    desired, described = _fixture(name)
    assert compare_task_definitions(desired, described) == []


def test_compare_task_definitions_fixture_tags_compare_separately():
    data = json.loads((FIXTURES / "describe_fargate_web.json").read_text())
    assert normalize_tags(data["input"]["tags"]) == normalize_tags(data["output"]["tags"]) == {"app": "flask-web"}


def _web(td: dict) -> dict:
    return td["containerDefinitions"][0]


def _set_memory(td):
    td["memory"] = 1024


def _set_env_value(td):
    _web(td)["environment"][0]["value"] = "debug"


def _set_health_check_retries(td):
    _web(td)["healthCheck"]["retries"] = 5


def _set_port(td):
    _web(td)["portMappings"] = [{"containerPort": 8080}]


def _add_container(td):
    td["containerDefinitions"].append({"name": "xray", "image": "public.ecr.aws/xray/aws-xray-daemon:3.3", "essential": False})


def _set_secret_value_from(td):
    _web(td)["secrets"][0]["valueFrom"] = "arn:aws:ssm:eu-west-1:123456789012:parameter/flask-web/secret-key-v2"


def _set_image_digest(td):
    _web(td)["image"] = _web(td)["image"].split("@")[0] + "@" + NEW_DIGEST


def _set_command_element(td):
    td["containerDefinitions"][1]["command"][1] = "-k"


def _set_worker_command_element(td):
    _web(td)["command"][2] = "high"


@pytest.mark.parametrize(
    "name, change, expected",
    [
        ("describe_fargate_web.json", _set_memory, ["memory"]),
        ("describe_fargate_web.json", _set_env_value, ["containerDefinitions[web].environment[LOG_LEVEL]"]),
        ("describe_fargate_web.json", _set_health_check_retries, ["containerDefinitions[web].healthCheck.retries"]),
        ("describe_fargate_web.json", _set_port, ["containerDefinitions[web].portMappings[8000/tcp]", "containerDefinitions[web].portMappings[8080/tcp]"]),
        ("describe_fargate_web.json", _add_container, ["containerDefinitions[xray]"]),
        ("describe_fargate_web.json", _set_secret_value_from, ["containerDefinitions[web].secrets[SECRET_KEY]"]),
        ("describe_fargate_web.json", _set_image_digest, ["containerDefinitions[web].image"]),
        ("describe_fargate_sidecar.json", _set_command_element, ["containerDefinitions[app].command"]),
        ("describe_fargate_efs.json", _set_worker_command_element, ["containerDefinitions[worker].command"]),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_compare_task_definitions_detects_real_changes(name, change, expected):
    desired, described = _fixture(name)
    desired = copy.deepcopy(desired)
    change(desired)
    assert compare_task_definitions(desired, described) == expected


def test_compare_task_definitions_reports_several_changes_sorted():
    desired, described = _fixture("describe_fargate_web.json")
    desired = copy.deepcopy(desired)
    for change in (_set_memory, _set_env_value, _set_image_digest):
        change(desired)
    assert compare_task_definitions(desired, described) == [
        "containerDefinitions[web].environment[LOG_LEVEL]",
        "containerDefinitions[web].image",
        "memory",
    ]


@pytest.mark.parametrize(
    "desired, current, expected",
    [
        ({"family": "a"}, {"family": "a"}, []),
        ({"family": "a"}, {"family": "b"}, ["family"]),
        ({"family": "a", "taskRoleArn": "arn:r"}, {"family": "a"}, ["taskRoleArn"]),
        ({"family": "a"}, {"family": "a", "taskRoleArn": "arn:r"}, ["taskRoleArn"]),
        (
            {"containerDefinitions": [{"name": "web", "environment": [{"name": "A", "value": "1"}]}]},
            {"containerDefinitions": [{"name": "web"}]},
            ["containerDefinitions[web].environment[A]"],
        ),
        (
            {"containerDefinitions": [{"name": "web"}, {"name": "web", "image": "x"}]},
            {"containerDefinitions": [{"name": "web"}]},
            ["containerDefinitions"],
        ),
    ],
    ids=["same", "changed", "added", "removed", "first item of an absent list", "repeated identity compares whole"],
)
def test_compare_task_definitions_paths(desired, current, expected):
    assert compare_task_definitions(desired, current) == expected


def test_request_digest_is_equal_for_equal_meaning_and_differs_for_a_change():
    from ansible_collections.devops.fargate.plugins.module_utils.taskdef import request_digest

    two = [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}]
    containers = [{"name": "web", "image": "r/web:1", "environment": two}]
    base = {"family": "web", "cpu": 256, "memory": "1 GB", "requiresCompatibilities": ["FARGATE"], "containerDefinitions": containers}
    same = {
        "family": "web",
        "cpu": "0.25 vCPU",
        "memory": 1024,
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "containerDefinitions": [{"name": "web", "image": "r/web:1", "essential": True, "environment": list(reversed(two))}],
    }
    changed = dict(base, memory=2048)
    assert request_digest(base) == request_digest(same)
    assert request_digest(base) != request_digest(changed)
    assert len(request_digest(base)) == 64
