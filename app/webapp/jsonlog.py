"""JSON log lines for the app logger and for gunicorn's error and access logs.

Each line is one JSON object with ``time``, ``level``, ``logger``, ``pid`` and
``message``; structured fields passed as ``extra={"fields": {...}}`` are
merged in at the top level. Access lines are written by gunicorn only (see
``GunicornJsonLogger.access``), so a request is logged exactly once.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timedelta, timezone
from typing import Any, TextIO

from gunicorn.glogging import Logger as _GunicornLogger

# LogRecord attribute carrying structured fields (set through ``extra``).
FIELDS_ATTR = "fields"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _utc_timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,
            "message": record.getMessage(),
        }
        fields = getattr(record, FIELDS_ATTR, None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


def _utc_timestamp(created: float) -> str:
    moment = datetime.fromtimestamp(created, tz=timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _StdoutHandler(logging.StreamHandler):
    """Stream handler bound to whatever ``sys.stdout`` is at emit time.

    Binding at creation time would keep writing to a stale stream once
    something (pytest's capture, a test runner) replaces ``sys.stdout``.
    """

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stdout

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def configure_app_logging(logger_name: str, level: str | int = "INFO") -> logging.Logger:
    """Send ``logger_name`` records to stdout as JSON; safe to call repeatedly."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(h, _StdoutHandler) for h in logger.handlers):
        handler = _StdoutHandler()
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
    # Our handler is the only output; propagating would duplicate lines as
    # soon as anything configures the root logger.
    logger.propagate = False
    logger.setLevel(level.upper() if isinstance(level, str) else level)
    return logger


def access_fields(
    status: int | str | None,
    environ: dict[str, Any],
    request_time: timedelta,
    response_bytes: int | None,
) -> dict[str, Any]:
    """Structured fields of one access log line."""
    if isinstance(status, str):
        status = status.split(None, 1)[0]
    try:
        status_code: int | str | None = int(status) if status is not None else None
    except ValueError:
        status_code = status
    return {
        "method": environ.get("REQUEST_METHOD"),
        "path": environ.get("PATH_INFO"),
        "query": environ.get("QUERY_STRING") or None,
        "protocol": environ.get("SERVER_PROTOCOL"),
        "status": status_code,
        "duration_ms": round(request_time.total_seconds() * 1000, 3),
        "bytes": response_bytes,
        "remote_addr": environ.get("REMOTE_ADDR"),
        # Behind the ALB, REMOTE_ADDR is the load balancer; the client is here.
        "forwarded_for": environ.get("HTTP_X_FORWARDED_FOR"),
        "user_agent": environ.get("HTTP_USER_AGENT"),
    }


class GunicornJsonLogger(_GunicornLogger):
    """gunicorn logger class writing its error and access logs as JSON."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        formatter = JsonFormatter()
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if getattr(handler, "_gunicorn", False):
                    handler.setFormatter(formatter)

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta) -> None:
        if not self.access_log_enabled:
            return
        fields = access_fields(
            getattr(resp, "status", None), environ, request_time, getattr(resp, "sent", None)
        )
        self.access_log.info(
            "%s %s %s",
            fields["method"],
            fields["path"],
            fields["status"],
            extra={FIELDS_ATTR: fields},
        )
