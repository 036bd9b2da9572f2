"""devops.fargate.registry_image_push on the Docker engine and the e2e stack's registry: Docker pushes the image once,
under the first tag the registry lacks, and the registry gets the same manifest under the others; a rerun pushes
nothing; check mode reports the tags and writes none; failures name the step and the registry or the image."""

from __future__ import annotations

import subprocess
import uuid

import pytest

from devkit.helpers import REGISTRY_LOGIN
from devkit.helpers import run_playbook
from devkit.helpers import task_result


@pytest.fixture
def repository():
    return f"push-test/{uuid.uuid4().hex[:8]}"


def push(e2e_stack, image_id: str, repository: str, tags: list[str], *args: str, fails: bool = False, password: str | None = None) -> dict:
    user, token = REGISTRY_LOGIN
    plays = [{"hosts": "localhost", "gather_facts": False, "tasks": [{"name": "push", "devops.fargate.registry_image_push": {
        "image": image_id, "registry": e2e_stack.registry_address, "scheme": "http", "repository": repository, "tags": tags,
        "username": user, "password": token if password is None else password, "timeout": 30}}]}]
    return task_result(run_playbook(plays, *args, expect_failure=fails), "push")


def served(e2e_stack, repository: str, tag: str) -> str | None:
    return e2e_stack.registry.digest(repository, tag)


def repo_tags(image_id: str) -> list[str]:
    out = subprocess.run(["docker", "image", "inspect", "--format", "{{join .RepoTags \" \"}}", image_id], check=True, capture_output=True, text=True)
    return out.stdout.split()


def test_docker_pushes_once_and_the_registry_names_the_other_tags(e2e_stack, image, repository):
    result = push(e2e_stack, image, repository, ["v1", "latest", "main"])
    assert (result["changed"], result["pushed"], result["held"], result["image_id"]) == (True, ["v1", "latest", "main"], [], image)
    assert [served(e2e_stack, repository, tag) for tag in ("v1", "latest", "main")] == [result["digest"]] * 3
    # Docker pushed one tag: the others were put by manifest, never named on the engine.
    assert repo_tags(image) == [f"{e2e_stack.registry_address}/{repository}:v1"]

    again = push(e2e_stack, image, repository, ["v1", "latest", "main"])
    assert (again["changed"], again["pushed"], again["held"], again["digest"]) == (False, [], ["v1", "latest", "main"], result["digest"])


def test_check_mode_reports_the_tags_and_writes_none(e2e_stack, image, repository):
    first = push(e2e_stack, image, repository, ["v1"])
    predicted = push(e2e_stack, image, repository, ["v1", "production"], "--check")
    assert (predicted["changed"], predicted["pushed"], predicted["held"], predicted["digest"]) == (True, ["production"], ["v1"], first["digest"])
    assert served(e2e_stack, repository, "production") is None
    real = push(e2e_stack, image, repository, ["v1", "production"])
    assert (real["changed"], real["pushed"]) == (True, ["production"])
    assert served(e2e_stack, repository, "production") == first["digest"]


def test_a_refused_login_fails_naming_the_registry_and_keeps_the_password_out(e2e_stack, image, repository):
    result = push(e2e_stack, image, repository, ["v1"], fails=True, password="not-the-token")
    assert result["msg"].startswith(f"asking the registry {e2e_stack.registry_address} what {repository}'s tags point at failed: "), result["msg"]
    assert "401" in result["msg"] and "not-the-token" not in str(result)
    assert served(e2e_stack, repository, "v1") is None


def test_a_missing_image_is_named(e2e_stack, repository):
    missing = "sha256:" + "0" * 64
    result = push(e2e_stack, missing, repository, ["v1"], fails=True)
    assert result["msg"] == f"the image {missing} is not on the Docker engine at unix:///var/run/docker.sock"
