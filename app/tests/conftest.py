from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from webapp import create_app


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep settings from the developer's or CI's environment out of the tests."""
    for name in (
        "FLASK_SERVICE_NAME",
        "FLASK_APP_VERSION",
        "FLASK_GIT_REVISION",
        "FLASK_BUILD_TIME",
        "FLASK_LOG_LEVEL",
        "PORT",
        "HTTP_PROXY",
        "http_proxy",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def app() -> Iterator[Flask]:
    yield create_app({"TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
