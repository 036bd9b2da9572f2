"""The collection as others get it: its artifact, installed with ansible-galaxy into an empty directory, used by a
project that is not this one, and its modules' ansible-test integration targets, all against a moto of the module's
own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from devkit.helpers import REPO, VENV_BIN, ansible_env

PYTHON = "%d.%d" % sys.version_info[:2]


def install(root: Path, *args: str) -> Path:
    """scripts/install_collection.py: build the artifact, install it into ``root``; returns the collection's directory."""
    process = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "install_collection.py"), str(root), *args], capture_output=True, text=True, check=False, timeout=300
    )
    assert process.returncode == 0, process.stdout + process.stderr
    return Path(process.stdout.strip().splitlines()[-1])


def outside_env(**extra: str) -> dict:
    """The environment of a project that is not this checkout: no ANSIBLE_CONFIG or collections path of ours."""
    environment = ansible_env(**extra)
    for name in ("ANSIBLE_CONFIG", "ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_COLLECTIONS_PATHS", "ANSIBLE_ROLES_PATH"):
        if name not in extra:
            environment.pop(name, None)
    return environment


CONSUMER_PLAYBOOK = """
- name: Roll out a service with devops.fargate, installed from its artifact
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/devops.fargate.aws:
      endpoint_url: "{{ moto_url }}"
      region: us-east-1
      access_key: testing
      secret_key: testing
  roles:
    - role: devops.fargate.fargate
      vars:
        fargate_service_name: consumer
        fargate_region: us-east-1
        fargate_image_repository: 123456789012.dkr.ecr.us-east-1.amazonaws.com/consumer
        fargate_image_tag: "1.0"
        fargate_image_digest: "sha256:{{ '1' * 64 }}"
        fargate_wait_delay: 1
        fargate_tags: {service: consumer}
  tasks:
    - name: Read the service
      devops.fargate.ecs_deploy_info:
        cluster: consumer
        service: consumer
      register: consumer_service

    - name: Check it runs the image by its digest
      ansible.builtin.assert:
        that:
          - consumer_service.exists
          - consumer_service.images[0].digest == 'sha256:' ~ '1' * 64
"""


def test_installed_artifact_serves_another_project(tmp_path, moto):
    """A project of its own, whose ansible.cfg finds only the installed artifact (and the ansible package's bundle for
    the dependencies), uses the collection's role and modules by FQCN: created on the first run, unchanged on the
    second."""
    collections = tmp_path / "collections"
    installed = install(collections)
    project = tmp_path / "consumer"
    project.mkdir()
    (project / "ansible.cfg").write_text(f"[defaults]\ncollections_path = {collections}\ninterpreter_python = {sys.executable}\n")
    (project / "site.yml").write_text(CONSUMER_PLAYBOOK)
    environment = outside_env(ANSIBLE_CONFIG=str(project / "ansible.cfg"))

    listing = subprocess.run(
        [str(VENV_BIN / "ansible-galaxy"), "collection", "list", "devops.fargate", "--format", "json"],
        cwd=project, env=environment, capture_output=True, text=True, check=True,
    ).stdout
    assert list(json.loads(listing)) == [str(collections / "ansible_collections")], listing
    assert (installed / "MANIFEST.json").is_file() and not (installed / "inventories").exists()

    def run() -> dict:
        process = subprocess.run(
            [str(VENV_BIN / "ansible-playbook"), "-i", "localhost,", "site.yml", "-e", f"moto_url={moto.url}"],
            cwd=project, env=environment, capture_output=True, text=True, timeout=600, check=False,
        )
        assert process.returncode == 0, process.stdout[-6000:] + process.stderr[-3000:]
        return json.loads(process.stdout[process.stdout.index("{") :])["stats"]["localhost"]

    first = run()
    assert first["changed"] > 0 and first["failures"] == 0
    second = run()
    assert second["changed"] == 0, second


def test_module_integration_targets(tmp_path, moto):
    """``ansible-test integration`` on the installed collection: each module's target runs the amazon.aws sequence
    (check create, create, both again unchanged, update, delete, delete again) against moto."""
    collection = install(tmp_path, "--link-deps")
    targets = sorted(path.name for path in (collection / "tests" / "integration" / "targets").iterdir())
    assert targets == ["ecr_repository", "ecs_deploy"]
    config = {"aws_endpoint_url": moto.url, "aws_region": "us-east-1", "aws_access_key": "testing", "aws_secret_key": "testing"}
    (collection / "tests" / "integration" / "integration_config.yml").write_text(yaml.safe_dump(config))
    environment = outside_env(ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default")
    environment.pop("ANSIBLE_CALLBACKS_ENABLED", None)
    process = subprocess.run(
        [str(VENV_BIN / "ansible-test"), "integration", "--local", "--python", PYTHON, "--color", "no"],
        cwd=collection, env=environment, capture_output=True, text=True, timeout=900, check=False,
    )
    output = process.stdout + process.stderr
    assert process.returncode == 0, output[-8000:]
    for target in targets:
        assert f"Running {target} integration test role" in output
    assert "failed=0" in output and "failed=1" not in output
