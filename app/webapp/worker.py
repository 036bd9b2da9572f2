"""The background worker: a periodic job that logs one JSON line a run, beside the web service, from the same image.

``python3 -m webapp.worker [--interval SECONDS] [--runs N]``: runs the job every ``--interval`` seconds (env
``FLASK_WORKER_INTERVAL``, default 30), ``--runs`` times (default: until stopped). SIGTERM (what ECS and Docker send
to stop a task) ends it after the run in progress, with exit code 0, so a deployment's stop is not a failure.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading
from collections.abc import Callable, Sequence

from webapp.jsonlog import FIELDS_ATTR, configure_app_logging

LOGGER_NAME = "webapp.worker"


def job(run: int) -> dict[str, object]:
    """One run of the periodic job; what it did, for its log line."""
    return {"run": run, "pid": os.getpid()}


def serve(interval: float, runs: int | None, stop: threading.Event, work: Callable[[int], dict[str, object]] = job) -> int:
    """Run ``work`` every ``interval`` seconds until ``stop`` is set or ``runs`` are done; the number of runs made."""
    logger = logging.getLogger(LOGGER_NAME)
    done = 0
    while not stop.is_set() and (runs is None or done < runs):
        done += 1
        try:
            fields = work(done)
        except Exception as error:  # noqa: BLE001 - a failed run is logged, and the next one tries again
            logger.error("job failed", extra={FIELDS_ATTR: {"run": done, "error": repr(error)}})
        else:
            logger.info("job done", extra={FIELDS_ATTR: fields})
        if runs is None or done < runs:
            stop.wait(interval)
    return done


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m webapp.worker", description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=float(os.environ.get("FLASK_WORKER_INTERVAL", "30")))
    parser.add_argument("--runs", type=int, default=None)
    args = parser.parse_args(argv)
    if args.interval <= 0:
        parser.error("--interval must be more than 0 seconds")
    configure_app_logging(LOGGER_NAME, os.environ.get("FLASK_LOG_LEVEL", "INFO"))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    logging.getLogger(LOGGER_NAME).info("worker started", extra={FIELDS_ATTR: {"interval": args.interval}})
    serve(args.interval, args.runs, stop)
    logging.getLogger(LOGGER_NAME).info("worker stopped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
