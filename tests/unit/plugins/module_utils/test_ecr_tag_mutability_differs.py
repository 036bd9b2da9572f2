from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.ecr import tag_mutability_differs


@pytest.mark.parametrize(
    "current, current_filters, wanted, wanted_filters, differs",
    [
        ("IMMUTABLE", [], None, None, False),
        ("IMMUTABLE", [], "IMMUTABLE", None, False),
        ("IMMUTABLE", [], "MUTABLE", None, True),
        ("MUTABLE", [], "IMMUTABLE", [], True),
        ("IMMUTABLE", [], "IMMUTABLE_WITH_EXCLUSION", ["latest"], True),
        ("IMMUTABLE_WITH_EXCLUSION", ["latest", "env-*"], "IMMUTABLE_WITH_EXCLUSION", ["env-*", "latest"], False),
        ("IMMUTABLE_WITH_EXCLUSION", ["latest"], "IMMUTABLE_WITH_EXCLUSION", ["latest", "latest"], False),
        ("IMMUTABLE_WITH_EXCLUSION", ["latest"], "IMMUTABLE_WITH_EXCLUSION", ["latest", "staging"], True),
        ("IMMUTABLE_WITH_EXCLUSION", ["latest"], "IMMUTABLE", None, True),
        ("MUTABLE_WITH_EXCLUSION", ["v*"], "MUTABLE_WITH_EXCLUSION", ["v*"], False),
    ],
    ids=["unmanaged-keeps-immutable", "same", "to-mutable", "to-immutable", "add-exclusions", "filters-any-order",
         "filters-duplicates", "filter-added", "drop-exclusions", "mutable-with-exclusion"],
)
def test_tag_mutability_differs(current, current_filters, wanted, wanted_filters, differs):
    assert tag_mutability_differs(current, current_filters, wanted, wanted_filters) is differs
