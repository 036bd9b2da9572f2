from __future__ import annotations

import json

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.ecr import lifecycle_policy_differs

R1 = {"rulePriority": 1, "description": "untagged", "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
      "countUnit": "days", "countNumber": 14}, "action": {"type": "expire"}}
R2 = {"rulePriority": 2, "selection": {"tagStatus": "tagged", "tagPatternList": ["*"], "countType": "imageCountMoreThan",
      "countNumber": 30}, "action": {"type": "expire"}}


@pytest.mark.parametrize(
    "current, wanted, differs",
    [
        (None, None, False),
        (None, {}, False),
        (None, {"rules": [R1]}, True),
        ({"rules": [R1]}, {}, True),
        ({"rules": [R1, R2]}, {"rules": [R2, R1]}, False),
        ({"rules": [R1, R2]}, json.loads(json.dumps({"rules": [R1, R2]}, sort_keys=True)), False),
        ({"rules": [R1, R2]}, {"rules": [R1]}, True),
        ({"rules": [R1]}, {"rules": [dict(R1, selection=dict(R1["selection"], countNumber=7))]}, True),
        ({"rules": [dict(R1, description="")]}, {"rules": [{k: v for k, v in R1.items() if k != "description"}]}, False),
        ({"rules": [R1]}, {"rules": [dict(R1, description="other")]}, True),
    ],
    ids=["both-none", "none-vs-empty", "add", "remove", "rule-order", "key-order", "rule-dropped", "count-changed",
         "empty-description", "description-changed"],
)
def test_lifecycle_policy_differs(current, wanted, differs):
    assert lifecycle_policy_differs(current, wanted) is differs
