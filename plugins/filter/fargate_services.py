# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: fargate_services
short_description: Each service of an environment as the fargate role deploys it
version_added: 0.3.0
description:
  - Turns the fargate role's C(fargate_services) into one plan per service, in the order given - its C(name), its
    P(devops.fargate.ecs_deploy#module) arguments (C(args)), its autoscaling bounds (C(scaling)) and C(verify_url).
  - Each entry's settings override the single-service ones. The first entry inherits every single-service value; a
    later one inherits all but those that belong to one service (load balancers, health check grace period, alarms,
    the pre-deploy task, autoscaling and the verify URL).
  - An empty list gives the single-service variables as a one-service list.
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  _input:
    description: The C(fargate_services) list (each a dict with a C(name)), or an empty list.
    type: list
    elements: dict
    required: true
  base_args:
    description: The single-service ecs_deploy arguments, with one container.
    type: dict
    required: true
  base_settings:
    description: The single-service values that are not ecs_deploy arguments (C(desired_count), C(min_capacity), C(max_capacity), C(cpu_target), C(verify_url)).
    type: dict
    required: true
  check:
    description:
      - Check instead of failing - each plan gets C(errors), the problems with its ecs_deploy arguments as
        P(devops.fargate.ecs_deploy_errors#filter) finds them, each prefixed with the entry (C(fargate_services[1] (worker))),
        and a malformed C(fargate_services) gives one plan whose C(errors) name the key and the rule.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Deploy each service
  devops.fargate.ecs_deploy: "{{ item.args }}"
  loop: "{{ fargate_services | devops.fargate.fargate_services(deploy_args, {'desired_count': 1, 'max_capacity': 0}) }}"
"""

RETURN = r"""
_value:
  description: One plan per service, in the order given.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.devops.fargate.plugins.filter.ecs_deploy import _plain
from ansible_collections.devops.fargate.plugins.filter.ecs_deploy import ecs_deploy_errors
from ansible_collections.devops.fargate.plugins.module_utils.services import service_plans
from ansible_collections.devops.fargate.plugins.module_utils.services import services_errors


def fargate_services(services, base_args, base_settings, check=False):
    # Plain containers, rendered once here: a copy of Ansible's lazy ones would carry their templates along, to be
    # rendered again wherever a plan is used.
    services, base_args, base_settings = _plain(services), _plain(base_args), _plain(base_settings)
    errors = services_errors(services)
    if errors:
        if check:
            return [{"name": None, "args": {}, "errors": errors}]
        raise AnsibleFilterError("; ".join(errors))
    plans = service_plans(services or [], base_args, base_settings)
    if check:
        for index, plan in enumerate(plans):
            prefix = f"fargate_services[{index}] ({plan['name']}): " if services else ""
            plan["errors"] = [prefix + error for error in ecs_deploy_errors(plan["args"])]
    return plans


class FilterModule:
    def filters(self):
        return {"fargate_services": fargate_services}
