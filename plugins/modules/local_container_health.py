#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: local_container_health
short_description: Wait until a local container's health check passes, running it as soon as it can pass
version_added: 0.2.0
description:
  - Waits, in one module run, until the container named O(name) is healthy, and fails when it stops or Docker declares
    it unhealthy, naming why (its exit code, or its last check's output).
  - Docker runs a container's first health check one interval after the start (Docker Engine before 25 has no
    C(start_interval)). While Docker still says C(starting), this module runs the container's own check in the
    container (C(docker exec), the check's command as Docker would run it) every O(delay) seconds, so the wait ends as
    soon as the check passes instead of one interval later. Only Docker's own checks can declare the container
    unhealthy.
  - A running container without a health check is healthy.
  - With O(url), the wait goes on until that URL answers 200 once the container is healthy.
  - With O(wait=false), it looks once instead and never fails for what it finds. It returns whether the container exists, its
    inspect answer, its health, and (with O(url), when it is running and healthy) whether the URL answers 200. So a
    local run whose container is already as wanted makes one module run to know it.
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  name:
    description: The container's name or id.
    type: str
    required: true
    aliases: [container]
  timeout:
    description: Seconds to wait before failing.
    type: int
    default: 60
  delay:
    description: Seconds between two looks at the container.
    type: float
    default: 0.5
  url:
    description:
      - An HTTP URL the container must answer with 200 once it is healthy (its published port and health path).
      - Each request waits at most 2 seconds.
    type: str
  wait:
    description:
      - Whether to wait. V(false) looks once (see RV(exists), RV(container), RV(status), RV(answer)).
    type: bool
    default: true
  image:
    description:
      - With O(wait=false), an image (name, C(name@digest) or id) to look for on the engine too, in the same look
        (RV(image_present)), such as the one about to replace the container.
    type: str
attributes:
  check_mode:
    support: full
    description: Only reads and runs the read-only health check, as in a real run.
  diff_mode:
    support: none
    description: Changes nothing, so there is nothing to show.
  idempotent:
    support: full
    description: Changes nothing.
extends_documentation_fragment:
  - community.docker.docker.api_documentation
notes:
  - Uses community.docker's Docker API client; no Docker SDK for Python is needed.
"""

EXAMPLES = r"""
- name: Wait for the container's health check to pass
  devops.fargate.local_container_health:
    name: fargate-demo-local
    timeout: 60
    url: http://127.0.0.1:8080/health

- name: Look at the container now serving, and whether it answers
  devops.fargate.local_container_health:
    name: fargate-demo-local
    url: http://127.0.0.1:8080/health
    image: 127.0.0.1:5050/fargate-demo@sha256:11ccab8dac2997c5f7241588dc53d8fabfa04019d27c7f99bf2f21248c8e65ff
    wait: false
  register: serving
"""

RETURN = r"""
answer:
  description: The last answer of O(url); with O(wait=false) and a container that is not healthy, none was asked.
  returned: when O(url) was given
  type: dict
  contains:
    status:
      description: Its HTTP status; V(-1) when it did not answer.
      type: int
      sample: 200
    msg:
      description: What went wrong when it did not answer 200.
      type: str
      sample: OK
container:
  description: The container's inspect answer (Docker's C(GET /containers/{id}/json)); empty when it does not exist.
  returned: with O(wait=false)
  type: dict
  sample: {"Id": "814e52f2ea6d", "State": {"Running": true, "Health": {"Status": "healthy"}}}
image_present:
  description: Whether the engine has O(image).
  returned: with O(wait=false) and O(image)
  type: bool
  sample: true
exists:
  description: Whether the container exists.
  returned: with O(wait=false)
  type: bool
  sample: true
status:
  description:
    - V(healthy) when the wait ended well.
    - With O(wait=false), the container's state as found, one of V(absent), V(stopped), or Docker's health status
      (V(healthy) for a running container without a health check).
  returned: success
  type: str
  sample: healthy
