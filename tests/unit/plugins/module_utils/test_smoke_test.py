"""The image smoke test's decisions: the container it creates, the port Docker published, and what a wrong answer says."""

from __future__ import annotations

import pytest

from ansible_collections.community.docker.plugins.module_utils.util import parse_healthcheck
from ansible_collections.devops.fargate.plugins.module_utils.smoke_test import container_config
from ansible_collections.devops.fargate.plugins.module_utils.smoke_test import host_port
from ansible_collections.devops.fargate.plugins.module_utils.smoke_test import mismatches
from ansible_collections.devops.fargate.plugins.module_utils.smoke_test import split_name


def test_the_container_publishes_its_port_on_a_free_loopback_port_with_a_tty():
    config = container_config("sha256:abc", 8000, {"PORT": "8000", "A": "1"}, None)
    assert config["Image"] == "sha256:abc"
    assert config["Env"] == ["A=1", "PORT=8000"]
    assert config["Tty"] is True
    assert config["ExposedPorts"] == {"8000/tcp": {}}
    assert config["HostConfig"]["PortBindings"] == {"8000/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}]}
    assert "Healthcheck" not in config


def test_the_health_check_goes_in_as_docker_takes_it():
    healthcheck = parse_healthcheck({"test": ["CMD", "python3", "-m", "webapp.healthcheck"], "interval": "2s", "start_period": "2s", "timeout": "10s"})[0]
    config = container_config("img", 8000, {}, healthcheck)
    assert config["Healthcheck"] == {
        "Test": ["CMD", "python3", "-m", "webapp.healthcheck"],
        "Interval": 2_000_000_000,
        "StartPeriod": 2_000_000_000,
        "Timeout": 10_000_000_000,
    }


@pytest.mark.parametrize(
    ("ports", "expected"),
    [
        ({"8000/tcp": [{"HostIp": "127.0.0.1", "HostPort": "32768"}]}, 32768),
        ({"8000/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}]}, None),
        ({"8000/tcp": None}, None),
        ({}, None),
        (None, None),
    ],
)
def test_the_published_port_is_read_from_the_inspect_answer(ports, expected):
    assert host_port({"NetworkSettings": {"Ports": ports}}, 8000) == expected


def test_an_answer_holding_what_is_expected_passes():
    assert mismatches("/", '{"version": "1.2.3", "revision": "abc", "extra": 1}', {"version": "1.2.3", "revision": "abc"}) == []


def test_each_wrong_or_missing_key_is_named_with_both_values():
    assert mismatches("/", '{"version": "1.2.2"}', {"version": "1.2.3", "revision": "abc"}) == [
        '/ answers version="1.2.2", expected "1.2.3"',
        '/ answers revision=null, expected "abc"',
    ]


@pytest.mark.parametrize(("body", "what"), [("<html>oops</html>", "not JSON"), ("[1, 2]", "not a JSON object")])
def test_an_answer_that_is_not_a_json_object_is_named(body, what):
    [problem] = mismatches("/health", body, {})
    assert problem.startswith("/health answered") and problem.endswith(what)


@pytest.mark.parametrize("name, parts", [
    ("fargate-demo:1.4.2", ("fargate-demo", "1.4.2")),
    ("fargate-demo:v1.4.2-3-gabc1234-dirty", ("fargate-demo", "v1.4.2-3-gabc1234-dirty")),
    ("127.0.0.1:5050/team/fargate-demo:latest", ("127.0.0.1:5050/team/fargate-demo", "latest")),
    ("fargate-demo", None),  # no tag
    ("127.0.0.1:5050/fargate-demo", None),  # the registry's port is not a tag
    ("fargate-demo:", None),
    (":latest", None),
    ("fargate-demo:-leading-dash", None),
    ("fargate-demo:" + "x" * 129, None),
])
def test_a_name_splits_into_repository_and_tag_as_docker_reads_it(name, parts):
    assert split_name(name) == parts
