"""Flask application factory for the fargate-demo service."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

# from_prefixed_env() JSON-decodes every value, which would turn a revision
# such as "1234e56" into a float or a version "1.2" into 1.2. These keys
# identify the build, so they are always kept as the raw string.
_VERBATIM_KEYS = ("SERVICE_NAME", "APP_VERSION", "GIT_REVISION", "BUILD_TIME")
_ENV_PREFIX = "FLASK"


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    # Flask is imported here, not at module level, so that
    # `python3 -m webapp.healthcheck` (run every few seconds by Docker and
    # ECS) only loads the standard library.
    from flask import Flask

    from webapp import views
    from webapp.jsonlog import configure_app_logging

    app = Flask(__name__)
    app.config.from_mapping(
        SERVICE_NAME="fargate-demo",
        APP_VERSION="0.0.0-dev",
        GIT_REVISION="unknown",
        BUILD_TIME="unknown",
        LOG_LEVEL="INFO",
    )
    app.config.from_prefixed_env(_ENV_PREFIX)
    for key in _VERBATIM_KEYS:
        raw = os.environ.get(f"{_ENV_PREFIX}_{key}")
        if raw is not None:
            app.config[key] = raw
    if test_config is not None:
        app.config.from_mapping(test_config)

    configure_app_logging(app.name, app.config["LOG_LEVEL"])
    app.register_blueprint(views.bp)
    return app
