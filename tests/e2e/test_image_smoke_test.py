"""devops.fargate.image_smoke_test on this machine's Docker engine, with an image of the test's own (the local base
image and a shell script that serves JSON files, or stops, as its MODE says): a passing test, a wrong answer, a
container that stops, an app that never answers within a fractional timeout; the container is gone after each."""

from __future__ import annotations

import subprocess
import uuid

import pytest

from devkit.helpers import run_playbook
from devkit.helpers import task_result

BASE = "devops-fargate/python-base:bookworm"  # local_stack's base image: here whenever deploy.yml can build
SCRIPT = """#!/bin/sh
mkdir -p /srv && cd /srv
case "$MODE" in
  stop) echo "stopping on purpose" >&2; exit 3 ;;
  silent) exec sleep 600 ;;
esac
echo '{"status": "ok"}' > health
echo '{"version": "1.2.3", "revision": "abc"}' > version.json
touch healthy
exec python3 -m http.server "$PORT"
"""


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    context = tmp_path_factory.mktemp("smoke-image")
    (context / "serve.sh").write_text(SCRIPT)
    (context / "Dockerfile").write_text(f"FROM {BASE}\nCOPY serve.sh /serve.sh\nRUN chmod 755 /serve.sh\nCMD [\"/serve.sh\"]\n")
    tag = f"e2e-smoke:{uuid.uuid4().hex[:8]}"
    subprocess.run(["docker", "build", "-q", "-t", tag, str(context)], check=True, capture_output=True, timeout=300)
    yield tag
    subprocess.run(["docker", "image", "rm", "-f", tag], check=False, capture_output=True)


def smoke(image: str, mode: str, expect_version: str = "1.2.3", timeout: float = 20, tags: list | None = None) -> tuple[dict, str]:
    name = f"e2e-smoke-{uuid.uuid4().hex[:8]}"
    args = {
        "image": image, "name": name, "port": 8000, "env": {"PORT": "8000", "MODE": mode},
        "healthcheck": {"test": ["CMD-SHELL", "test -f /srv/healthy"], "interval": "30s", "timeout": "5s"},
        "probes": [{"path": "/health", "expect": {"status": "ok"}}, {"path": "/version.json", "expect": {"version": expect_version}}],
        "timeout": timeout, "delay": 0.2, "log_lines": 5, **({"tags": tags} if tags is not None else {}),
    }
    plays = [{"hosts": "localhost", "gather_facts": False, "tasks": [{"name": "smoke", "devops.fargate.image_smoke_test": args, "ignore_errors": True}]}]
    return task_result(run_playbook(plays), "smoke"), name


def gone(name: str) -> bool:
    return subprocess.run(["docker", "container", "inspect", name], capture_output=True, check=False).returncode != 0


def image_id(name: str) -> str | None:
    found = subprocess.run(["docker", "image", "inspect", "--format", "{{.Id}}", name], capture_output=True, text=True, check=False)
    return found.stdout.strip() if found.returncode == 0 else None


def test_a_passed_image_gets_its_tags_in_the_same_run_and_a_failed_one_none(image):
    """The role's tagging rides on the smoke test's module run: only a tested image gets its version and moving tags."""
    suffix = uuid.uuid4().hex[:8]
    tags = [f"e2e-smoke-tagged:{suffix}", f"127.0.0.1:5999/e2e-smoke-tagged:moving-{suffix}"]
    try:
        result, _name = smoke(image, "serve", tags=tags)
        assert not result.get("failed"), result.get("msg")
        assert result["changed"] is True and result["tagged"] == tags
        assert image_id(tags[0]) == image_id(tags[1]) == image_id(image) is not None

        failed, _name = smoke(image, "serve", expect_version="9.9.9", tags=[f"e2e-smoke-tagged:failed-{suffix}"])
        assert failed["failed"] and "tagged" not in failed
        assert image_id(f"e2e-smoke-tagged:failed-{suffix}") is None
    finally:
        subprocess.run(["docker", "image", "rm", *tags], check=False, capture_output=True)


def test_a_name_without_a_tag_is_refused_before_any_container_runs(image):
    result, name = smoke(image, "serve", tags=["e2e-smoke-tagged", "127.0.0.1:5999/e2e-smoke-tagged"])
    assert result["failed"]
    assert result["msg"] == ("tags: e2e-smoke-tagged, 127.0.0.1:5999/e2e-smoke-tagged: not repository:tag names "
                             "(a tag is 1-128 letters, digits, _ . and -)")
    assert "answers" not in result and gone(name)


def test_a_good_image_passes_its_probes_and_health_check_and_leaves_no_container(image):
    result, name = smoke(image, "serve")
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] is False
    assert result["answers"] == {"/health": {"status": "ok"}, "/version.json": {"version": "1.2.3", "revision": "abc"}}
    assert result["health"] == "exec"  # run by the module: Docker's first check comes 30 s after the start
    assert gone(name)


def test_a_wrong_answer_is_named_with_both_values(image):
    result, name = smoke(image, "serve", expect_version="9.9.9")
    assert result["failed"]
    assert result["msg"] == '/version.json answers version="1.2.3", expected "9.9.9"'
    assert gone(name)


def test_a_container_that_stops_fails_at_once_with_its_exit_code_and_logs(image):
    result, name = smoke(image, "stop", timeout=60)
    assert result["failed"]
    assert result["msg"].startswith("the container did not answer /health: it stopped (exit code 3")
    assert "stopping on purpose" in result["logs"]
    assert result["seconds"] < 30  # not the 60 s timeout
    assert gone(name)


def test_an_app_that_never_answers_fails_after_a_fractional_timeout(image):
    result, name = smoke(image, "silent", timeout=2.5)
    assert result["failed"]
    assert result["msg"].startswith("/health did not answer 200 within 2.5 s")
    assert gone(name)
