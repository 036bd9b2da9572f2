from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.ecr import predicted_settings

LIFECYCLE = {"rules": [{"rulePriority": 1, "selection": {"tagStatus": "untagged"}, "action": {"type": "expire"}}]}
CURRENT = {
    "scan_on_push": False,
    "image_tag_mutability": "IMMUTABLE",
    "image_tag_mutability_exclusion_filters": [],
    "encryption": {"encryption_type": "AES256", "kms_key": None},
    "lifecycle_policy": LIFECYCLE,
    "policy": None,
    "tags": {"a": "1", "b": "2"},
}


@pytest.mark.parametrize(
    "wanted, purge_tags, changed",
    [
        ({}, True, {}),
        ({"scan_on_push": True}, True, {"scan_on_push": True}),
        ({"image_tag_mutability": "IMMUTABLE_WITH_EXCLUSION", "image_tag_mutability_exclusion_filters": ["latest", "env-*", "latest"]},
         True, {"image_tag_mutability": "IMMUTABLE_WITH_EXCLUSION", "image_tag_mutability_exclusion_filters": ["env-*", "latest"]}),
        ({"lifecycle_policy": {}}, True, {"lifecycle_policy": None}),
        ({"policy": {"Statement": []}}, True, {"policy": {"Statement": []}}),
        ({"tags": {"a": "9", "c": 3}}, True, {"tags": {"a": "9", "c": "3"}}),
        ({"tags": {"c": "3"}}, False, {"tags": {"a": "1", "b": "2", "c": "3"}}),
    ],
    ids=["nothing", "scan", "exclusions-sorted-unique", "lifecycle-removed", "policy-set", "tags-purged", "tags-merged"],
)
def test_predicted_settings(wanted, purge_tags, changed):
    expected = dict(CURRENT, **changed)
    assert predicted_settings(CURRENT, wanted, purge_tags) == expected


def test_predicted_settings_leaves_current_alone():
    before = {k: (dict(v) if isinstance(v, dict) else v) for k, v in CURRENT.items()}
    predicted_settings(CURRENT, {"tags": {"z": "1"}, "lifecycle_policy": {}})
    assert CURRENT == before
