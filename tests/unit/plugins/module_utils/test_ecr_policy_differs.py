from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.ecr import policy_differs

PULL = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "pull",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        }
    ],
}
PULL_REORDERED = {
    "Statement": [
        {
            "Action": ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
            "Principal": {"AWS": ["arn:aws:iam::123456789012:root"]},
            "Effect": "Allow",
            "Sid": "pull",
        }
    ],
    "Version": "2012-10-17",
}
PUSH = {
    "Version": "2012-10-17",
    "Statement": [dict(PULL["Statement"][0], Action=["ecr:PutImage"])],
}


@pytest.mark.parametrize(
    "current, wanted, differs",
    [
        (None, None, False),
        (None, {}, False),
        (None, PULL, True),
        (PULL, {}, True),
        (PULL, PULL, False),
        (PULL, PULL_REORDERED, False),
        (PULL, PUSH, True),
        ({"Statement": PULL["Statement"]}, {"Version": "2008-10-17", "Statement": PULL["Statement"]}, False),
    ],
    ids=["both-none", "none-vs-empty", "add", "remove", "same", "reordered", "action-changed", "default-version"],
)
def test_policy_differs(current, wanted, differs):
    assert policy_differs(current, wanted) is differs
