"""A deploy.yml project of a reliability test module: its copy of the checkout, behind a fault proxy in front of the
module's moto, pushing to a registry of its own, under names (and a local port) of its own; and its state, read
directly from moto, the registry and the local container.

Docker is the shared engine, except for a module that stops it (test_faults.py): that one's project builds, pushes
and runs on a dockerd of its own (stack.PrivateDockerd), so no other module's run waits for its faults.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from devkit.helpers import copy_project
from devkit.helpers import project_names
from devkit.helpers import run_project
from support.stack import PrivateDockerd


class Deployed:
    def __init__(self, root: Path, name: str, port: int, moto, proxy, registry, dockerd: PrivateDockerd | None = None) -> None:
        self.root, self.name, self.port, self.moto, self.proxy, self.registry, self.dockerd = root, name, port, moto, proxy, registry, dockerd

    @classmethod
    def copy(cls, tmp_path_factory, name: str, port: int, moto, proxy, registry, dockerd: PrivateDockerd | None = None) -> "Deployed":
        """``dockerd``: the engine of the project's runs (its roles' docker_host, and DOCKER_HOST), else the shared one."""
        extra = dict(project_names(name, port), aws_endpoint_url=proxy.url, ecr_registry_override=registry.address, local_stack_enabled=False)
        if dockerd is not None:
            extra.update(dockerd.extra_vars())
        return cls(copy_project(tmp_path_factory.mktemp(name) / "fargate", extra), name, port, moto, proxy, registry, dockerd)

    @classmethod
    def fixture(cls, name: str, port: int, private_dockerd: bool = False):
        """A test module's ``project`` fixture: its copy of the project, under ``name`` and ``port``; with
        ``private_dockerd``, on a dockerd of its own (the module's ``dockerd`` fixture)."""

        @pytest.fixture(scope="module")
        def project(request, tmp_path_factory, moto, proxy, registry):
            dockerd = request.getfixturevalue("dockerd") if private_dockerd else None
            deployed = cls.copy(tmp_path_factory, name, port, moto, proxy, registry, dockerd=dockerd)
            yield deployed
            deployed.close()

        return project

    def run(self, playbook: str, *args: str, env: dict | None = None, check: bool = True) -> dict:
        """run_project on this copy, against its engine."""
        engine = {"DOCKER_HOST": self.dockerd.host} if self.dockerd else {}
        return run_project(self.root, playbook, *args, env={**engine, **(env or {})}, check=check)

    def close(self) -> None:
        self.proxy.configure()
        # moto, the registry and a private engine are the tests' own and go with their fixtures: only the local
        # container on the shared engine is left.
        if self.dockerd is None:
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
        return self.registry.digest(self.name, tag)

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
