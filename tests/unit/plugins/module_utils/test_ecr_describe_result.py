from __future__ import annotations

from datetime import datetime
from datetime import timezone

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.ecr import describe_result

SETTINGS = {
    "scan_on_push": True,
    "image_tag_mutability": "IMMUTABLE",
    "image_tag_mutability_exclusion_filters": [],
    "encryption": {"encryption_type": "AES256", "kms_key": None},
    "lifecycle_policy": None,
    "policy": None,
    "tags": {"a": "b"},
}
IDENTITY = {
    "repository_name": "team/r",
    "repository_arn": "arn:aws:ecr:us-east-1:123456789012:repository/team/r",
    "repository_uri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/r",
    "registry_id": "123456789012",
}
REPOSITORY = {
    "repositoryName": "team/r",
    "repositoryArn": "arn:aws:ecr:us-east-1:123456789012:repository/team/r",
    "repositoryUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/r",
    "registryId": "123456789012",
}
FLAT = {
    "image_tag_mutability": "IMMUTABLE",
    "image_tag_mutability_exclusion_filters": [],
    "scan_on_push": True,
    "encryption_type": "AES256",
    "kms_key": None,
    "lifecycle_policy": None,
    "policy": None,
    "tags": {"a": "b"},
}


@pytest.mark.parametrize(
    "created_at, expected_created_at",
    [
        (datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc), "2024-05-01T12:00:00+00:00"),
        (None, None),
    ],
    ids=["described", "predicted"],
)
def test_describe_result(created_at, expected_created_at):
    assert describe_result(dict(REPOSITORY, createdAt=created_at), SETTINGS) == dict(IDENTITY, created_at=expected_created_at, **FLAT)
