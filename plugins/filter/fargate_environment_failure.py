# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: fargate_environment_failure
short_description: The failure message of a run of several services
version_added: 0.3.0
description:
  - Names the service that failed and why, then where each service the run had already rolled is now - returned to its
    revision before the run, left in place (created by the run), or not returned and why.
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  _input:
    description: The failed service's name.
    type: str
    required: true
  reason:
    description: Why it failed (the failed task's message).
    type: str
    required: true
  restore:
    description: What P(devops.fargate.fargate_services_restore#filter) planned, C({service, rollback_to}) each.
    type: list
    elements: dict
  results:
    description: The rollbacks' results, each with its C(item) (a loop's C(results)).
    type: list
    elements: dict
"""

EXAMPLES = r"""
- name: Fail naming the service
  ansible.builtin.fail:
    msg: "{{ 'worker' | devops.fargate.fargate_environment_failure(ansible_failed_result.msg, [], []) }}"
"""

RETURN = r"""
_value:
  description: The message.
  type: str
"""

from ansible_collections.devops.fargate.plugins.module_utils.services import environment_failure


def fargate_environment_failure(failed, reason, restore=None, results=None):
    return environment_failure(failed, str(reason), list(restore or []), list(results or []))


class FilterModule:
    def filters(self):
        return {"fargate_environment_failure": fargate_environment_failure}
