from __future__ import annotations

import io
import subprocess
import tarfile
import uuid

import pytest

from devkit.helpers import MotoServer
from devkit.helpers import Registry


class TestStack:
    """The e2e tests' own moto and registry, on ports of their own: the tests never reach the user's stack (moto on
    5051, the registry on 5050), and may kill and restart these. dockerd is the shared one."""

    __test__ = False  # not a test class

    def __init__(self) -> None:
        self.moto = MotoServer()
        self.registry = Registry()
        self.moto_url = self.moto.url
        self.registry_address = self.registry.address  # what image references start with
        self.registry_url = self.registry.url

    def extra_vars(self) -> dict:
        """deploy.yml's variables that point a run at this stack (with helpers.project_names for names of its own).
        The local_stack play is off: it would look at the user's stack (5051, 5050)."""
        return {"aws_endpoint_url": self.moto_url, "ecr_registry_override": self.registry_address, "local_stack_enabled": False}

    def client(self, service: str):
        return self.moto.client(service)

    def close(self) -> None:
        self.moto.stop()
        self.registry.remove()


@pytest.fixture(scope="session")
def e2e_stack():
    """One moto and one registry for the whole e2e stage (every test module's projects deploy to it, under names of
    their own): ``e2e_stack.moto_url``, ``.registry_address``, ``.extra_vars()``, ``.client("ecs")``."""
    stack = TestStack()
    yield stack
    stack.close()


@pytest.fixture
def image():
    """A one-file image of the test's own (docker import: no base image, no build)."""
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w") as tar:
        content = uuid.uuid4().hex.encode()
        info = tarfile.TarInfo("stamp")
        info.size = len(content)
        tar.addfile(info, io.BytesIO(content))
    image_id = subprocess.run(["docker", "import", "-"], input=data.getvalue(), check=True, capture_output=True).stdout.decode().strip()
    yield image_id
    subprocess.run(["docker", "rmi", "-f", image_id], check=False, capture_output=True)


# --- IAM: each deploy/check/rollback/destroy run's AWS calls, for docs/iam/calls.json ----------------------------
# (tests/support/awscalls.py; checked by test_pipeline.py in its last test)
@pytest.fixture(autouse=True)
def iam_calls_record(request, monkeypatch):
    from support import awscalls  # pylint: disable=import-outside-toplevel
    from support import user_stack  # pylint: disable=import-outside-toplevel

    module = request.module
    if callable(getattr(module, "run", None)) and hasattr(module, "NAME"):
        names = awscalls.Names(mapping={module.NAME: awscalls.SERVICE})
        stack = request.getfixturevalue("e2e_stack") if "e2e_stack" in request.fixturenames else None
        moto_url = stack.moto_url if stack else getattr(module, "MOTO", user_stack.MOTO)
        monkeypatch.setattr(module, "run", awscalls.record_run(module.run, moto_url, names, awscalls.SESSION))
    yield
