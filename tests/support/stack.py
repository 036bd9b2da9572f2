"""The reliability tests' own stack pieces: a registry they can kill (helpers.Registry, shared with the e2e tests),
and a Docker engine of a test module's own, which its faults stop for real while the other modules' runs go on with
the shared one."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import yaml

from devkit.helpers import REPO
from devkit.helpers import Registry

__all__ = ["PrivateDockerd", "Registry"]


class PrivateDockerd:
    """A dockerd of its own: socket, data and exec roots, pid file, bridge (``bridge``, on ``subnet``, port publishing
    by docker-proxy, no iptables rules beside the shared engine's) and managed containerd. ``images`` are copied into
    it from the shared engine (the local base image: a build starts from it). ``kill_command()`` stops it as
    ``start-stop-daemon`` stops an engine (TERM, then KILL), and ``start()`` brings it back with its data."""

    def __init__(self, bridge: str, subnet: str, images: list[str]) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix=f"dockerd-{bridge}-"))
        self.host = f"unix://{self.dir}/docker.sock"
        self.pidfile = self.dir / "dockerd.pid"
        self.bridge = bridge
        (self.dir / "daemon.json").write_text("{}")  # not the machine's /etc/docker/daemon.json (its hosts, its bridge)
        self.argv = [
            "/usr/sbin/dockerd",
            f"--host={self.host}",
            f"--data-root={self.dir / 'data'}",
            f"--exec-root={self.dir / 'exec'}",
            f"--pidfile={self.pidfile}",
            f"--config-file={self.dir / 'daemon.json'}",
            f"--bridge={bridge}",
            "--iptables=false",
            f"--cgroup-parent={bridge}",
        ]
        self._ip("link", "add", bridge, "type", "bridge")
        self._ip("addr", "add", subnet, "dev", bridge)
        self._ip("link", "set", bridge, "up")
        self.start()
        save = subprocess.Popen(["docker", "save", *images], stdout=subprocess.PIPE)
        subprocess.run(["docker", f"--host={self.host}", "load", "--quiet"], stdin=save.stdout, capture_output=True, check=True)
        assert save.wait() == 0, f"docker save {images} failed"

    @classmethod
    def with_base_image(cls, bridge: str, subnet: str) -> "PrivateDockerd":
        """One with the local inventory's base image (local_stack builds it on the shared engine)."""
        settings = yaml.safe_load((REPO / "inventories/local/group_vars/all/local_stack.yml").read_text())
        return cls(bridge, subnet, [settings["local_stack_base_image"]])

    def extra_vars(self) -> dict:
        """deploy.yml's variables that point its roles at this engine (with DOCKER_HOST for the modules that take no
        docker_host of ours)."""
        return {"image_docker_host": self.host, "ecr_docker_host": self.host}

    @staticmethod
    def _ip(*args: str) -> None:
        subprocess.run(["ip", *args], capture_output=True, check=True)

    def answers(self) -> bool:
        return subprocess.run(["docker", f"--host={self.host}", "version"], capture_output=True, check=False).returncode == 0

    def start(self) -> None:
        if self.answers():  # not stopped (the run failed before its boundary)
            return
        with open(self.dir / "dockerd.log", "ab") as log:
            engine = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        # Reaped as soon as it ends, so that a stop sees it gone (a zombie in its pid file "refuses to die").
        threading.Thread(target=engine.wait, daemon=True).start()
        deadline = time.monotonic() + 60
        while not self.answers():
            assert time.monotonic() < deadline, f"dockerd at {self.host} did not answer: {(self.dir / 'dockerd.log').read_text()[-2000:]}"
            time.sleep(0.2)

    def kill_command(self) -> str:
        return f"start-stop-daemon --stop --oknodo --pidfile {self.pidfile} --retry TERM/20/KILL/5"

    def remove(self) -> None:
        if self.answers():
            containers = subprocess.run(["docker", f"--host={self.host}", "ps", "-aq"], capture_output=True, text=True, check=False).stdout.split()
            if containers:
                subprocess.run(["docker", f"--host={self.host}", "rm", "-f", *containers], capture_output=True, check=False)
        subprocess.run(self.kill_command(), shell=True, capture_output=True, check=False)
        subprocess.run(["ip", "link", "del", self.bridge], capture_output=True, check=False)
        shutil.rmtree(self.dir, ignore_errors=True)
