"""Pieces of a local stack of the reliability tests' own, which they can kill and restart without disturbing
the shared one: a registry (Debian's docker-registry, the ECR stand-in) and helpers for the shared dockerd."""

from __future__ import annotations

import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from helpers import free_port

STATE_DIR = Path("/var/lib/devops-fargate/local-stack")  # the shared stack's (local_stack_state_dir)
CONFIG = """version: 0.1
log: {{level: warn}}
storage:
  filesystem: {{rootdirectory: {root}}}
  delete: {{enabled: true}}
http: {{addr: "127.0.0.1:{port}"}}
auth:
  htpasswd: {{realm: local-ecr, path: {htpasswd}}}
"""


class Registry:
    """A docker-registry on a port of its own, with the shared stack's htpasswd (the password moto's ECR
    token decodes to), and storage that survives a kill."""

    def __init__(self) -> None:
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.dir = Path(tempfile.mkdtemp(prefix="reliability-registry-"))
        self.config = self.dir / "config.yml"
        self.config.write_text(CONFIG.format(root=self.dir / "data", port=self.port, htpasswd=STATE_DIR / "registry.htpasswd"))
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        log = open(self.dir / "registry.log", "ab")  # pylint: disable=consider-using-with
        self.process = subprocess.Popen(["/usr/bin/docker-registry", "serve", str(self.config)], stdout=log, stderr=subprocess.STDOUT)
        wait_for(f"http://{self.address}/v2/", "registry")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def kill_command(self) -> str:
        return f"kill -KILL {self.process.pid}"


def wait_for(url: str, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except urllib.error.HTTPError:
            return  # it answers (401 without credentials)
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer on {url}")


# Stop the engine by its executable (TERM, then KILL), waiting until it is gone; the local_stack play starts it again.
DOCKERD_KILL = "start-stop-daemon --stop --oknodo --exec /usr/sbin/dockerd --retry TERM/20/KILL/5"


def dockerd_answers() -> bool:
    return subprocess.run(["docker", "version", "--format", "{{.Server.Version}}"], capture_output=True, check=False).returncode == 0
