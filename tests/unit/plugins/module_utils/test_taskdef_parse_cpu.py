from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.taskdef import parse_cpu


@pytest.mark.parametrize(
    "value, expected",
    [
        (256, 256),
        ("256", 256),
        (" 1024 ", 1024),
        ("0.25 vCPU", 256),
        ("0.5 vCPU", 512),
        ("1 vCPU", 1024),
        ("2vcpu", 2048),
        ("16 VCPU", 16384),
    ],
)
def test_parse_cpu(value, expected):
    assert parse_cpu(value) == expected


@pytest.mark.parametrize(
    "value, message",
    [
        ("0.1 vCPU", "does not convert to a positive whole number"),
        ("256.5", "does not convert to a positive whole number"),
        ("0", "does not convert to a positive whole number"),
        ("1 core", "unknown unit 'core'"),
        ("vCPU", "not a number with an optional unit"),
        ("-256", "not a number with an optional unit"),
        ("", "not a number with an optional unit"),
        (True, "must be an integer or a string"),
        (0.25, "must be an integer or a string"),
        (None, "must be an integer or a string"),
    ],
)
def test_parse_cpu_rejects(value, message):
    with pytest.raises(ValueError, match=message):
        parse_cpu(value)
