from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.ecr import tag_mutability_errors


@pytest.mark.parametrize(
    "mutability, filters",
    [
        (None, None),
        (None, []),
        ("MUTABLE", None),
        ("IMMUTABLE", []),
        ("IMMUTABLE_WITH_EXCLUSION", ["latest"]),
        ("IMMUTABLE_WITH_EXCLUSION", ["latest", "env-*", "a.b_c", "*", "x" * 128]),
        ("MUTABLE_WITH_EXCLUSION", ["release-*"]),
    ],
)
def test_tag_mutability_errors_accepts(mutability, filters):
    assert tag_mutability_errors(mutability, filters) == []


@pytest.mark.parametrize(
    "mutability, filters, messages",
    [
        (None, ["latest"], ["needs image_tag_mutability set too"]),
        ("SOMETIMES", None, ["must be one of MUTABLE, IMMUTABLE"]),
        ("IMMUTABLE", ["latest"], ["only allowed with IMMUTABLE_WITH_EXCLUSION, not IMMUTABLE"]),
        ("MUTABLE", ["latest"], ["only allowed with MUTABLE_WITH_EXCLUSION, not MUTABLE"]),
        ("IMMUTABLE_WITH_EXCLUSION", None, ["needs 1 to 5 image_tag_mutability_exclusion_filters (got 0)"]),
        ("IMMUTABLE_WITH_EXCLUSION", ["a", "b", "c", "d", "e", "f"], ["(got 6)"]),
        ("IMMUTABLE_WITH_EXCLUSION", ["latest", "bad/tag"], ["'bad/tag' must be 1 to 128"]),
        ("IMMUTABLE_WITH_EXCLUSION", ["x" * 129], ["must be 1 to 128"]),
        ("IMMUTABLE_WITH_EXCLUSION", [""], ["'' must be 1 to 128"]),
    ],
)
def test_tag_mutability_errors_rejects(mutability, filters, messages):
    errors = tag_mutability_errors(mutability, filters)
    assert len(errors) == len(messages)
    for error, message in zip(errors, messages):
        assert message in error
