"""The modules' public results, as their RETURN documents them: one name for one meaning across sibling modules, and
nothing that only the benchmarks need (they count calls through moto's recorder or a botocore hook)."""

from __future__ import annotations

import importlib

import pytest
import yaml

MODULES = [
    "ecr_auth_token_info", "ecr_repository", "ecs_deploy", "ecs_deploy_info", "network_preflight_info",
    "registry_image_info", "registry_image_push", "registry_image_tag",
]


def documented(name: str) -> dict:
    return yaml.safe_load(importlib.import_module(f"ansible_collections.devops.fargate.plugins.modules.{name}").RETURN) or {}


@pytest.mark.parametrize("name", MODULES)
def test_no_module_returns_a_call_count(name):
    assert "api_calls" not in documented(name)


def test_what_changed_is_called_changes_in_every_module_that_says():
    """A list of what differed, by name, is ``changes`` wherever a module returns one."""
    for name in MODULES:
        returns = documented(name)
        assert "changed_fields" not in returns, name
        if "changes" in returns:
            assert (returns["changes"]["type"], returns["changes"]["elements"], returns["changes"]["returned"]) == ("list", "str", "always"), name
    assert {name for name in MODULES if "changes" in documented(name)} == {"ecr_repository", "ecs_deploy"}
