# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: access_denied
short_description: Explain a failed AWS task's AccessDenied, naming the action, the resource and the policy to look at
version_added: 0.1.0
description:
  - Takes a failed task's result (C(ansible_failed_result) in a C(rescue)) from any module built on amazon.aws's
    C(AnsibleAWSModule) (amazon.aws, community.aws, this collection). When AWS denied the call, returns a message
    naming the denied action, its resource and the policy file of the job (C(docs/iam/<job>-policy.json)); otherwise
    returns an empty string, so that the C(rescue) can fail with the task's own message instead.
  - The action and resource are those AWS's message names (for a C(PassRole) checked inside C(CreateService), the
    C(iam:PassRole)); when AWS names none, the failed operation's name with I(service) makes the action.
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  _input:
    description: A failed task's result.
    type: dict
    required: true
  job:
    description:
      - The job whose policy the principal needs; C(check) for C(--check) runs (see C(ansible_check_mode)).
    type: str
    choices: [deploy, destroy, check]
    default: deploy
  service:
    description: The IAM prefix of the task's calls (C(ecs), C(iam), C(logs)), used when AWS's message names no action.
    type: str
"""

EXAMPLES = r"""
- name: Ensure the AWS resources
  block:
    - name: Ensure the cluster
      community.aws.ecs_cluster:
        name: demo
        state: present
  rescue:
    - name: Fail naming the denied action and the policy to look at, or as the task failed
      ansible.builtin.fail:
        msg: >-
          {{ ansible_failed_result | devops.fargate.access_denied(job='check' if ansible_check_mode else 'deploy')
             or ansible_failed_result.msg }}
"""

RETURN = r"""
_value:
  description: The explanation, or an empty string when the failure is not an access denial.
  type: str
"""

from typing import Any

from ansible.errors import AnsibleFilterError
from ansible_collections.devops.fargate.plugins.module_utils.errors import JOBS
from ansible_collections.devops.fargate.plugins.module_utils.errors import access_denied_message


def access_denied(result: Any, job: str = "deploy", service: str | None = None) -> str:
    if not isinstance(result, dict):
        raise AnsibleFilterError(f"access_denied: expects a failed task's result (a dict), got {type(result).__name__}")
    if job not in JOBS:
        raise AnsibleFilterError(f"access_denied: job must be one of {', '.join(JOBS)}, got {job!r}")
    return access_denied_message(result, job=job, service=service) or ""


class FilterModule:
    def filters(self):
        return {"access_denied": access_denied}
