# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: fargate_rollout_line
short_description: One service's rollout in a line, for the run's summary
version_added: 0.3.0
description:
  - From P(devops.fargate.ecs_deploy#module)'s result, the revision (C(family:revision)), whether it was registered or
    reused, the rollout's state and whether this run started it.
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  _input:
    description: The module's result.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Say where each service is
  ansible.builtin.debug:
    msg: "{{ fargate_deployments | map('devops.fargate.fargate_rollout_line') }}"
"""

RETURN = r"""
_value:
  description: For example C(fargate-demo:4 (registered), COMPLETED (started)).
  type: str
"""

from ansible_collections.devops.fargate.plugins.module_utils.services import rollout_line


def fargate_rollout_line(result):
    return rollout_line(dict(result or {}))


class FilterModule:
    def filters(self):
        return {"fargate_rollout_line": fargate_rollout_line}
