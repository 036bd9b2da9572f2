#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: image_smoke_test
short_description: Run an image once on the local Docker engine, check what it answers and its health check, remove it
version_added: 0.3.0
description:
  - In one module run, starts O(image) as a container named O(name) (an earlier container of that name is removed
    first), with O(port) published on a free loopback port, then asks each of O(probes) in turn and checks the JSON
    object it answers holds the keys and values of its C(expect).
  - The first probe is asked every O(delay) seconds until it answers HTTP 200 (the app is up); the others once.
  - Then the container's health check (O(healthcheck), else the image's) must pass. It is run in the container as soon
    as it can pass (C(docker exec), as Docker runs it), as M(devops.fargate.local_container_health) does.
  - A container that stops, an answer that is not the one expected, or a health check that fails fails the module,
    naming what, with the container's last O(log_lines) log lines in RV(logs).
  - The container is removed in every case. It is transient, so the module reports a change only when it tags.
  - Once the image passed, it gets each of O(tags), in the same module run rather than in a tagging module's run of
    its own after it. Only a tested image gets its version and moving tags.
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  image:
    description: The image to run (id or name).
    type: str
    required: true
  name:
    description: The container's name.
    type: str
    required: true
  port:
    description: The container port the app listens on; published on a free port of 127.0.0.1.
    type: int
    required: true
  env:
    description: The container's environment.
    type: dict
    default: {}
  healthcheck:
    description:
      - The container's health check, as M(community.docker.docker_container) takes it (C(test), C(interval),
        C(timeout), C(start_period), C(retries)). Omitted, the image's own.
    type: dict
  probes:
    description: The paths to ask, in turn, and what each must answer.
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description: The path, from C(/).
        type: str
        required: true
      expect:
        description: Keys and values the JSON object answered must hold.
        type: dict
        default: {}
  timeout:
    description: Seconds the app gets to answer the first probe, and again its health check to pass.
    type: float
    default: 30
  delay:
    description: Seconds between two tries of the first probe.
    type: float
    default: 1
  log_lines:
    description: How many of the container's last log lines a failure returns.
    type: int
    default: 40
  tags:
    description:
      - Names (C(repository:tag)) to give O(image) once it passed, in order; a name another image had moves to it.
        A failed test tags nothing.
    type: list
    elements: str
    default: []
attributes:
  check_mode:
    support: none
    description: Runs a container, so it does not run in check mode.
  diff_mode:
    support: none
    description: Leaves nothing behind, so there is nothing to show.
  idempotent:
    support: full
    description: Leaves no container behind; each run tests the image again, and tags it with what O(tags) names.
extends_documentation_fragment:
  - community.docker.docker.api_documentation
notes:
  - Uses community.docker's Docker API client; no Docker SDK for Python is needed.
"""

EXAMPLES = r"""
- name: Smoke-test the new image
  devops.fargate.image_smoke_test:
    image: "{{ built.image.Id }}"
    name: fargate-demo-smoke
    port: 8000
    env: {PORT: "8000"}
    probes:
      - {path: /health, expect: {status: ok}}
      - {path: /, expect: {version: 1.4.2}}
    tags: [fargate-demo:1.4.2, fargate-demo:latest]
"""

RETURN = r"""
answers:
  description: Each probe's path and the JSON it answered.
  returned: success
  type: dict
  sample: {"/health": {"status": "ok"}, "/": {"version": "1.4.2"}}
host_port:
  description: The loopback port the container's port was published on.
  returned: when the container started
  type: int
  sample: 32768
health:
  description:
    - Whose health check passed. V(exec) is the check run by this module; V(docker) is Docker's own verdict; V(none)
      is a container without a health check.
  returned: success
  type: str
  sample: exec
logs:
  description: The container's last O(log_lines) log lines.
  returned: failure
  type: str
  sample: "RuntimeError: broken"
tagged:
  description: The names of O(tags) the image got, once it passed.
  returned: success
  type: list
  elements: str
  sample: [fargate-demo:1.4.2]
seconds:
  description: How long the test took, the container's removal included.
  returned: always
  type: float
  sample: 2.3
