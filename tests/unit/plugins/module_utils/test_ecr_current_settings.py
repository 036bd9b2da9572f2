from __future__ import annotations

import json

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.ecr import current_settings

LIFECYCLE = {"rules": [{"rulePriority": 1, "selection": {"tagStatus": "untagged"}, "action": {"type": "expire"}}]}
POLICY = {"Version": "2012-10-17", "Statement": []}


@pytest.mark.parametrize(
    "repository, lifecycle_text, policy_text, tags, expected",
    [
        (
            {"repositoryName": "r"},
            None,
            None,
            [],
            {
                "scan_on_push": False,
                "image_tag_mutability": "MUTABLE",
                "image_tag_mutability_exclusion_filters": [],
                "encryption": {"encryption_type": "AES256", "kms_key": None},
                "lifecycle_policy": None,
                "policy": None,
                "tags": {},
            },
        ),
        (
            {
                "repositoryName": "r",
                "imageScanningConfiguration": {"scanOnPush": True},
                "imageTagMutability": "IMMUTABLE_WITH_EXCLUSION",
                "imageTagMutabilityExclusionFilters": [
                    {"filterType": "WILDCARD", "filter": "latest"},
                    {"filterType": "WILDCARD", "filter": "env-*"},
                ],
                "encryptionConfiguration": {"encryptionType": "KMS", "kmsKey": "arn:aws:kms:us-east-1:1:key/k"},
            },
            json.dumps(LIFECYCLE),
            json.dumps(POLICY),
            [{"Key": "service", "Value": "demo"}, {"Key": "team", "Value": "ops"}],
            {
                "scan_on_push": True,
                "image_tag_mutability": "IMMUTABLE_WITH_EXCLUSION",
                "image_tag_mutability_exclusion_filters": ["env-*", "latest"],
                "encryption": {"encryption_type": "KMS", "kms_key": "arn:aws:kms:us-east-1:1:key/k"},
                "lifecycle_policy": LIFECYCLE,
                "policy": POLICY,
                "tags": {"service": "demo", "team": "ops"},
            },
        ),
    ],
    ids=["ecr-defaults", "everything-set"],
)
def test_current_settings(repository, lifecycle_text, policy_text, tags, expected):
    assert current_settings(repository, lifecycle_text, policy_text, tags) == expected
