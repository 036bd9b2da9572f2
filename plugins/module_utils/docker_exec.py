# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A command run in a local container through community.docker's Docker API client, as Docker runs a health check."""

from __future__ import annotations

from ansible_collections.community.docker.plugins.module_utils._api.errors import APIError


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
