"""The worker (a periodic job logging JSON) and the migration command, the service's two other processes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from webapp import migrate, worker

APP = Path(__file__).resolve().parents[1]


def _run(module: str, *args: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", module, *args], cwd=APP, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=30, check=False, **kwargs
    )


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_the_worker_runs_its_job_and_logs_one_json_line_a_run():
    done = _run("webapp.worker", "--interval", "0.01", "--runs", "3")
    assert done.returncode == 0, done.stderr
    lines = _json_lines(done.stdout)
    assert [line["message"] for line in lines] == ["worker started", "job done", "job done", "job done", "worker stopped"]
    assert [line["run"] for line in lines if line["message"] == "job done"] == [1, 2, 3]
    assert all(line["logger"] == "webapp.worker" and line["level"] == "INFO" for line in lines)


def test_a_failed_run_is_logged_and_the_next_one_runs():
    def flaky(run: int) -> dict:
        if run == 1:
            raise RuntimeError("boom")
        return {"run": run}

    assert worker.serve(0.001, 2, threading.Event(), flaky) == 2


def test_sigterm_stops_the_worker_cleanly():
    process = subprocess.Popen([sys.executable, "-m", "webapp.worker", "--interval", "60"], cwd=APP, stdout=subprocess.PIPE, text=True)
    try:
        assert "worker started" in process.stdout.readline()
        time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0, "ECS stopping the task is not a failure"
    finally:
        process.kill()
    assert "worker stopped" in process.stdout.read()


def test_a_bad_interval_is_refused():
    refused = _run("webapp.worker", "--interval", "0")
    assert refused.returncode == 2 and "--interval must be more than 0" in refused.stderr


def test_migrate_applies_what_is_missing_once(tmp_path):
    database = tmp_path / "app.sqlite3"
    first = _run("webapp.migrate", env={"FLASK_DATABASE": str(database)})
    assert first.returncode == 0, first.stderr
    assert [line.get("version") for line in _json_lines(first.stdout) if line["message"] == "migration applied"] == [1, 2]
    again = _run("webapp.migrate", env={"FLASK_DATABASE": str(database)})
    assert again.returncode == 0 and _json_lines(again.stdout)[-1]["applied"] == []
    with sqlite3.connect(database) as connection:
        assert {row[0] for row in connection.execute("SELECT name FROM sqlite_master")} >= {"visits", "visits_at", "schema_migrations"}


def test_a_failing_migration_rolls_back_keeps_the_earlier_ones_and_exits_1(tmp_path, monkeypatch):
    database = tmp_path / "app.sqlite3"
    broken = (*migrate.MIGRATIONS, (3, "ALTER TABLE missing ADD COLUMN x TEXT"))
    with pytest.raises(sqlite3.Error):
        migrate.migrate(str(database), broken)
    with sqlite3.connect(database) as connection:
        assert {row[0] for row in connection.execute("SELECT version FROM schema_migrations")} == {1, 2}
    monkeypatch.setattr(migrate, "MIGRATIONS", broken)
    monkeypatch.setenv("FLASK_DATABASE", str(database))
    assert migrate.main([]) == 1
