from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from webapp import healthcheck

APP_DIR = Path(__file__).resolve().parents[1]

ServerFactory = Callable[..., int]


@pytest.fixture
def serve() -> Iterator[ServerFactory]:
    """Start a local HTTP server answering /health; returns its port."""
    servers: list[ThreadingHTTPServer] = []

    def start(status: int = 200, delay: float = 0.0) -> int:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                time.sleep(delay)
                code = status if self.path == "/health" else 404
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server.server_address[1]

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_health_url_defaults_to_8000() -> None:
    assert healthcheck.health_url({}) == "http://127.0.0.1:8000/health"
    assert healthcheck.health_url({"PORT": "9000"}) == "http://127.0.0.1:9000/health"


def test_exit_0_when_health_is_200(serve: ServerFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", str(serve(200)))

    assert healthcheck.main() == 0


@pytest.mark.parametrize("status", [500, 503, 404])
def test_exit_1_on_error_status(
    serve: ServerFactory, monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    monkeypatch.setenv("PORT", str(serve(status)))

    assert healthcheck.main() == 1


def test_exit_1_when_nothing_listens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", str(_unused_port()))

    assert healthcheck.main() == 1


def test_exit_1_on_malformed_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "eighty")

    assert healthcheck.main() == 1


def test_slow_answer_is_unhealthy(serve: ServerFactory) -> None:
    port = serve(200, delay=1.0)

    started = time.monotonic()
    assert not healthcheck.is_healthy(f"http://127.0.0.1:{port}/health", timeout=0.2)
    assert time.monotonic() - started < 0.9


def test_proxy_settings_are_ignored(serve: ServerFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", str(serve(200)))
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{_unused_port()}")

    assert healthcheck.main() == 0


def _run_module(port: int) -> subprocess.CompletedProcess[str]:
    # The exact command of the Docker HEALTHCHECK and the ECS healthCheck.
    return subprocess.run(
        [sys.executable, "-m", "webapp.healthcheck"],
        cwd=APP_DIR,
        env={"PORT": str(port), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=10,
    )


def test_module_command_exit_codes(serve: ServerFactory) -> None:
    assert _run_module(serve(200)).returncode == 0
    assert _run_module(serve(503)).returncode == 1
    assert _run_module(_unused_port()).returncode == 1


def test_module_loads_standard_library_only() -> None:
    probe = "import sys, webapp.healthcheck; print(sorted({'flask', 'werkzeug', 'gunicorn'} & set(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=APP_DIR, capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "[]"
