"""The database migrations: ``python3 -m webapp.migrate``, the one-off task run before a rollout (the fargate role's
``fargate_pre_deploy_task``).

Applies, in order, the migrations the database has not had yet, each in its own transaction, and records each in
``schema_migrations``; run again, it applies nothing. The database is SQLite at ``FLASK_DATABASE`` (default
``/tmp/fargate-demo.sqlite3``). Logs one JSON line per migration; exits 0 when the schema is current, 1 when a
migration failed (that one is rolled back, the earlier ones stay).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
from collections.abc import Sequence

from webapp.jsonlog import FIELDS_ATTR, configure_app_logging

LOGGER_NAME = "webapp.migrate"
DEFAULT_DATABASE = "/tmp/fargate-demo.sqlite3"  # noqa: S108 - the demo's scratch database; FLASK_DATABASE names a real one

# (version, statement): append only; a released migration never changes.
MIGRATIONS: tuple[tuple[int, str], ...] = (
    (1, "CREATE TABLE visits (id INTEGER PRIMARY KEY, path TEXT NOT NULL, at TEXT NOT NULL)"),
    (2, "CREATE INDEX visits_at ON visits (at)"),
)


def applied(connection: sqlite3.Connection) -> set[int]:
    connection.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
    return {row[0] for row in connection.execute("SELECT version FROM schema_migrations")}


def migrate(database: str, migrations: Sequence[tuple[int, str]] | None = None) -> list[int]:
    """Apply the migrations ``database`` has not had, in order; the versions applied now. A failing one raises
    ``sqlite3.Error`` after its own rollback."""
    logger = logging.getLogger(LOGGER_NAME)
    connection = sqlite3.connect(database, isolation_level=None)
    try:
        done = applied(connection)
        now = []
        for version, statement in sorted(MIGRATIONS if migrations is None else migrations):
            if version in done:
                continue
            connection.execute("BEGIN")
            try:
                connection.execute(statement)
                connection.execute("INSERT INTO schema_migrations (version, applied_at) VALUES (?, datetime('now'))", (version,))
            except sqlite3.Error:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
            logger.info("migration applied", extra={FIELDS_ATTR: {"version": version}})
            now.append(version)
        return now
    finally:
        connection.close()


def main(argv: Sequence[str] | None = None) -> int:
    del argv  # no options: the database comes from the environment, as in the service
    configure_app_logging(LOGGER_NAME, os.environ.get("FLASK_LOG_LEVEL", "INFO"))
    logger = logging.getLogger(LOGGER_NAME)
    database = os.environ.get("FLASK_DATABASE", DEFAULT_DATABASE)
    try:
        now = migrate(database)
    except sqlite3.Error as error:
        logger.error("migration failed", extra={FIELDS_ATTR: {"database": database, "error": str(error)}})
        return 1
    logger.info("schema current", extra={FIELDS_ATTR: {"database": database, "applied": now}})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
