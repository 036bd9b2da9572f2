from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.ecr import create_repository_params


@pytest.mark.parametrize(
    "registry_id, wanted, expected",
    [
        (None, {}, {"repositoryName": "r"}),
        ("123456789012", {}, {"repositoryName": "r", "registryId": "123456789012"}),
        (None, {"scan_on_push": False}, {"repositoryName": "r", "imageScanningConfiguration": {"scanOnPush": False}}),
        (None, {"image_tag_mutability": "IMMUTABLE"}, {"repositoryName": "r", "imageTagMutability": "IMMUTABLE"}),
        (
            None,
            {"image_tag_mutability": "IMMUTABLE_WITH_EXCLUSION", "image_tag_mutability_exclusion_filters": ["latest"]},
            {"repositoryName": "r", "imageTagMutability": "IMMUTABLE_WITH_EXCLUSION",
             "imageTagMutabilityExclusionFilters": [{"filterType": "WILDCARD", "filter": "latest"}]},
        ),
        # AES256 alone: a kmsKey (even None) fails botocore's validation.
        (None, {"encryption_type": "AES256", "kms_key": "ignored"}, {"repositoryName": "r", "encryptionConfiguration": {"encryptionType": "AES256"}}),
        (None, {"encryption_type": "KMS"}, {"repositoryName": "r", "encryptionConfiguration": {"encryptionType": "KMS"}}),
        (None, {"encryption_type": "KMS", "kms_key": "k"}, {"repositoryName": "r", "encryptionConfiguration": {"encryptionType": "KMS", "kmsKey": "k"}}),
        (None, {"tags": {"a": "b"}}, {"repositoryName": "r", "tags": [{"Key": "a", "Value": "b"}]}),
        (None, {"tags": {}, "lifecycle_policy": {"rules": []}, "policy": {}}, {"repositoryName": "r"}),
    ],
    ids=["bare", "registry", "scan", "mutability", "exclusions", "aes256", "kms-managed", "kms-key", "tags", "no-policies"],
)
def test_create_repository_params(registry_id, wanted, expected):
    assert create_repository_params("r", registry_id, wanted) == expected
