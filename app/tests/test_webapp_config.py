from __future__ import annotations

import pytest

from webapp import create_app


def test_prefixed_env_sets_build_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASK_SERVICE_NAME", "orders")
    monkeypatch.setenv("FLASK_APP_VERSION", "1.4.2")
    monkeypatch.setenv("FLASK_GIT_REVISION", "0a1b2c3")
    monkeypatch.setenv("FLASK_BUILD_TIME", "2024-05-01T12:00:00Z")

    body = create_app({"TESTING": True}).test_client().get("/").get_json()

    assert body == {
        "service": "orders",
        "version": "1.4.2",
        "revision": "0a1b2c3",
        "build_time": "2024-05-01T12:00:00Z",
    }


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("FLASK_APP_VERSION", "1.2"),  # JSON would make it the float 1.2
        ("FLASK_GIT_REVISION", "1234e56"),  # JSON would make it 1.234e+59
        ("FLASK_GIT_REVISION", "1234567"),  # JSON would make it an int
        ("FLASK_SERVICE_NAME", "true"),  # JSON would make it a bool
    ],
)
def test_build_identity_is_kept_verbatim(
    monkeypatch: pytest.MonkeyPatch, name: str, raw: str
) -> None:
    monkeypatch.setenv(name, raw)

    app = create_app()

    assert app.config[name.removeprefix("FLASK_")] == raw


def test_other_prefixed_values_are_still_json_decoded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASK_MAX_CONTENT_LENGTH", "1024")

    assert create_app().config["MAX_CONTENT_LENGTH"] == 1024


def test_test_config_overrides_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASK_APP_VERSION", "from-env")

    app = create_app({"APP_VERSION": "from-test"})

    assert app.config["APP_VERSION"] == "from-test"


def test_defaults_without_env() -> None:
    app = create_app()

    assert not app.testing
    assert app.config["SERVICE_NAME"] == "fargate-demo"
    assert app.config["LOG_LEVEL"] == "INFO"
