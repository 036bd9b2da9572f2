from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.taskdef import pin_image

DIGEST = "sha256:" + "0123456789abcdef" * 4
OLD = "sha256:" + "f" * 64


@pytest.mark.parametrize(
    "image, expected",
    [
        ("app", "app@" + DIGEST),
        ("app:1.0", "app@" + DIGEST),
        ("127.0.0.1:5050/app:1.0", "127.0.0.1:5050/app@" + DIGEST),
        ("127.0.0.1:5050/app", "127.0.0.1:5050/app@" + DIGEST),
        ("localhost:5000/team/app:latest", "localhost:5000/team/app@" + DIGEST),
        ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/flask-web:1.4.2", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/flask-web@" + DIGEST),
        ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/flask-web@" + OLD, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/flask-web@" + DIGEST),
        ("registry.example:443/a/b/c:v2@" + OLD, "registry.example:443/a/b/c@" + DIGEST),
        ("public.ecr.aws/nginx/nginx:1.27-alpine", "public.ecr.aws/nginx/nginx@" + DIGEST),
        ("[::1]:5000/app:1", "[::1]:5000/app@" + DIGEST),
    ],
)
def test_pin_image(image, expected):
    assert pin_image(image, DIGEST) == expected


@pytest.mark.parametrize(
    "image, digest, message",
    [
        ("app:1.0", "sha256:abc", "digest 'sha256:abc' is not of the form sha256:<64 lowercase hex digits>"),
        ("app:1.0", "sha256:" + "A" * 64, "is not of the form sha256"),
        ("app:1.0", "sha512:" + "a" * 64, "is not of the form sha256"),
        ("app:1.0", "0123456789abcdef" * 4, "is not of the form sha256"),
        ("app:1.0", None, "digest None is not of the form sha256"),
        ("Foo Bar", DIGEST, r"'Foo Bar' is not a valid image reference \(repository\[:tag\]\[@sha256:digest\]\)"),
        ("app:", DIGEST, "'app:' is not a valid image reference"),
        ("app@", DIGEST, "'app@' is not a valid image reference"),
        ("", DIGEST, "'' is not a valid image reference"),
    ],
)
def test_pin_image_rejects(image, digest, message):
    with pytest.raises(ValueError, match=message):
        pin_image(image, digest)
