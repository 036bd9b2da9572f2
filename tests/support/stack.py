"""The reliability tests' own stack pieces: a registry they can kill (helpers.Registry, shared with the e2e tests),
and the shared dockerd, which the tests stop and deploy.yml's local_stack play starts again."""

from __future__ import annotations

import subprocess

from support.helpers import Registry
from support.helpers import wait_for

__all__ = ["DOCKERD_KILL", "Registry", "dockerd_answers", "wait_for"]

# Stop the engine by its executable (TERM, then KILL), waiting until it is gone; the local_stack play starts it again.
DOCKERD_KILL = "start-stop-daemon --stop --oknodo --exec /usr/sbin/dockerd --retry TERM/20/KILL/5"


def dockerd_answers() -> bool:
    return subprocess.run(["docker", "version", "--format", "{{.Server.Version}}"], capture_output=True, check=False).returncode == 0
