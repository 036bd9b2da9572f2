# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: docker_engine_unreachable
short_description: Whether a community.docker module's error says the Docker engine did not answer
version_added: 0.2.0
description:
  - True when the message is what community.docker's API client says when the engine is stopped, the socket is wrong
    or it may not be used (C(Error connecting), C(Error while fetching server API version)), or what the Docker CLI says
    (C(Cannot connect to the Docker daemon)). Lets a role name the engine, rather than the step it was on, when it fails.
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  _input:
    description: A failed task's C(msg); anything else (a missing message) is false.
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Look at the container, naming the engine if it does not answer
  community.docker.docker_container_info:
    name: web
  register: info
  failed_when: info.exists is undefined and info.msg | default('') is not devops.fargate.docker_engine_unreachable
"""

RETURN = r"""
_value:
  description: Whether the message says the engine did not answer.
  type: bool
"""

import re

UNREACHABLE = re.compile(r"Error connecting|Error while fetching server API version|Cannot connect to the Docker daemon")


def docker_engine_unreachable(message) -> bool:
    return isinstance(message, str) and bool(UNREACHABLE.search(message))


class TestModule:
    def tests(self):
        return {"docker_engine_unreachable": docker_engine_unreachable}
