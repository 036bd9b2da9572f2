from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.taskdef import normalize_tags


@pytest.mark.parametrize(
    "tags, expected",
    [
        ([{"key": "app", "value": "flask-web"}, {"key": "env", "value": "prod"}], {"app": "flask-web", "env": "prod"}),
        ({"app": "flask-web", "env": "prod"}, {"app": "flask-web", "env": "prod"}),
        ([{"key": "empty"}], {"empty": ""}),
        ({"count": 3, "none": None}, {"count": "3", "none": ""}),
        ([], {}),
        ({}, {}),
        (None, {}),
    ],
)
def test_normalize_tags(tags, expected):
    assert normalize_tags(tags) == expected


@pytest.mark.parametrize(
    "tags",
    [
        [{"Key": "app", "Value": "x"}],
        ["app=x"],
        "app=x",
    ],
)
def test_normalize_tags_rejects(tags):
    with pytest.raises(ValueError, match="tags must be a dict or a list of"):
        normalize_tags(tags)
