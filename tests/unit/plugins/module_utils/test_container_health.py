"""The local run's health wait: which check runs, what state a container is in, and what a failed one says."""

from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.container_health import check_argv
from ansible_collections.devops.fargate.plugins.module_utils.container_health import state_of
from ansible_collections.devops.fargate.plugins.module_utils.container_health import why_not

CHECK = {"Test": ["CMD", "python3", "-m", "webapp.healthcheck"], "Interval": 5_000_000_000}


def container(running=True, health=None, check="default", **state):
    check = CHECK if check == "default" else check
    found = {"State": dict({"Running": running}, **state), "Config": {}}
    if health is not None:
        found["State"]["Health"] = health
    if check is not None:
        found["Config"]["Healthcheck"] = check
    return found


@pytest.mark.parametrize(
    "test, argv",
    [
        (["CMD", "python3", "-m", "webapp.healthcheck"], ["python3", "-m", "webapp.healthcheck"]),
        (["CMD-SHELL", "curl -f http://127.0.0.1:8000/health || exit 1"], ["/bin/sh", "-c", "curl -f http://127.0.0.1:8000/health || exit 1"]),
        (["NONE"], None),
        ([], None),
        (None, None),
    ],
)
def test_the_check_runs_as_docker_runs_it(test, argv):
    assert check_argv(test) == argv


def test_an_unknown_check_form_is_named():
    with pytest.raises(ValueError, match="'CMD-EXEC'"):
        check_argv(["CMD-EXEC", "true"])


@pytest.mark.parametrize(
    "found, state",
    [
        (container(health={"Status": "starting"}), "starting"),
        (container(health=None), "starting"),  # a check, and no verdict yet
        (container(health={"Status": "healthy"}), "healthy"),
        (container(health={"Status": "unhealthy"}), "unhealthy"),
        (container(check=None), "healthy"),  # nothing to wait for
        (container(check={"Test": ["NONE"]}), "healthy"),
        ({"State": {"Running": True}, "Config": {"Healthcheck": None}}, "healthy"),
        (container(running=False, health={"Status": "healthy"}), "stopped"),
    ],
)
def test_state_of_a_container(found, state):
    assert state_of(found) == state


def test_a_stopped_container_says_its_exit_code_and_error():
    assert why_not(container(running=False, ExitCode=3, Error="")) == "it stopped (exit code 3)"
    assert why_not(container(running=False, ExitCode=127, Error="exec: not found")) == "it stopped (exit code 127, exec: not found)"


def test_an_unhealthy_container_says_its_last_checks_output():
    health = {"Status": "unhealthy", "Log": [{"ExitCode": 1, "Output": "old\n"}, {"ExitCode": 1, "Output": "  503 from /health\n"}]}
    assert why_not(container(health=health)) == "its health check failed (exit code 1: 503 from /health)"
