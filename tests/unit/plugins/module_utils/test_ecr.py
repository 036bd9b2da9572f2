from __future__ import annotations

import base64

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.ecr import registry_host
from ansible_collections.devops.fargate.plugins.module_utils.registry import decode_authorization_token


def _token(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "token, expected",
    [
        (_token("AWS:secret"), ("AWS", "secret")),
        (_token("AWS:pass:with:colons"), ("AWS", "pass:with:colons")),
        (_token("AWS:123456789012-auth-token"), ("AWS", "123456789012-auth-token")),
    ],
)
def test_decode_authorization_token(token, expected):
    assert decode_authorization_token(token) == expected


@pytest.mark.parametrize(
    "token, message",
    [
        ("not base64!", "not valid base64"),
        (_token("no-separator"), "user:password"),
        (_token(":password-only"), "user:password"),
        (_token("AWS:"), "user:password"),
        (base64.b64encode(b"\xff\xfe:x").decode(), "not valid base64 text"),
    ],
)
def test_decode_authorization_token_rejects(token, message):
    with pytest.raises(ValueError, match=message):
        decode_authorization_token(token)


@pytest.mark.parametrize(
    "endpoint, expected",
    [
        ("https://123456789012.dkr.ecr.eu-west-1.amazonaws.com", "123456789012.dkr.ecr.eu-west-1.amazonaws.com"),
        ("http://127.0.0.1:5050", "127.0.0.1:5050"),
        ("127.0.0.1:5050", "127.0.0.1:5050"),
        ("https://registry.example/", "registry.example"),
    ],
)
def test_registry_host(endpoint, expected):
    assert registry_host(endpoint) == expected


def test_registry_host_rejects_empty():
    with pytest.raises(ValueError, match="has no host"):
        registry_host("https://")
