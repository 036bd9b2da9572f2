# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The image smoke test's decisions, unit-tested without Docker: the container to create, the port Docker published,
whether an answer is the one expected, and the names to tag a passed image with."""

from __future__ import annotations

import json
import re

# Docker's rule for a tag.
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")


def container_config(image: str, port: int, env: dict, healthcheck: dict | None) -> dict:
    """The body of Docker's ``POST /containers/create``: ``image`` with ``env``, ``port`` published on a free loopback
    port, a TTY (plain, not multiplexed, logs) and ``healthcheck`` (community.docker's normalized form: ``test`` and
    durations in nanoseconds) when given."""
    config = {
        "Image": image,
        "Env": [f"{key}={value}" for key, value in sorted(env.items())],
        "Tty": True,
        "ExposedPorts": {f"{port}/tcp": {}},
        "HostConfig": {"PortBindings": {f"{port}/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}]}},
    }
    if healthcheck:
        names = {"test": "Test", "interval": "Interval", "timeout": "Timeout", "start_period": "StartPeriod", "retries": "Retries"}
        config["Healthcheck"] = {names[key]: value for key, value in healthcheck.items() if key in names and value is not None}
    return config


def host_port(container: dict, port: int) -> int | None:
    """The loopback port Docker published ``port`` on, from an inspect answer; None before it has."""
    bindings = (((container.get("NetworkSettings") or {}).get("Ports") or {}).get(f"{port}/tcp")) or []
    for binding in bindings:
        if binding.get("HostPort"):
            return int(binding["HostPort"])
    return None


def mismatches(path: str, body: str, expect: dict) -> list[str]:
    """What is wrong with the JSON ``body`` that ``path`` answered, against the keys and values ``expect`` names."""
    try:
        answer = json.loads(body)
    except ValueError:
        return [f"{path} answered {body[:200]!r}, not JSON"]
    if not isinstance(answer, dict):
        return [f"{path} answered {body[:200]}, not a JSON object"]
    return [
        f"{path} answers {key}={json.dumps(answer.get(key))}, expected {json.dumps(value)}"
        for key, value in expect.items()
        if answer.get(key) != value
    ]


def split_name(name: str) -> tuple[str, str] | None:
    """``repository:tag`` as its repository and tag (a registry's ``host:port`` stays in the repository); None when
    the name has no tag or the tag is not one Docker takes."""
    repository, colon, tag = name.rpartition(":")
    if not colon or not repository or "/" in tag or not _TAG.match(tag):
        return None
    return repository, tag
