# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: ecs_deploy_errors
short_description: Check devops.fargate.ecs_deploy arguments without calling AWS
version_added: 0.1.0
description:
  - Returns the list of problems devops.fargate.ecs_deploy would report for these arguments
    (Fargate cpu/memory pairs, image references, unknown container keys, ports, subnets, ...), each
    naming the option and the rule. An empty list means the arguments are valid.
  - Lets a role stop on bad input before it creates anything, instead of when it reaches the module.
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  _input:
    description: The arguments one would pass to devops.fargate.ecs_deploy.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Stop early on a bad task size
  ansible.builtin.assert:
    that: deploy_args | devops.fargate.ecs_deploy_errors | length == 0
    fail_msg: "{{ deploy_args | devops.fargate.ecs_deploy_errors | join('; ') }}"
"""

RETURN = r"""
_value:
  description: One message per problem; empty when the arguments are valid.
  type: list
  elements: str
"""

import functools

from ansible.errors import AnsibleFilterError

_REQUIRED_FOR_PRESENT = ("family", "container_definitions", "subnets")


@functools.lru_cache(maxsize=None)
def _deploy():
    """The module's rules (module_utils.deploy_options, which loads botocore's model loader for the shape checks) and a
    validator of its argument spec, made on first use. To find one filter, Ansible imports every filter file of the
    collection, in the worker of each task that uses any of them: imported at the top, this would cost each such task
    about 0.2 s (measured: 0.20-0.27 s a task against 0.065 s without this file). The rules come without the
    deployment (module_utils.deploy), which loads boto3 and amazon.aws's module_utils: about 0.2 s more for each of
    the two tasks that check the fargate role's inputs."""
    # pylint: disable-next=import-outside-toplevel
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

    # pylint: disable-next=import-outside-toplevel
    from ansible_collections.devops.fargate.plugins.module_utils import deploy_options as deploy

    return deploy, ArgumentSpecValidator(deploy.ARGUMENT_SPEC)


def _plain(value):
    """The value as builtin containers and scalars, as a module receives it: validating Ansible's lazy, tagged
    containers copies and re-renders them at every step."""
    if isinstance(value, dict):
        return {_plain(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    for kind in (bool, int, float, str):
        if isinstance(value, kind):
            return kind(value)
    return value


def _coerce(args: dict) -> tuple[dict, list[str]]:
    """The arguments as the module reads them (AnsibleModule's conversions), and what it would refuse, in its words.

    A string for a list becomes a list split on commas, "2" an int, "no" False: the same conversions, so the rules
    that follow see what the module would see.
    """
    deploy, validator = _deploy()
    errors = [f"{name}: not an option of devops.fargate.ecs_deploy" for name in args if name not in deploy.ARGUMENT_SPEC]
    result = validator.validate({name: _plain(value) for name, value in args.items() if name in deploy.ARGUMENT_SPEC})
    return result.validated_parameters, errors + list(result.error_messages)


def ecs_deploy_errors(args: dict) -> list[str]:
    if not isinstance(args, dict):
        # pylint: disable-next=import-outside-toplevel
        from ansible_collections.devops.fargate.plugins.module_utils.taskdef import builtin_type_name

        raise AnsibleFilterError(f"ecs_deploy_errors expects a dict of module arguments, got {builtin_type_name(args)}")
    coerced, errors = _coerce(args)
    if errors:
        return errors
    deploy = _deploy()[0]
    params = deploy.with_defaults(coerced)
    if params["state"] == "present":
        errors += [f"{name}: required when state is present" for name in _REQUIRED_FOR_PRESENT if params.get(name) is None]
    return errors or deploy.validate_options(params)


class FilterModule:
    def filters(self):
        return {"ecs_deploy_errors": ecs_deploy_errors}
