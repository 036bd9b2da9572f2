from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.taskdef import builtin_type_name
from ansible_collections.devops.fargate.plugins.module_utils.taskdef import validate_task_definition


class _TaggedStr(str):
    """Stands in for ansible-core's _AnsibleTaggedStr: a str subclass that templated values arrive as."""


class _TaggedDict(dict):
    pass


class _Own:
    pass


@pytest.mark.parametrize(
    "value, expected",
    [
        ("curl", "str"),
        (_TaggedStr("curl"), "str"),
        (_TaggedDict(a=1), "dict"),
        (True, "bool"),
        (3, "int"),
        (None, "NoneType"),
        (_Own(), "object"),
    ],
)
def test_builtin_type_name(value, expected):
    assert builtin_type_name(value) == expected


def test_a_subclass_of_str_is_reported_as_str():
    td = {
        "family": "web",
        "cpu": "256",
        "memory": "512",
        "requiresCompatibilities": ["FARGATE"],
        "containerDefinitions": [{"name": "web", "image": "app:1", "healthCheck": {"command": _TaggedStr("curl -f http://localhost/")}}],
    }
    assert validate_task_definition(td) == ["container_definitions[0].healthCheck.command: must be a list, got str 'curl -f http://localhost/'"]
