from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.taskdef import image_repository

DIGEST = "sha256:" + "0123456789abcdef" * 4


@pytest.mark.parametrize(
    "image, expected",
    [
        ("app", "app"),
        ("app:1.0", "app"),
        ("library/python:3.11-slim", "library/python"),
        ("127.0.0.1:5050/app:1.0", "127.0.0.1:5050/app"),
        ("127.0.0.1:5050/app", "127.0.0.1:5050/app"),
        ("127.0.0.1:5050/app@" + DIGEST, "127.0.0.1:5050/app"),
        ("127.0.0.1:5050/app:1.0@" + DIGEST, "127.0.0.1:5050/app"),
        ("localhost/team/app", "localhost/team/app"),
        ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/flask-web:1.4.2", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/flask-web"),
        ("ghcr.io/org/my_app__x-y:1", "ghcr.io/org/my_app__x-y"),
    ],
)
def test_image_repository(image, expected):
    assert image_repository(image) == expected


@pytest.mark.parametrize(
    "image",
    [
        "Foo Bar",
        "App:1.0",
        "app:has space",
        "app:.starts-with-dot",
        "app:" + "t" * 129,
        "app@sha256:abc",
        "app@md5:" + "a" * 32,
        "http://registry.example/app",
        "registry.example:port/app",
        "/app",
        "app/",
        "app//x",
        "app:1.0\n",
        "a" * 256,
        None,
        42,
    ],
)
def test_image_repository_rejects(image):
    with pytest.raises(ValueError, match="is not a valid image reference"):
        image_repository(image)
