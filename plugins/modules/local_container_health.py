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
"""

RETURN = r"""
status:
  description: V(healthy) when the wait ended well.
  returned: success
  type: str
  sample: healthy
passed_by:
  description:
    - Whose check passed. V(exec) is the container's check, run by this module while Docker still said C(starting);
      V(docker) is Docker's own verdict; V(none) is a container without a health check.
  returned: success
  type: str
  sample: exec
seconds:
  description: How long the wait took.
  returned: always
  type: float
  sample: 1.7
"""

import time

from ansible_collections.community.docker.plugins.module_utils._api.errors import DockerException
from ansible_collections.community.docker.plugins.module_utils._api.errors import NotFound
from ansible_collections.community.docker.plugins.module_utils.common_api import AnsibleDockerClient
from ansible_collections.community.docker.plugins.module_utils.common_api import RequestException

from ansible_collections.devops.fargate.plugins.module_utils.container_health import HEALTHY
from ansible_collections.devops.fargate.plugins.module_utils.docker_exec import Unhealthy
from ansible_collections.devops.fargate.plugins.module_utils.docker_exec import wait_healthy


def main() -> None:
    client = AnsibleDockerClient(
        argument_spec=dict(
            name=dict(type="str", required=True, aliases=["container"]),
            timeout=dict(type="int", default=60),
            delay=dict(type="float", default=0.5),
        ),
        supports_check_mode=True,
    )
    params = client.module.params
    start = time.monotonic()

    def seconds() -> float:
        return round(time.monotonic() - start, 1)

    try:
        passed_by = wait_healthy(client, params["name"], params["timeout"], params["delay"])
    except Unhealthy as e:
        if e.why is None:
            client.fail(f"container {params['name']} did not become healthy within {params['timeout']} seconds (Docker says {e.state})",
                        seconds=seconds())
        client.fail(f"container {params['name']} is not healthy: {e.why}", seconds=seconds())
    except NotFound:
        client.fail(f"container {params['name']} does not exist", seconds=seconds())
    except (DockerException, RequestException) as e:
        client.fail(f"Docker error while waiting for container {params['name']}: {e}", seconds=seconds())
    client.module.exit_json(changed=False, status=HEALTHY, passed_by=passed_by, seconds=seconds())


if __name__ == "__main__":
    main()
