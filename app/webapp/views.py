"""HTTP routes of the service."""

from __future__ import annotations

from flask import Blueprint, current_app

bp = Blueprint("service", __name__)


@bp.get("/")
def index() -> dict[str, str]:
    config = current_app.config
    return {
        "service": config["SERVICE_NAME"],
        "version": config["APP_VERSION"],
        "revision": config["GIT_REVISION"],
        "build_time": config["BUILD_TIME"],
    }


@bp.get("/health")
def health() -> dict[str, str]:
    # Liveness only: no downstream checks, so a slow dependency cannot make
    # ECS replace otherwise healthy tasks.
    return {"status": "ok"}