"""

import http.client
import json
import time

from ansible.module_utils.urls import open_url

from ansible_collections.community.docker.plugins.module_utils._api.errors import DockerException
from ansible_collections.community.docker.plugins.module_utils._api.errors import NotFound
from ansible_collections.community.docker.plugins.module_utils.common_api import AnsibleDockerClient
from ansible_collections.community.docker.plugins.module_utils.common_api import RequestException
from ansible_collections.community.docker.plugins.module_utils.util import parse_healthcheck

from ansible_collections.devops.fargate.plugins.module_utils.container_health import STOPPED
from ansible_collections.devops.fargate.plugins.module_utils.container_health import state_of
from ansible_collections.devops.fargate.plugins.module_utils.container_health import why_not
from ansible_collections.devops.fargate.plugins.module_utils.docker_exec import Unhealthy
from ansible_collections.devops.fargate.plugins.module_utils.docker_exec import wait_healthy
from ansible_collections.devops.fargate.plugins.module_utils.smoke_test import container_config
from ansible_collections.devops.fargate.plugins.module_utils.smoke_test import host_port
from ansible_collections.devops.fargate.plugins.module_utils.smoke_test import mismatches
from ansible_collections.devops.fargate.plugins.module_utils.smoke_test import split_name


class SmokeFailed(Exception):
    pass


class SmokeTest:
    def __init__(self, client) -> None:
        self.client = client
        self.params = client.module.params
        self.container_id = None
        self.result: dict = {}

    def inspect(self) -> dict:
        return self.client.get_json("/containers/{0}/json", self.container_id)

    def start(self) -> None:
        healthcheck = parse_healthcheck(self.params["healthcheck"])[0] if self.params["healthcheck"] else None
        body = container_config(self.params["image"], self.params["port"], self.params["env"], healthcheck)
        self.remove()
        self.container_id = self.client.post_json_to_json("/containers/create", data=body, params={"name": self.params["name"]})["Id"]
        self.client.post_call("/containers/{0}/start", self.container_id)
        container = self.inspect()
        port = host_port(container, self.params["port"])
        if port is None:
            if state_of(container) == STOPPED:  # a container that stopped at once has no ports left
                raise SmokeFailed(f"the container did not answer {self.params['probes'][0]['path']}: {why_not(container)}")
            raise SmokeFailed(f"Docker published no port for {self.params['port']}/tcp")
        self.result["host_port"] = port

    def ask(self, path: str, until_ready: bool) -> str:
        """What ``path`` answers; with ``until_ready``, asked again until it answers 200 while the container runs."""
        url = f"http://127.0.0.1:{self.result['host_port']}/{path.lstrip('/')}"
        deadline = time.monotonic() + self.params["timeout"]
        last = ""
        while True:
            try:
                with open_url(url, timeout=10, validate_certs=False, follow_redirects="none") as response:
                    return response.read().decode("utf-8", "replace")
            except (OSError, http.client.HTTPException) as e:  # HTTP errors, refused and reset connections alike
                last = str(e)
            if not until_ready:
                raise SmokeFailed(f"{path} did not answer 200 ({last})")
            container = self.inspect()
            if state_of(container) == STOPPED:
                raise SmokeFailed(f"the container did not answer {path}: {why_not(container)}")
            if time.monotonic() > deadline:
                raise SmokeFailed(f"{path} did not answer 200 within {self.params['timeout']:g} s (last: {last})")
            time.sleep(self.params["delay"])

    def healthy(self) -> str:
        """Whose health check passed, once one has; fails when the container stops, is unhealthy or times out."""
        try:
            return wait_healthy(self.client, self.container_id, self.params["timeout"], min(self.params["delay"], 0.5))
        except Unhealthy as e:
            if e.why is None:
                raise SmokeFailed(f"the health check did not pass within {self.params['timeout']:g} s (Docker says {e.state})") from e
            raise SmokeFailed(f"the health check did not pass: {e.why}") from e

    def run(self) -> None:
        self.start()
        answers, problems = {}, []
        for index, probe in enumerate(self.params["probes"]):
            body = self.ask(probe["path"], until_ready=index == 0)
            problems += mismatches(probe["path"], body, probe["expect"] or {})
            answers[probe["path"]] = body
        if problems:
            raise SmokeFailed("; ".join(problems))
        self.result["answers"] = {path: json.loads(body) for path, body in answers.items()}
        self.result["health"] = self.healthy()

    def tag(self) -> None:
        """The image, once it passed, tagged with each of the tags asked for (Docker's POST /images/{name}/tag)."""
        self.result["tagged"] = []
        for name in self.params["tags"]:
            repository, tag = split_name(name)
            self.client.post_call("/images/{0}/tag", self.params["image"], params={"repo": repository, "tag": tag})
            self.result["tagged"].append(name)

    def logs(self) -> str:
        if self.container_id is None:
            return ""
        try:
            return self.client.get_text("/containers/{0}/logs", self.container_id, params={"stdout": 1, "stderr": 1, "tail": self.params["log_lines"]})
        except (DockerException, RequestException) as e:
            return f"(the logs could not be read: {e})"

    def remove(self) -> None:
        try:
            self.client.delete_call("/containers/{0}", self.params["name"], params={"force": "true", "v": "true"})
        except NotFound:
            pass


def main() -> None:
    client = AnsibleDockerClient(
        argument_spec=dict(
            image=dict(type="str", required=True),
            name=dict(type="str", required=True),
            port=dict(type="int", required=True),
            env=dict(type="dict", default={}),
            healthcheck=dict(type="dict"),
            probes=dict(type="list", elements="dict", required=True,
                        options=dict(path=dict(type="str", required=True), expect=dict(type="dict", default={}))),
            timeout=dict(type="float", default=30.0),
            delay=dict(type="float", default=1.0),
            log_lines=dict(type="int", default=40),
            tags=dict(type="list", elements="str", default=[]),
        ),
        supports_check_mode=False,
    )
    started = time.monotonic()
    test = SmokeTest(client)
    bad = [name for name in client.module.params["tags"] if split_name(name) is None]
    if bad:
        client.fail(f"tags: {', '.join(bad)}: not repository:tag names (a tag is 1-128 letters, digits, _ . and -)", seconds=0.0, **test.result)
    failure, logs = None, ""
    try:
        test.run()
    except SmokeFailed as e:
        failure, logs = str(e), test.logs()
    except (DockerException, RequestException) as e:
        failure, logs = f"Docker error: {e}", test.logs()
    try:
        test.remove()
    except (DockerException, RequestException) as e:
        failure = failure or f"the container {client.module.params['name']} could not be removed: {e}"
    if not failure:
        try:
            test.tag()
        except (DockerException, RequestException) as e:
            failure = f"the image passed, but tagging it failed: {e}"
    seconds = round(time.monotonic() - started, 1)
    if failure:
        client.fail(failure, logs=logs, seconds=seconds, **test.result)
    client.module.exit_json(changed=bool(test.result["tagged"]), seconds=seconds, **test.result)


if __name__ == "__main__":
    main()
