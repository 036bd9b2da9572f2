from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.ecr import new_repository_settings

DEFAULTS = {
    "scan_on_push": False,
    "image_tag_mutability": "MUTABLE",
    "image_tag_mutability_exclusion_filters": [],
    "encryption": {"encryption_type": "AES256", "kms_key": None},
    "lifecycle_policy": None,
    "policy": None,
    "tags": {},
}


@pytest.mark.parametrize(
    "wanted, changed",
    [
        ({}, {}),
        ({"scan_on_push": True, "image_tag_mutability": "IMMUTABLE"}, {"scan_on_push": True, "image_tag_mutability": "IMMUTABLE"}),
        ({"encryption_type": "KMS", "kms_key": "k"}, {"encryption": {"encryption_type": "KMS", "kms_key": "k"}}),
        ({"encryption_type": "AES256"}, {"encryption": {"encryption_type": "AES256", "kms_key": None}}),
        ({"tags": {"a": "b"}, "lifecycle_policy": {"rules": []}}, {"tags": {"a": "b"}, "lifecycle_policy": {"rules": []}}),
    ],
    ids=["ecr-defaults", "scan-and-mutability", "kms", "aes", "tags-and-lifecycle"],
)
def test_new_repository_settings(wanted, changed):
    assert new_repository_settings(wanted) == dict(DEFAULTS, **changed)
