# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A local container's health, as the local run waits for it: pure decisions, unit-tested without Docker.

Docker runs a container's first health check one interval after it starts (the engine here predates
``start_interval``), so waiting for Docker's verdict costs a whole interval even when the service is up at once.
The wait runs the container's own check itself while Docker still says ``starting``, and takes Docker's verdict
otherwise: a check that passes ends the wait; only Docker declares a container unhealthy."""

from __future__ import annotations

HEALTHY = "healthy"
STOPPED = "stopped"
STARTING = "starting"


def check_argv(test: list | None) -> list[str] | None:
    """The argv that runs a health check's ``test`` (Docker's Config.Healthcheck.Test) in the container;
    None when there is no check (none set, or ``NONE``)."""
    if not test or test[0] == "NONE":
        return None
    if test[0] == "CMD":
        return list(test[1:])
    if test[0] == "CMD-SHELL":
        return ["/bin/sh", "-c", " ".join(test[1:])]
    raise ValueError(f"unknown health check form {test[0]!r} (CMD, CMD-SHELL or NONE)")


def health_check(container: dict) -> list[str] | None:
    """The argv of a container's health check, from its inspect answer; None when it has none."""
    return check_argv(((container.get("Config") or {}).get("Healthcheck") or {}).get("Test"))


def state_of(container: dict) -> str:
    """The container's state as the wait reads it, from an inspect answer: stopped, or Docker's health status
    (healthy for a running container without a health check)."""
    state = container.get("State") or {}
    if not state.get("Running"):
        return STOPPED
    if not health_check(container):
        return HEALTHY
    return (state.get("Health") or {}).get("Status") or STARTING


def why_not(container: dict) -> str:
    """What a stopped or unhealthy container says about itself: its exit code and error, or its last check's output."""
    state = container.get("State") or {}
    if not state.get("Running"):
        error = f", {state['Error']}" if state.get("Error") else ""
        return f"it stopped (exit code {state.get('ExitCode')}{error})"
    log = (state.get("Health") or {}).get("Log") or []
    if log:
        last = log[-1]
        return f"its health check failed (exit code {last.get('ExitCode')}: {(last.get('Output') or '').strip()[:300]})"
    return "its health check failed"
