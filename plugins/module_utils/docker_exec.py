# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A local container's health check, run in it through community.docker's Docker API client as Docker runs it, and the
wait for it to pass (the decisions are container_health's)."""

from __future__ import annotations

import time

from ansible_collections.community.docker.plugins.module_utils._api.errors import APIError

from ansible_collections.devops.fargate.plugins.module_utils.container_health import HEALTHY
from ansible_collections.devops.fargate.plugins.module_utils.container_health import STARTING
from ansible_collections.devops.fargate.plugins.module_utils.container_health import health_check
from ansible_collections.devops.fargate.plugins.module_utils.container_health import state_of
from ansible_collections.devops.fargate.plugins.module_utils.container_health import why_not


def run_check(client, container_id: str, argv: list[str]) -> int | None:
    """The container's health check, run in it as Docker runs it; its exit code, None when it could not run (the
    container stopped meanwhile: the next look says so)."""
    try:
        created = client.post_json_to_json("/containers/{0}/exec", container_id, data={
            "AttachStdout": True, "AttachStderr": True, "Tty": False, "Privileged": False, "Cmd": argv,
        })
        client.post_json_to_stream("/exec/{0}/start", created["Id"], data={"Tty": False, "Detach": False}, stream=False, tty=False, demux=True)
        return client.get_json("/exec/{0}/json", created["Id"]).get("ExitCode")
    except APIError as e:
        if e.response is not None and e.response.status_code == 409:
            return None
        raise


class Unhealthy(Exception):
    """The wait ended without a passing check: the container stopped or Docker declared it unhealthy (``why``, from
    container_health.why_not), or the time ran out while Docker still said ``state``."""

    def __init__(self, why: str | None = None, state: str | None = None) -> None:
        super().__init__(why or f"timed out (Docker says {state})")
        self.why = why
        self.state = state


def wait_healthy(client, container: str, timeout: float, delay: float) -> str:
    """Wait until ``container`` (name or id) is healthy; whose check passed: ``exec`` (its check, run here while Docker
    still says starting, as soon as it can pass), ``docker`` (Docker's verdict) or ``none`` (it has no check). Raises
    Unhealthy, and the Docker client's errors (NotFound for a container that does not exist)."""
    start = time.monotonic()
    while True:
        inspected = client.get_json("/containers/{0}/json", container)
        state, argv = state_of(inspected), health_check(inspected)
        if state == HEALTHY:
            return "docker" if argv else "none"
        if state != STARTING:
            raise Unhealthy(why=why_not(inspected))
        if run_check(client, inspected["Id"], argv) == 0:
            return "exec"
        if time.monotonic() - start > timeout:
            raise Unhealthy(state=state)
        time.sleep(delay)
