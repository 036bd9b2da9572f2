from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.ecr import encryption_mismatch

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
AES = {"encryption_type": "AES256", "kms_key": None}
KMS = {"encryption_type": "KMS", "kms_key": KEY_ARN}


@pytest.mark.parametrize(
    "current, wanted_type, wanted_key",
    [
        (AES, None, None),
        (KMS, None, None),
        (AES, "AES256", None),
        ({}, "AES256", None),
        (KMS, "KMS", None),
        (KMS, "KMS", KEY_ARN),
        (KMS, "KMS", KEY_ID),
        (KMS, "KMS", "alias/my-key"),
        (KMS, "KMS", "arn:aws:kms:us-east-1:123456789012:alias/my-key"),
    ],
    ids=["unmanaged-aes", "unmanaged-kms", "aes", "aes-default", "kms-managed-key", "kms-arn", "kms-key-id", "alias",
         "alias-arn"],
)
def test_encryption_mismatch_none(current, wanted_type, wanted_key):
    assert encryption_mismatch(current, wanted_type, wanted_key) is None


@pytest.mark.parametrize(
    "current, wanted_type, wanted_key, message",
    [
        (AES, "KMS", None, "encryption_type is AES256 but KMS was asked for"),
        (KMS, "AES256", None, "encryption_type is KMS but AES256 was asked for"),
        (KMS, "KMS_DSSE", None, "encryption_type is KMS but KMS_DSSE was asked for"),
        (KMS, "KMS", "ffffffff-0000-0000-0000-000000000000", f"kms_key is {KEY_ARN} but ffffffff"),
    ],
    ids=["aes-to-kms", "kms-to-aes", "kms-to-dsse", "other-key"],
)
def test_encryption_mismatch_message(current, wanted_type, wanted_key, message):
    assert message in encryption_mismatch(current, wanted_type, wanted_key)
