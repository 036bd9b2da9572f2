"""Fixtures shared by the integration and reliability tests; their conftest modules re-export them."""

from __future__ import annotations

import pytest

from helpers import MotoServer


@pytest.fixture(scope="module")
def moto():
    """A moto server of the test module's own: its state and API-call recording are the module's alone."""
    server = MotoServer()
    yield server
    server.stop()
