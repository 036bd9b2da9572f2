# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: ecr_lifecycle_policy
short_description: The ecr role's lifecycle policy, from its two rules or a whole policy
version_added: 0.3.0
description:
  - Builds the repository's lifecycle policy from the ecr role's two rules - untagged images expire O(untagged_days)
    days after they were pushed, and only the last O(keep_tagged) tagged images are kept - leaving out a rule whose
    number is 0.
  - A whole policy (the input), when given, is used instead. An empty dict means no policy is managed.
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  _input:
    description: A whole lifecycle policy (C(ecr_lifecycle_policy)); empty to build one from the two rules.
    type: dict
    required: true
  untagged_days:
    description: Days after which an untagged image expires; 0 leaves the rule out.
    type: int
    default: 0
  keep_tagged:
    description: How many tagged images to keep; 0 leaves the rule out.
    type: int
    default: 0
"""

EXAMPLES = r"""
- name: Create or update the repository
  devops.fargate.ecr_repository:
    name: web
    lifecycle_policy: "{{ policy if policy else omit }}"
  vars:
    policy: "{{ {} | devops.fargate.ecr_lifecycle_policy(untagged_days=14, keep_tagged=30) }}"
"""

RETURN = r"""
_value:
  description: The lifecycle policy (C(rules)), or an empty dict when there is none to manage.
  type: dict
"""

from ansible.errors import AnsibleFilterError


def _count(value, name: str) -> int:
    try:
        count = int(value)
    except (TypeError, ValueError) as e:
        raise AnsibleFilterError(f"ecr_lifecycle_policy: {name} must be a whole number, not {value!r}") from e
    if count < 0:
        raise AnsibleFilterError(f"ecr_lifecycle_policy: {name} must be 0 or more, not {count}")
    return count


def ecr_lifecycle_policy(policy: dict | None, untagged_days=0, keep_tagged=0) -> dict:
    if policy:
        if not isinstance(policy, dict):
            raise AnsibleFilterError(f"ecr_lifecycle_policy: a whole policy must be a dict, not {type(policy).__name__}")
        return policy
    days, keep = _count(untagged_days, "untagged_days"), _count(keep_tagged, "keep_tagged")
    rules = []
    if days:
        rules.append({
            "rulePriority": 1,
            "description": f"Expire untagged images {days} days after they were pushed",
            "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": days},
            "action": {"type": "expire"},
        })
    if keep:
        rules.append({
            "rulePriority": 2,
            "description": f"Keep the last {keep} tagged images",
            "selection": {"tagStatus": "tagged", "tagPatternList": ["*"], "countType": "imageCountMoreThan", "countNumber": keep},
            "action": {"type": "expire"},
        })
    return {"rules": rules} if rules else {}


class FilterModule:
    def filters(self):
        return {"ecr_lifecycle_policy": ecr_lifecycle_policy}
