"""A deploy.yml project of a reliability test module: its copy of the checkout, behind a fault proxy in front of the
module's moto, pushing to a registry of its own, under names (and a local port) of its own; and its state, read
directly from moto, the registry and the local container.

Docker is shared: test_faults.py stops dockerd at stage boundaries while the other modules' runs need it, so those
hold ``dockerlock.docker_in_use()`` (a shared lock) for a test, and a dockerd fault holds it exclusively until the engine
is back (DockerdHold).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
from base64 import b64encode
from contextlib import nullcontext
from pathlib import Path

import pytest

from support.dockerlock import docker_in_use
from support.helpers import copy_project
from support.helpers import project_names
from support.helpers import run_project
from support.stack import dockerd_answers

AUTH = "Basic " + b64encode(b"AWS:123456789012-auth-token").decode()
MANIFEST_TYPES = "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json"


class Deployed:
    def __init__(self, root: Path, name: str, port: int, moto, proxy, registry) -> None:
        self.root, self.name, self.port, self.moto, self.proxy, self.registry = root, name, port, moto, proxy, registry

    @classmethod
    def copy(cls, tmp_path_factory, name: str, port: int, moto, proxy, registry, local_stack: bool = False) -> "Deployed":
        """``local_stack``: whether deploy.yml's local_stack play runs, which starts a stopped dockerd again (and looks
        at the user's moto and registry, read-only); without it, a run after a dockerd fault waits for the engine in
        docker_in_use."""
        extra = dict(project_names(name, port), aws_endpoint_url=proxy.url, ecr_registry_override=registry.address, local_stack_enabled=local_stack)
        return cls(copy_project(tmp_path_factory.mktemp(name) / "fargate", extra), name, port, moto, proxy, registry)

    @classmethod
    def fixture(cls, name: str, port: int, local_stack: bool = False):
        """A test module's ``project`` fixture: its copy of the project, under ``name`` and ``port``. Closed holding
        dockerd in use, unless the module is the one that stops it (``local_stack``: its runs start it again)."""

        @pytest.fixture(scope="module")
        def project(tmp_path_factory, moto, proxy, registry):
            deployed = cls.copy(tmp_path_factory, name, port, moto, proxy, registry, local_stack=local_stack)
            yield deployed
            with nullcontext() if local_stack else docker_in_use():
                deployed.close()

        return project

    def close(self) -> None:
        self.proxy.configure()
        if not dockerd_answers():
            run_project(self.root, "playbooks/local_stack.yml", check=False)
        # moto and the registry are the tests' own and go with their fixtures: only the local container is left.
        subprocess.run(["docker", "rm", "-f", f"{self.name}-local"], capture_output=True, check=False)

    # --- the stack's state, read directly ----------------------------------------------------------------------
    def revisions(self) -> list[str]:
        return self.moto.client("ecs").list_task_definitions(familyPrefix=self.name, status="ACTIVE")["taskDefinitionArns"]

    def service(self) -> dict:
        client = self.moto.client("ecs")
        try:
            services = client.describe_services(cluster=self.name, services=[self.name])["services"]
        except client.exceptions.ClusterNotFoundException:
            return {}
        return services[0] if services else {}

    def task_image(self, arn: str) -> str:
        return self.moto.client("ecs").describe_task_definition(taskDefinition=arn)["taskDefinition"]["containerDefinitions"][0]["image"]

    def registry_digest(self, tag: str) -> str | None:
        request = urllib.request.Request(
            f"http://{self.registry.address}/v2/{self.name}/manifests/{tag}", method="HEAD", headers={"Authorization": AUTH, "Accept": MANIFEST_TYPES}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.headers["Docker-Content-Digest"]
        except OSError:
            return None

    def serving_version(self) -> str | None:
        for _ in range(20):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=3) as response:
                    return json.loads(response.read())["version"]
            except OSError:
                time.sleep(1)
        return None

    def assert_converged(self, version: str, revision_count: int) -> None:
        """One revision per version, the service on the newest, pinned to the registry's digest, and serving it."""
        arns = self.revisions()
        assert len(arns) == revision_count, f"revisions: {arns}"
        assert self.service()["taskDefinition"] == arns[-1], "the service runs the newest revision"
        digest = self.registry_digest(version)
        assert digest and self.task_image(arns[-1]) == f"{self.registry.address}/{self.name}@{digest}", "pinned to the pushed digest"
        assert self.serving_version() == version


class DockerdHold:
    """``with DockerdHold() as hold``: ``hold.take()`` starts taking dockerd exclusively for a fault that stops it, and
    returns the shell command that waits until it is held: the fault command runs it first, at the boundary. So the
    run does its work up to the boundary while the other modules' current tests end, and those wait for the engine only
    from the boundary on. ``hold.release_when_up()``, after the failed run, lets it go as soon as dockerd answers again
    (the next run's local_stack play starts it), not after the whole rerun. Two dockerd faults in a row: the second
    takes the engine once the first has let it go, which the run it strikes sees to."""

    def __init__(self) -> None:
        self._held = None
        self._lock = threading.Lock()
        self._taking: threading.Thread | None = None
        self._marker_dir: Path | None = None
        self._watch: threading.Thread | None = None
        self._closed = threading.Event()

    def take(self) -> str:
        # The last fault's hold, let go once the engine answers again: this run's local_stack play starts it, so
        # waiting for that here, before the run, would wait for ever.
        previous, self._watch = self._watch, None
        self._marker_dir = Path(tempfile.mkdtemp(prefix="dockerd-held-"))
        marker = self._marker_dir / "held"

        def acquire() -> None:
            if previous is not None:
                previous.join()
            if self._closed.is_set():
                return
            held = docker_in_use(exclusive=True)
            held.__enter__()  # pylint: disable=unnecessary-dunder-call
            with self._lock:
                if self._closed.is_set():  # the test ended before its run reached the boundary
                    held.__exit__(None, None, None)
                    return
                self._held = held
            marker.touch()

        self._taking = threading.Thread(target=acquire, daemon=True)
        self._taking.start()
        return f"until [ -e {marker} ]; do sleep 0.2; done"

    def release_when_up(self) -> None:
        taking, marker_dir = self._taking, self._marker_dir
        self._taking = self._marker_dir = None

        def watch() -> None:
            while not dockerd_answers():
                time.sleep(0.5)
            self._release(taking, marker_dir)

        self._watch = threading.Thread(target=watch, daemon=True)
        self._watch.start()

    def _release(self, taking: threading.Thread | None, marker_dir: Path | None) -> None:
        # Held first (if the run stopped before its boundary, once the other modules' current tests let it be), then let go.
        if taking is not None:
            taking.join()
        with self._lock:
            if self._held is not None:
                self._held.__exit__(None, None, None)
                self._held = None
        if marker_dir is not None:
            shutil.rmtree(marker_dir, ignore_errors=True)

    def __enter__(self) -> "DockerdHold":
        return self

    def __exit__(self, *exc) -> None:
        # The block's last run (the rerun) has run: dockerd is up, or will never be brought up by this test.
        if self._watch is not None and dockerd_answers():
            self._watch.join()
        # Whatever is still held or being taken (a test that failed) is let go, without waiting for an engine that
        # may not come back.
        with self._lock:
            self._closed.set()
            if self._held is not None:
                self._held.__exit__(None, None, None)
                self._held = None
        if self._marker_dir is not None:
            shutil.rmtree(self._marker_dir, ignore_errors=True)
