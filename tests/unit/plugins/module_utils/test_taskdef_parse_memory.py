from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.taskdef import parse_memory


@pytest.mark.parametrize(
    "value, expected",
    [
        (512, 512),
        ("512", 512),
        ("1 GB", 1024),
        ("1GB", 1024),
        ("0.5 GB", 512),
        ("2 GiB", 2048),
        ("2048 MiB", 2048),
        ("2048 MB", 2048),
        ("120gb", 122880),
    ],
)
def test_parse_memory(value, expected):
    assert parse_memory(value) == expected


@pytest.mark.parametrize(
    "value, message",
    [
        ("1 TB", "unknown unit 'tb'"),
        ("0.0001 GB", "does not convert to a positive whole number"),
        ("512.5", "does not convert to a positive whole number"),
        ("one GB", "not a number with an optional unit"),
        ("1 G B", "not a number with an optional unit"),
        (False, "must be an integer or a string"),
        ([512], "must be an integer or a string"),
    ],
)
def test_parse_memory_rejects(value, message):
    with pytest.raises(ValueError, match=message):
        parse_memory(value)
