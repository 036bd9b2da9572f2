from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.ecr import repository_name_error


@pytest.mark.parametrize(
    "name",
    [
        "fargate-demo",
        "team/fargate-demo",
        "a1",
        "my.repo_name__x--y/sub/path",
        "x" * 256,
    ],
)
def test_repository_name_error_accepts(name):
    assert repository_name_error(name) is None


@pytest.mark.parametrize(
    "name, message",
    [
        ("a", "2 to 256 characters"),
        ("x" * 257, "2 to 256 characters"),
        ("Bad_Name", "not a valid ECR repository name"),
        ("-leading", "not a valid ECR repository name"),
        ("trailing-", "not a valid ECR repository name"),
        ("double//slash", "not a valid ECR repository name"),
        ("/leading-slash", "not a valid ECR repository name"),
        ("has space", "not a valid ECR repository name"),
        ("a...b", "not a valid ECR repository name"),
        ("a___b", "not a valid ECR repository name"),
    ],
)
def test_repository_name_error_rejects(name, message):
    error = repository_name_error(name)
    assert error is not None and message in error
    assert error.startswith("name ")
