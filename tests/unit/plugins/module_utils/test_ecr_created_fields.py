from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.ecr import created_fields


@pytest.mark.parametrize(
    "wanted, expected",
    [
        ({}, []),
        ({"scan_on_push": False}, ["scan_on_push"]),
        ({"image_tag_mutability": "IMMUTABLE", "encryption_type": "AES256"}, ["image_tag_mutability", "encryption"]),
        ({"lifecycle_policy": {}, "policy": {}, "tags": {}}, []),
        (
            {"scan_on_push": True, "image_tag_mutability": "MUTABLE", "encryption_type": "KMS", "lifecycle_policy": {"rules": [1]},
             "policy": {"Statement": []}, "tags": {"a": "b"}},
            ["scan_on_push", "image_tag_mutability", "encryption", "lifecycle_policy", "policy", "tags"],
        ),
    ],
    ids=["nothing", "scan-false-counts", "mutability-encryption", "empty-values", "everything"],
)
def test_created_fields(wanted, expected):
    assert created_fields(wanted) == expected
