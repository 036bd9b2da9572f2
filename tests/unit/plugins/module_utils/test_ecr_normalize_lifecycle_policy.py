from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.ecr import normalize_lifecycle_policy

R1 = {"rulePriority": 1, "selection": {"tagStatus": "untagged"}, "action": {"type": "expire"}}
R2 = {"rulePriority": 2, "selection": {"tagStatus": "tagged", "tagPrefixList": ["v", "rel"]}, "action": {"type": "expire"}}
R2_SORTED = {"rulePriority": 2, "selection": {"tagStatus": "tagged", "tagPrefixList": ["rel", "v"]}, "action": {"type": "expire"}}


@pytest.mark.parametrize(
    "policy, expected",
    [
        (None, None),
        ({}, None),
        ({"rules": [R1]}, {"rules": [R1]}),
        ({"rules": [R2, R1]}, {"rules": [R1, R2_SORTED]}),
        ({"rules": [dict(R1, description="")]}, {"rules": [R1]}),
        ({"rules": [dict(R1, description="keep")]}, {"rules": [dict(R1, description="keep")]}),
        (
            {"rules": [{"rulePriority": 1, "selection": {"tagStatus": "tagged", "tagPatternList": ["b*", "a*"]}, "action": {"type": "expire"}}]},
            {"rules": [{"rulePriority": 1, "selection": {"tagStatus": "tagged", "tagPatternList": ["a*", "b*"]}, "action": {"type": "expire"}}]},
        ),
    ],
    ids=["none", "empty", "one-rule", "by-priority", "empty-description", "description-kept", "patterns-sorted"],
)
def test_normalize_lifecycle_policy(policy, expected):
    assert normalize_lifecycle_policy(policy) == expected


def test_normalize_lifecycle_policy_leaves_input_alone():
    policy = {"rules": [R2, dict(R1, description="")]}
    normalize_lifecycle_policy(policy)
    assert policy == {"rules": [R2, dict(R1, description="")]}
