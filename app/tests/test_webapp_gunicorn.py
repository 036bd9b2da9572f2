from __future__ import annotations

import importlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import ModuleType

import pytest
from gunicorn.config import Config

from webapp.jsonlog import GunicornJsonLogger

APP_DIR = Path(__file__).resolve().parents[1]
ENV_NAMES = (
    "PORT",
    "GUNICORN_WORKERS",
    "GUNICORN_THREADS",
    "GUNICORN_TIMEOUT",
    "GUNICORN_GRACEFUL_TIMEOUT",
    "GUNICORN_KEEPALIVE",
    "GUNICORN_LOG_LEVEL",
)
ECS_DEFAULT_STOP_TIMEOUT = 30


def _load_conf(monkeypatch: pytest.MonkeyPatch, **env: str) -> ModuleType:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    import webapp.gunicorn_conf

    return importlib.reload(webapp.gunicorn_conf)


def _settings(module: ModuleType) -> dict[str, object]:
    known = Config().settings
    return {name: value for name, value in vars(module).items() if name in known}


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = _load_conf(monkeypatch)

    assert conf.bind == ["0.0.0.0:8000"]
    assert conf.workers == 2
    assert conf.threads == 4
    assert conf.graceful_timeout == 25
    assert conf.graceful_timeout < ECS_DEFAULT_STOP_TIMEOUT
    assert conf.accesslog == "-"
    assert conf.errorlog == "-"
    assert conf.worker_tmp_dir == "/dev/shm"


def test_env_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = _load_conf(
        monkeypatch,
        PORT="9000",
        GUNICORN_WORKERS="5",
        GUNICORN_THREADS="8",
        GUNICORN_TIMEOUT="60",
        GUNICORN_GRACEFUL_TIMEOUT="10",
        GUNICORN_KEEPALIVE="120",
        GUNICORN_LOG_LEVEL="debug",
    )

    assert conf.bind == ["0.0.0.0:9000"]
    assert (conf.workers, conf.threads) == (5, 8)
    assert (conf.timeout, conf.graceful_timeout, conf.keepalive) == (60, 10, 120)
    assert conf.loglevel == "debug"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("GUNICORN_WORKERS", "two", "GUNICORN_WORKERS must be an integer"),
        ("GUNICORN_THREADS", "0", "GUNICORN_THREADS must be >= 1"),
        ("PORT", "70000", "PORT must be >= 1 and <= 65535"),
    ],
)
def test_invalid_env_fails_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        _load_conf(monkeypatch, **{name: value})


def test_gunicorn_accepts_every_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = Config()
    for name, value in _settings(_load_conf(monkeypatch)).items():
        cfg.set(name, value)

    assert cfg.logger_class is GunicornJsonLogger
    assert cfg.worker_class_str == "gthread"
    assert cfg.control_socket_disable is True


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_health(port: int, deadline: float) -> bytes:
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as response:
                return response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_served_by_gunicorn_logs_each_request_once_as_json() -> None:
    port = _free_port()
    env = {**os.environ, "PORT": str(port), "GUNICORN_WORKERS": "1", "no_proxy": "*"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:webapp.gunicorn_conf",
            "webapp:create_app()",
        ],
        cwd=APP_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        body = _wait_for_health(port, time.monotonic() + 15)
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=30)

    assert json.loads(body) == {"status": "ok"}
    assert server.returncode == 0
    access = [json.loads(line) for line in out.splitlines()]
    served = [entry for entry in access if entry.get("status") == 200]
    assert len(served) == 1
    assert served[0]["path"] == "/health"
    assert all(json.loads(line)["logger"] == "gunicorn.error" for line in err.splitlines())
