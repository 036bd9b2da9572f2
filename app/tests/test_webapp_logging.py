from __future__ import annotations

import json
import logging
import sys
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from gunicorn.config import Config

from webapp import create_app
from webapp.jsonlog import FIELDS_ATTR, GunicornJsonLogger, JsonFormatter

ACCESS_KEYS = {
    "time",
    "level",
    "logger",
    "pid",
    "message",
    "method",
    "path",
    "query",
    "protocol",
    "status",
    "duration_ms",
    "bytes",
    "remote_addr",
    "forwarded_for",
    "user_agent",
}


def _lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _gunicorn_logger(**settings: Any) -> GunicornJsonLogger:
    cfg = Config()
    for name, value in {"accesslog": "-", "errorlog": "-", **settings}.items():
        cfg.set(name, value)
    return GunicornJsonLogger(cfg)


def _environ(**overrides: str) -> dict[str, str]:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/health",
        "QUERY_STRING": "",
        "RAW_URI": "/health",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.1.7",
        "HTTP_USER_AGENT": 'ELB-HealthChecker/2.0 "quoted"',
    }
    environ.update(overrides)
    return environ


def test_formatter_emits_one_json_object_with_fields() -> None:
    record = logging.LogRecord("webapp", logging.WARNING, __file__, 1, "low %s", ("disk",), None)
    setattr(record, FIELDS_ATTR, {"free_mb": 12})

    line = JsonFormatter().format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "webapp"
    assert entry["message"] == "low disk"
    assert entry["free_mb"] == 12
    assert entry["time"].endswith("Z")


def test_formatter_keeps_exception_on_the_same_line() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord(
            "webapp", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )

    entry = json.loads(JsonFormatter().format(record))

    assert "RuntimeError: boom" in entry["exception"]


def test_app_logger_writes_json_to_stdout(app: Flask, capsys: pytest.CaptureFixture[str]) -> None:
    app.logger.info("cache warmed", extra={FIELDS_ATTR: {"entries": 3}})

    captured = capsys.readouterr()
    (entry,) = _lines(captured.out)
    assert entry["message"] == "cache warmed"
    assert entry["entries"] == 3
    assert captured.err == ""


def test_app_logging_is_configured_once(capsys: pytest.CaptureFixture[str]) -> None:
    create_app()
    app = create_app()

    app.logger.warning("once")

    assert len(_lines(capsys.readouterr().out)) == 1


def test_flask_itself_does_not_log_requests(
    client: FlaskClient, capsys: pytest.CaptureFixture[str]
) -> None:
    # gunicorn writes the access line; a second one from Flask would double it.
    client.get("/")

    assert capsys.readouterr().out == ""


def test_gunicorn_access_line_shape(capsys: pytest.CaptureFixture[str]) -> None:
    logger = _gunicorn_logger()
    response = SimpleNamespace(status="200 OK", sent=15, headers=[])

    logger.access(
        response,
        SimpleNamespace(headers=[]),
        _environ(QUERY_STRING="a=1", HTTP_X_FORWARDED_FOR="203.0.113.9"),
        timedelta(microseconds=12_345),
    )

    (entry,) = _lines(capsys.readouterr().out)
    assert set(entry) == ACCESS_KEYS
    assert entry["logger"] == "gunicorn.access"
    assert entry["message"] == "GET /health 200"
    assert entry["method"] == "GET"
    assert entry["path"] == "/health"
    assert entry["query"] == "a=1"
    assert entry["status"] == 200
    assert entry["duration_ms"] == 12.345
    assert entry["bytes"] == 15
    assert entry["remote_addr"] == "10.0.1.7"
    assert entry["forwarded_for"] == "203.0.113.9"
    assert entry["user_agent"] == 'ELB-HealthChecker/2.0 "quoted"'


def test_gunicorn_access_log_can_be_disabled(capsys: pytest.CaptureFixture[str]) -> None:
    logger = _gunicorn_logger(accesslog=None)

    logger.access(
        SimpleNamespace(status="200 OK", sent=2, headers=[]),
        SimpleNamespace(headers=[]),
        _environ(),
        timedelta(milliseconds=1),
    )

    assert capsys.readouterr().out == ""


def test_gunicorn_error_log_is_json_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    logger = _gunicorn_logger()

    logger.info("Booting worker with pid: %s", 42)

    captured = capsys.readouterr()
    (entry,) = _lines(captured.err)
    assert entry["logger"] == "gunicorn.error"
    assert entry["message"] == "Booting worker with pid: 42"
    assert captured.out == ""
