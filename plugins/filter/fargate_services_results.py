# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: fargate_services_results
short_description: Each service's rollout result from the rollouts started at once
version_added: 0.3.0
description:
  - From C(ansible.builtin.async_status)'s loop over the rollouts the fargate role started at once
    (C(fargate_services_parallel)), each service's P(devops.fargate.ecs_deploy#module) result with its C(service),
    failed ones too, without the job's bookkeeping.
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  _input:
    description: The loop's C(results), each with its C(item) (the started job's record, with its C(service)).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Take the rollouts' results
  ansible.builtin.set_fact:
    fargate_deployments: "{{ waited.results | devops.fargate.fargate_services_results }}"
"""

RETURN = r"""
_value:
  description: One result per service, in the order started.
  type: list
  elements: dict
"""

from ansible_collections.devops.fargate.plugins.module_utils.services import loop_results


def fargate_services_results(results):
    return loop_results(list(results or []))


class FilterModule:
    def filters(self):
        return {"fargate_services_results": fargate_services_results}
