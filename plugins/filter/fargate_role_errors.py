# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: fargate_role_errors
short_description: Check the fargate role's own inputs without calling AWS
version_added: 0.2.0
description:
  - Returns the problems with the fargate role's inputs that the role checks itself, beyond what
    P(devops.fargate.ecs_deploy_errors#filter) checks of the module's arguments and what the role's argument spec checks
    of the types (network ids given as a string, IAM role and log group names, the platform version, the secrets'
    sources, the capacity provider strategy and the autoscaling bounds).
  - Each message names the variable and the rule. An empty list means the inputs are valid.
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  _input:
    description: The role's variables, by name (C(fargate_subnets), C(fargate_secrets), and so on). Those not given are not checked.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Stop early on a bad role input
  ansible.builtin.assert:
    that: errors | length == 0
    fail_msg: "{{ errors | join('; ') }}"
  vars:
    errors: "{{ {'fargate_log_group': fargate_log_group, 'fargate_secrets': fargate_secrets} | devops.fargate.fargate_role_errors }}"
"""

RETURN = r"""
_value:
  description: One message per problem, naming the variable and the rule; empty when the inputs are valid.
  type: list
  elements: str
"""

import re

from ansible.errors import AnsibleFilterError

IAM_ROLE_NAME = re.compile(r"^[A-Za-z0-9_+=,.@-]{1,64}$")
IAM_ROLE_NAME_RULE = "must be an IAM role name: 1 to 64 letters, digits and + = , . @ _ -"
LOG_GROUP = re.compile(r"^[A-Za-z0-9._/#-]{1,512}$")
PLATFORM_VERSION = re.compile(r"^(LATEST|[0-9]+[.][0-9]+[.][0-9]+)$")
SECRET_SOURCE = re.compile(r"^arn:aws[a-z-]*:(ssm|secretsmanager):")


def _number(value, kind=int):
    try:
        return kind(value)
    except (TypeError, ValueError):
        return kind(0)


def _network_errors(given: dict) -> list[str]:
    errors = []
    for name, what in (("fargate_subnets", "subnet ids"), ("fargate_security_groups", "security group ids")):
        if isinstance(given.get(name), str):
            errors.append(f"{name}: must be a list of {what}, got the string '{given[name]}'")
    return errors


def _name_errors(given: dict) -> list[str]:
    errors = []
    if "fargate_execution_role_name" in given and not IAM_ROLE_NAME.match(str(given["fargate_execution_role_name"])):
        errors.append(f"fargate_execution_role_name: {IAM_ROLE_NAME_RULE}, got '{given['fargate_execution_role_name']}'")
    task_role = given.get("fargate_task_role_name")
    if task_role and not IAM_ROLE_NAME.match(str(task_role)):
        errors.append(f"fargate_task_role_name: {IAM_ROLE_NAME_RULE} (or empty for none), got '{task_role}'")
    if "fargate_log_group" in given and not LOG_GROUP.match(str(given["fargate_log_group"])):
        errors.append(f"fargate_log_group: must be 1 to 512 letters, digits and . - _ / #, got '{given['fargate_log_group']}'")
    if "fargate_platform_version" in given and not PLATFORM_VERSION.match(str(given["fargate_platform_version"])):
        errors.append(f"fargate_platform_version: must be LATEST or a version such as 1.4.0, got '{given['fargate_platform_version']}'")
    return errors


def _secret_errors(given: dict) -> list[str]:
    return [
        f"fargate_secrets.{key}: must be an SSM parameter or Secrets Manager ARN, never a plain value"
        for key, value in (given.get("fargate_secrets") or {}).items()
        if not SECRET_SOURCE.match(str(value))
    ]


def _capacity_errors(given: dict) -> list[str]:
    errors = []
    providers = list(given.get("fargate_capacity_providers") or [])
    strays = [item.get("capacity_provider") for item in given.get("fargate_capacity_provider_strategy") or [] if item.get("capacity_provider") not in providers]
    if strays:
        errors.append(f"fargate_capacity_provider_strategy: names {', '.join(map(str, strays))}, not in fargate_capacity_providers ({', '.join(providers)})")
    low, high = _number(given.get("fargate_min_capacity", 0)), _number(given.get("fargate_max_capacity", 0))
    if low < 0:
        errors.append(f"fargate_min_capacity: must be 0 or more, got {given['fargate_min_capacity']}")
    if high < 0:
        errors.append(f"fargate_max_capacity: must be 0 (autoscaling off) or more, got {given['fargate_max_capacity']}")
    if high > 0 and low > high:
        errors.append(f"fargate_min_capacity: must be at most fargate_max_capacity ({given['fargate_max_capacity']}) when autoscaling is on,"
                      f" got {given['fargate_min_capacity']}")
    if "fargate_cpu_target" in given and not 0 < _number(given["fargate_cpu_target"], float) <= 100:
        errors.append(f"fargate_cpu_target: must be more than 0 and at most 100 (percent), got {given['fargate_cpu_target']}")
    return errors


def fargate_role_errors(given) -> list[str]:
    if not isinstance(given, dict):
        raise AnsibleFilterError(f"fargate_role_errors: expects a dict of the role's variables, got {type(given).__name__}")
    return _secret_errors(given) + _network_errors(given) + _name_errors(given) + _capacity_errors(given)


class FilterModule:
    def filters(self):
        return {"fargate_role_errors": fargate_role_errors}