passed_by:
  description:
    - Whose check passed. V(exec) is the container's check, run by this module while Docker still said C(starting);
      V(docker) is Docker's own verdict; V(none) is a container without a health check.
  returned: when the wait ended well
  type: str
  sample: exec
seconds:
  description: How long the wait took.
  returned: always
  type: float
  sample: 1.7
"""

import time

from urllib.error import HTTPError
from urllib.error import URLError

from ansible.module_utils.urls import open_url

from ansible_collections.community.docker.plugins.module_utils._api.errors import DockerException
from ansible_collections.community.docker.plugins.module_utils._api.errors import NotFound
from ansible_collections.community.docker.plugins.module_utils.common_api import AnsibleDockerClient
from ansible_collections.community.docker.plugins.module_utils.common_api import RequestException

from ansible_collections.devops.fargate.plugins.module_utils.container_health import HEALTHY
from ansible_collections.devops.fargate.plugins.module_utils.container_health import state_of
from ansible_collections.devops.fargate.plugins.module_utils.docker_exec import Unhealthy
from ansible_collections.devops.fargate.plugins.module_utils.docker_exec import wait_healthy


def ask(url: str) -> dict:
    """One GET of ``url``: its status (-1 when it did not answer) and what went wrong."""
    try:
        with open_url(url, timeout=2, follow_redirects="none", validate_certs=False) as response:
            return {"status": response.status, "msg": "OK"}
    except HTTPError as e:
        return {"status": e.code, "msg": f"HTTP Error {e.code}: {e.reason}"}
    except (URLError, OSError, ValueError) as e:
        return {"status": -1, "msg": str(getattr(e, "reason", e))}


def inspect(client, name: str) -> dict:
    """The container's inspect answer; empty when it does not exist."""
    try:
        return client.get_json("/containers/{0}/json", name)
    except NotFound:
        return {}


def image_present(client, image: str) -> bool:
    """Whether the engine has ``image`` (Docker's GET /images/{name}/json)."""
    try:
        client.get_json("/images/{0}/json", image)
        return True
    except NotFound:
        return False


def main() -> None:
    client = AnsibleDockerClient(
        argument_spec=dict(
            name=dict(type="str", required=True, aliases=["container"]),
            timeout=dict(type="int", default=60),
            delay=dict(type="float", default=0.5),
            url=dict(type="str"),
            wait=dict(type="bool", default=True),
            image=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    params = client.module.params
    name, url = params["name"], params["url"]
    start = time.monotonic()

    def seconds() -> float:
        return round(time.monotonic() - start, 1)

    def fail(msg: str, **result) -> None:
        client.fail(msg, seconds=seconds(), **result)

    try:
        if not params["wait"]:
            container = inspect(client, name)
            status = state_of(container) if container else "absent"
            result = dict(changed=False, exists=bool(container), container=container, status=status, seconds=seconds())
            if url:
                result["answer"] = ask(url) if status == HEALTHY else {"status": -1, "msg": f"not asked: the container is {status}"}
            if params["image"]:
                result["image_present"] = image_present(client, params["image"])
            client.module.exit_json(**result)
        try:
            passed_by = wait_healthy(client, name, params["timeout"], params["delay"])
        except Unhealthy as e:
            if e.why is None:
                fail(f"container {name} did not become healthy within {params['timeout']} seconds (Docker says {e.state})")
            fail(f"container {name} is not healthy: {e.why}")
        except NotFound:
            fail(f"container {name} does not exist")
        result = dict(changed=False, status=HEALTHY, passed_by=passed_by)
        if url:
            answer = ask(url)
            while answer["status"] != 200 and time.monotonic() - start < params["timeout"]:
                time.sleep(params["delay"])
                answer = ask(url)
            if answer["status"] != 200:
                fail(f"container {name} is healthy but {url} did not answer 200 within {params['timeout']} seconds ({answer['msg']})", answer=answer)
            result["answer"] = answer
        client.module.exit_json(seconds=seconds(), **result)
    except (DockerException, RequestException) as e:
        client.fail(f"Docker error while waiting for container {name}: {e}", seconds=seconds())


if __name__ == "__main__":
    main()
