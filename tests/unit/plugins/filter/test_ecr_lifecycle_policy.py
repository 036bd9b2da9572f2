"""The ecr role's lifecycle policy, built from its two rules (formerly Jinja in the role's vars/main.yml)."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.devops.fargate.plugins.filter.ecr_lifecycle_policy import ecr_lifecycle_policy
from ansible_collections.devops.fargate.plugins.module_utils.ecr import lifecycle_policy_errors

UNTAGGED = {
    "rulePriority": 1,
    "description": "Expire untagged images 14 days after they were pushed",
    "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14},
    "action": {"type": "expire"},
}
TAGGED = {
    "rulePriority": 2,
    "description": "Keep the last 30 tagged images",
    "selection": {"tagStatus": "tagged", "tagPatternList": ["*"], "countType": "imageCountMoreThan", "countNumber": 30},
    "action": {"type": "expire"},
}


def test_the_role_defaults_give_both_rules_untagged_first():
    assert ecr_lifecycle_policy({}, untagged_days=14, keep_tagged=30) == {"rules": [UNTAGGED, TAGGED]}


def test_numbers_given_as_strings_count_and_a_zero_leaves_its_rule_out():
    assert ecr_lifecycle_policy({}, untagged_days="0", keep_tagged="30") == {"rules": [TAGGED]}
    assert ecr_lifecycle_policy(None, untagged_days=14) == {"rules": [UNTAGGED]}


def test_no_rule_no_policy_to_manage():
    assert ecr_lifecycle_policy({}) == {}


def test_a_whole_policy_is_used_as_it_is():
    policy = {"rules": [dict(UNTAGGED, rulePriority=5)]}
    assert ecr_lifecycle_policy(policy, untagged_days=14, keep_tagged=30) is policy


@pytest.mark.parametrize("kwargs, rule", [
    ({"untagged_days": "two"}, "untagged_days must be a whole number"),
    ({"keep_tagged": -1}, "keep_tagged must be 0 or more"),
])
def test_bad_numbers_fail_naming_the_rule(kwargs, rule):
    with pytest.raises(AnsibleFilterError, match=rule):
        ecr_lifecycle_policy({}, **kwargs)


@pytest.mark.parametrize("days, keep", [(14, 30), (1, 0), (0, 1)])
def test_what_it_builds_passes_the_modules_checks(days, keep):
    assert lifecycle_policy_errors(ecr_lifecycle_policy({}, untagged_days=days, keep_tagged=keep)) == []
