"""The run_local role's container arguments, from a revision's container definition and from a container Docker
describes (formerly Jinja in playbooks/run_local.yml)."""

from __future__ import annotations

import hashlib
import json

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.devops.fargate.plugins.filter.local_container import local_container

ARN = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7"
# As DescribeTaskDefinition gives it (ECS leaves out the health check's unset settings).
DEFINITION = {
    "name": "web",
    "image": "127.0.0.1:5050/web@sha256:" + "a" * 64,
    "essential": True,
    "portMappings": [{"containerPort": 8000, "hostPort": 8000, "protocol": "tcp"}],
    "environment": [{"name": "FLASK_SERVICE_NAME", "value": "web"}, {"name": "GUNICORN_WORKERS", "value": "2"}],
    "healthCheck": {"command": ["CMD", "python3", "-c", "print(1)"], "interval": 10, "retries": 2},
    "stopTimeout": 20,
}
# The container docker_container started from it, as docker_container_info returns it (trimmed to what matters).
INSPECTED = {
    "Config": {
        "Image": DEFINITION["image"],
        "Env": ["FLASK_SERVICE_NAME=web", "GUNICORN_WORKERS=2", "PATH=/opt/venv/bin:/usr/bin", "EMPTY="],
        "Labels": {"devops-fargate.task-definition": ARN, "org.opencontainers.image.version": "1.2.3",
                   "devops-fargate.container-spec": local_container(DEFINITION, 8080, ARN)["labels"]["devops-fargate.container-spec"]},
        "Healthcheck": {"Test": ["CMD", "python3", "-c", "print(1)"], "Interval": 10 * 10**9, "Timeout": 5 * 10**9, "Retries": 2},
        "StopTimeout": 20,
    },
    "HostConfig": {"PortBindings": {"8000/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8080"}]}},
}


def test_a_revision_becomes_its_container_on_the_loopback_port():
    spec = local_container(DEFINITION, 8080, ARN)
    digest = spec["labels"].pop("devops-fargate.container-spec")
    assert spec == {
        "image": DEFINITION["image"],
        "env": {"FLASK_SERVICE_NAME": "web", "GUNICORN_WORKERS": "2"},
        "published_ports": ["127.0.0.1:8080:8000"],
        # ECS's defaults for what the definition leaves out: a 5 s timeout, no start period.
        "healthcheck": {"test": ["CMD", "python3", "-c", "print(1)"], "interval": "10s", "timeout": "5s", "retries": 2, "start_period": "0s"},
        "stop_timeout": 20,
        "labels": {"devops-fargate.task-definition": ARN},
    }
    assert digest == "sha256:" + hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()


@pytest.mark.parametrize("change", [
    {"image": "127.0.0.1:5050/web@sha256:" + "b" * 64},
    {"environment": [{"name": "FLASK_SERVICE_NAME", "value": "web"}]},
    {"portMappings": [{"containerPort": 9000}]},
    {"healthCheck": {"command": ["CMD", "true"]}},
    {"stopTimeout": 30},
])
def test_the_spec_digest_changes_with_every_argument_and_only_with_them(change):
    """A container whose label has the digest is left alone by a rerun: any argument that differs must change it."""
    def digest(definition, port=8080, arn=ARN):
        return local_container(definition, port, arn)["labels"]["devops-fargate.container-spec"]

    assert digest(dict(DEFINITION)) == digest(DEFINITION)
    assert digest(dict(DEFINITION, essential=False, name="other")) == digest(DEFINITION), "not an argument of the container"
    assert digest(dict(DEFINITION, **change)) != digest(DEFINITION)
    assert digest(DEFINITION, port=8081) != digest(DEFINITION)
    assert digest(DEFINITION, arn=ARN[:-1] + "8") != digest(DEFINITION)


def test_a_bare_definition_leaves_docker_its_defaults():
    spec = local_container({"image": "web:1"}, "8080")
    assert spec == {"image": "web:1", "env": {}, "published_ports": [], "healthcheck": None, "stop_timeout": None, "labels": {}}


def test_a_described_container_runs_again_as_it_was():
    spec = local_container(INSPECTED, 8080, inspect=True)
    expected = local_container(DEFINITION, 8080, ARN)
    # What the image added (its PATH, its labels) comes back too: the container is started as it was.
    assert spec["env"] == dict(expected["env"], PATH="/opt/venv/bin:/usr/bin", EMPTY="")
    assert spec["labels"] == dict(expected["labels"], **{"org.opencontainers.image.version": "1.2.3"})
    for key in ("image", "published_ports", "healthcheck", "stop_timeout"):
        assert spec[key] == expected[key], key


@pytest.mark.parametrize("check", [None, {"Test": ["NONE"]}, {}])
def test_a_described_container_without_a_check_gets_none(check):
    inspected = {"Config": dict(INSPECTED["Config"], Healthcheck=check), "HostConfig": {}}
    spec = local_container(inspected, 8080, inspect=True)
    assert spec["healthcheck"] is None and spec["published_ports"] == []


def test_docker_defaults_fill_a_check_with_only_its_test():
    inspected = {"Config": dict(INSPECTED["Config"], Healthcheck={"Test": ["CMD-SHELL", "true"]}), "HostConfig": {}}
    assert local_container(inspected, 8080, inspect=True)["healthcheck"] == {
        "test": ["CMD-SHELL", "true"], "interval": "30s", "timeout": "5s", "retries": 3, "start_period": "0s"}


@pytest.mark.parametrize("data, inspect, rule", [
    ("web:1", False, "expects a dict"),
    ({"environment": []}, False, "not a container definition"),
    ({"HostConfig": {}}, True, "not a container Docker describes"),
])
def test_what_is_not_a_container_fails_naming_the_rule(data, inspect, rule):
    with pytest.raises(AnsibleFilterError, match=rule):
        local_container(data, 8080, inspect=inspect)
