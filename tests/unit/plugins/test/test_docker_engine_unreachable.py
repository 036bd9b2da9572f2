"""The docker_engine_unreachable test on the messages community.docker and the Docker CLI give."""

from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.test.docker_engine_unreachable import docker_engine_unreachable


@pytest.mark.parametrize(
    "message",
    [
        # community.docker's API client: the engine stopped (socket gone), as the fault tests see it
        "Error connecting: Error while fetching server API version: ('Connection aborted.', FileNotFoundError(2, 'No such file or directory'))",
        # the Docker CLI
        "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
    ],
)
def test_the_engine_not_answering_is_recognised(message):
    assert docker_engine_unreachable(message)


@pytest.mark.parametrize(
    "message",
    ["pull access denied for 127.0.0.1:5050/web, repository does not exist", "", None, {"msg": "Error connecting"}],
)
def test_other_failures_are_not(message):
    assert not docker_engine_unreachable(message)
