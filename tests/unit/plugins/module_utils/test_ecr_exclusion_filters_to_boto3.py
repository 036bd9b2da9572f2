from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.ecr import exclusion_filters_to_boto3


@pytest.mark.parametrize(
    "filters, expected",
    [
        ([], []),
        (["latest"], [{"filterType": "WILDCARD", "filter": "latest"}]),
        (["latest", "env-*"], [{"filterType": "WILDCARD", "filter": "latest"}, {"filterType": "WILDCARD", "filter": "env-*"}]),
    ],
)
def test_exclusion_filters_to_boto3(filters, expected):
    assert exclusion_filters_to_boto3(filters) == expected
