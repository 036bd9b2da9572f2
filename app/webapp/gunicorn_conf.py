"""gunicorn settings, driven by environment variables.

Start with: gunicorn -c python:webapp.gunicorn_conf "webapp:create_app()"

PORT                       listen port (default 8000)
GUNICORN_WORKERS           worker processes (default 2)
GUNICORN_THREADS           threads per worker (default 4)
GUNICORN_TIMEOUT           seconds a silent worker lives before being killed (default 30)
GUNICORN_GRACEFUL_TIMEOUT  seconds to drain after SIGTERM (default 25)
GUNICORN_KEEPALIVE         seconds an idle keep-alive connection is held (default 65)
GUNICORN_LOG_LEVEL         error log level (default info)
"""

from __future__ import annotations

import os


def _env_int(name: str, default: int, minimum: int = 1, maximum: int | None = None) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        upper = "" if maximum is None else f" and <= {maximum}"
        raise ValueError(f"{name} must be >= {minimum}{upper}, got {value}")
    return value


port = _env_int("PORT", 8000, maximum=65535)
bind = [f"0.0.0.0:{port}"]

workers = _env_int("GUNICORN_WORKERS", 2)
threads = _env_int("GUNICORN_THREADS", 4)
worker_class = "gthread"

timeout = _env_int("GUNICORN_TIMEOUT", 30)
# Below ECS's default stopTimeout (30 s) so in-flight requests drain after
# SIGTERM before the agent sends SIGKILL.
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 25)
# Longer than the ALB idle timeout (60 s), so the ALB closes idle connections
# first and never reuses one gunicorn has just dropped (which shows as a 502).
keepalive = _env_int("GUNICORN_KEEPALIVE", 65)

# The worker heartbeat file lives in memory: no disk I/O stalls, and it works
# with a read-only root filesystem.
worker_tmp_dir = "/dev/shm"

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Writes both logs as JSON; access_log_format is not used by this class.
logger_class = "webapp.jsonlog.GunicornJsonLogger"

# Nobody runs gunicornc inside a task, and the socket would be created under
# $HOME, which the unprivileged user does not have.
control_socket_disable = True
