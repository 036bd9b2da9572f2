# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: fargate_services_restore
short_description: What an all-or-nothing rollback returns where
version_added: 0.3.0
description:
  - From the results of the services a run has rolled (P(devops.fargate.ecs_deploy#module)'s, each with its C(service)),
    the ones to return to the revision they ran before the run, newest first, as C({service, rollback_to}).
  - The failed service is left to its own rollback. A service the run did not change, or whose revision did not change,
    is not moved; one the run created has C(rollback_to) null (nothing to return to).
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  _input:
    description: The rolled services' results, in the order rolled.
    type: list
    elements: dict
    required: true
  failed:
    description: The service that failed, if it is among them.
    type: str
"""

EXAMPLES = r"""
- name: Return the services rolled before the failure
  devops.fargate.ecs_deploy:
    cluster: demo
    service: "{{ item.service }}"
    state: rolled_back
    rollback_to: "{{ item.rollback_to }}"
  loop: "{{ fargate_deployments | devops.fargate.fargate_services_restore('worker') | selectattr('rollback_to') }}"
"""

RETURN = r"""
_value:
  description: The services to return, newest first, each C({service, rollback_to}).
  type: list
  elements: dict
"""

from ansible_collections.devops.fargate.plugins.module_utils.services import to_restore


def fargate_services_restore(rolled, failed=None):
    return to_restore(list(rolled or []), failed)


class FilterModule:
    def filters(self):
        return {"fargate_services_restore": fargate_services_restore}
