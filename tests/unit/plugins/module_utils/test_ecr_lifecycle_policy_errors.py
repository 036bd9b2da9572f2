from __future__ import annotations

import copy

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.ecr import lifecycle_policy_errors

UNTAGGED = {
    "rulePriority": 1,
    "description": "Expire untagged images after 14 days",
    "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14},
    "action": {"type": "expire"},
}
TAGGED = {
    "rulePriority": 2,
    "selection": {"tagStatus": "tagged", "tagPatternList": ["*"], "countType": "imageCountMoreThan", "countNumber": 30},
    "action": {"type": "expire"},
}
ANY = {
    "rulePriority": 3,
    "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 100},
    "action": {"type": "expire"},
}


def _with(rule: dict, path: str, value) -> dict:
    """A copy of rule with the dotted path set to value (or removed when value is ...)."""
    rule = copy.deepcopy(rule)
    *parents, key = path.split(".")
    target = rule
    for parent in parents:
        target = target[parent]
    if value is ...:
        del target[key]
    else:
        target[key] = value
    return rule


@pytest.mark.parametrize(
    "policy",
    [
        {"rules": [UNTAGGED]},
        {"rules": [TAGGED, UNTAGGED]},
        {"rules": [UNTAGGED, TAGGED, ANY]},
        {"rules": [_with(_with(TAGGED, "selection.tagPatternList", ...), "selection.tagPrefixList", ["v"])]},
    ],
    ids=["untagged", "tagged-and-untagged", "any-last", "tag-prefix"],
)
def test_lifecycle_policy_errors_accepts(policy):
    assert lifecycle_policy_errors(policy) == []


@pytest.mark.parametrize(
    "policy, messages",
    [
        ("not a mapping", ["must be a mapping with a rules list (got str)"]),
        ({}, ["rules must be a non-empty list"]),
        ({"rules": []}, ["rules must be a non-empty list"]),
        ({"rules": [UNTAGGED], "extra": 1}, ["lifecycle_policy: unknown key 'extra'"]),
        ({"rules": ["text"]}, ["rule 1: must be a mapping"]),
        (
            {"rules": [UNTAGGED, _with(TAGGED, "rulePriority", 1)]},
            ["rule 2 (rulePriority 1): rulePriority 1 is already used by rule 1"],
        ),
        ({"rules": [_with(UNTAGGED, "rulePriority", "1")]}, ["rule 1 (rulePriority '1'): rulePriority must be an integer of at least 1"]),
        ({"rules": [_with(UNTAGGED, "rulePriority", 0)]}, ["rulePriority must be an integer of at least 1"]),
        ({"rules": [_with(UNTAGGED, "rulePriority", True)]}, ["rulePriority must be an integer of at least 1"]),
        ({"rules": [_with(UNTAGGED, "rulePriority", ...)]}, ["rule 1 (rulePriority None): rulePriority must be an integer"]),
        ({"rules": [_with(UNTAGGED, "priority", 1)]}, ["rule 1 (rulePriority 1): unknown key 'priority'"]),
        (
            {"rules": [_with(UNTAGGED, "selection.tagStatus", "sometimes")]},
            ["rule 1 (rulePriority 1): selection.tagStatus must be one of tagged, untagged, any (got 'sometimes')"],
        ),
        (
            {"rules": [_with(TAGGED, "selection.tagPatternList", ...)]},
            ["rule 1 (rulePriority 2): selection.tagStatus tagged needs selection.tagPrefixList or selection.tagPatternList"],
        ),
        ({"rules": [_with(TAGGED, "selection.tagPatternList", [])]}, ["selection.tagPatternList must be a non-empty list of strings"]),
        (
            {"rules": [_with(TAGGED, "selection.tagPrefixList", ["v"])]},
            ["selection.tagPrefixList and selection.tagPatternList cannot both be set"],
        ),
        (
            {"rules": [_with(UNTAGGED, "selection.tagPrefixList", ["v"])]},
            ["selection.tagPrefixList is only allowed with selection.tagStatus tagged"],
        ),
        (
            {"rules": [_with(UNTAGGED, "selection.countType", "imageCountLessThan")]},
            ["selection.countType must be one of imageCountMoreThan, sinceImagePushed (got 'imageCountLessThan')"],
        ),
        (
            {"rules": [_with(UNTAGGED, "selection.countUnit", ...)]},
            ["selection.countType sinceImagePushed needs selection.countUnit days (got None)"],
        ),
        ({"rules": [_with(UNTAGGED, "selection.countUnit", "hours")]}, ["needs selection.countUnit days (got 'hours')"]),
        (
            {"rules": [_with(TAGGED, "selection.countUnit", "days")]},
            ["selection.countUnit is only allowed with selection.countType sinceImagePushed"],
        ),
        ({"rules": [_with(UNTAGGED, "selection.countNumber", 0)]}, ["selection.countNumber must be an integer of at least 1 (got 0)"]),
        ({"rules": [_with(UNTAGGED, "selection.countNumber", "14")]}, ["selection.countNumber must be an integer of at least 1 (got '14')"]),
        ({"rules": [_with(UNTAGGED, "selection.colour", "red")]}, ["unknown key selection.colour"]),
        ({"rules": [_with(UNTAGGED, "selection", "all")]}, ["selection must be a mapping"]),
        ({"rules": [_with(UNTAGGED, "action.type", "archive")]}, ["action must be {'type': 'expire'} (got {'type': 'archive'})"]),
        ({"rules": [_with(UNTAGGED, "action", ...)]}, ["action must be {'type': 'expire'} (got None)"]),
        (
            {"rules": [_with(ANY, "rulePriority", 1), TAGGED]},
            ["a rule with selection.tagStatus any must have the highest rulePriority (1 < 2)"],
        ),
    ],
)
def test_lifecycle_policy_errors_rejects(policy, messages):
    errors = lifecycle_policy_errors(policy)
    assert len(errors) == len(messages), errors
    for error, message in zip(errors, messages):
        assert message in error


def test_lifecycle_policy_errors_reports_every_problem():
    errors = lifecycle_policy_errors(
        {"rules": [_with(UNTAGGED, "selection.tagStatus", "x"), _with(TAGGED, "action.type", "keep")]}
    )
    assert [e.split(":", maxsplit=1)[0] for e in errors] == [
        "lifecycle_policy rule 1 (rulePriority 1)",
        "lifecycle_policy rule 2 (rulePriority 2)",
    ]
