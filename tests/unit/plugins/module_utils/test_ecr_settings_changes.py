from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.ecr import settings_changes

UNTAGGED_14_DAYS = {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14}
LIFECYCLE = {"rules": [{"rulePriority": 1, "selection": UNTAGGED_14_DAYS, "action": {"type": "expire"}}]}
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"}]}
CURRENT = {
    "scan_on_push": True,
    "image_tag_mutability": "IMMUTABLE",
    "image_tag_mutability_exclusion_filters": [],
    "encryption": {"encryption_type": "AES256", "kms_key": None},
    "lifecycle_policy": LIFECYCLE,
    "policy": POLICY,
    "tags": {"service": "demo", "aws:cloudformation:stack-name": "s"},
}
UNMANAGED = {
    "scan_on_push": None,
    "image_tag_mutability": None,
    "image_tag_mutability_exclusion_filters": None,
    "lifecycle_policy": None,
    "policy": None,
    "tags": None,
}


@pytest.mark.parametrize(
    "wanted, purge_tags, expected",
    [
        ({}, True, []),
        (UNMANAGED, True, []),
        (dict(UNMANAGED, scan_on_push=True, image_tag_mutability="IMMUTABLE", lifecycle_policy=LIFECYCLE, policy=POLICY,
              tags={"service": "demo"}), True, []),
        (dict(UNMANAGED, scan_on_push=False), True, ["scan_on_push"]),
        (dict(UNMANAGED, image_tag_mutability="MUTABLE"), True, ["image_tag_mutability"]),
        (dict(UNMANAGED, image_tag_mutability="IMMUTABLE_WITH_EXCLUSION", image_tag_mutability_exclusion_filters=["latest"]),
         True, ["image_tag_mutability"]),
        (dict(UNMANAGED, lifecycle_policy={}), True, ["lifecycle_policy"]),
        (dict(UNMANAGED, lifecycle_policy={"rules": [dict(LIFECYCLE["rules"][0], rulePriority=5)]}), True, ["lifecycle_policy"]),
        (dict(UNMANAGED, policy={}), True, ["policy"]),
        (dict(UNMANAGED, tags={"service": "other"}), True, ["tags"]),
        (dict(UNMANAGED, tags={"service": "demo"}), True, []),
        (dict(UNMANAGED, tags={}), True, ["tags"]),
        (dict(UNMANAGED, tags={"team": "ops"}), True, ["tags"]),
        (dict(UNMANAGED, tags={"service": "demo", "team": "ops"}), False, ["tags"]),
        (dict(UNMANAGED, tags={}), False, []),
        (dict(UNMANAGED, scan_on_push=False, image_tag_mutability="MUTABLE", policy={}, tags={"a": "b"}), True,
         ["scan_on_push", "image_tag_mutability", "policy", "tags"]),
    ],
    ids=["nothing-given", "nothing-managed", "all-same", "scan", "mutability", "exclusions", "lifecycle-removed",
         "lifecycle-changed", "policy-removed", "tag-value", "aws-tags-never-purged", "tags-emptied", "tag-purged", "tag-added-no-purge",
         "no-tags-no-purge", "several"],
)
def test_settings_changes(wanted, purge_tags, expected):
    assert settings_changes(CURRENT, wanted, purge_tags) == expected


def test_settings_changes_never_flips_immutable_when_unset():
    assert "image_tag_mutability" not in settings_changes(CURRENT, dict(UNMANAGED, scan_on_push=False))
