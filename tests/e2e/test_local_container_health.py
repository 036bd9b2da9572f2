"""devops.fargate.local_container_health on the Docker engine: the local run's wait ends as soon as the container's own
check passes, not one health-check interval after the start; a container that stops or that Docker declares unhealthy
fails the wait, naming why."""

from __future__ import annotations

import json
import socket
import subprocess
import uuid

import pytest

from devkit.helpers import run_playbook
from devkit.helpers import task_result

IMAGE = "devops-fargate/python-base:bookworm"  # local_stack's base image: here whenever deploy.yml can build


@pytest.fixture
def container():
    names = []

    def start(*args: str) -> str:
        name = f"health-{uuid.uuid4().hex[:8]}"
        names.append(name)
        subprocess.run(["docker", "run", "-d", "--name", name, *args], check=True, capture_output=True)
        return name

    yield start
    subprocess.run(["docker", "rm", "-f", *names], check=False, capture_output=True)


def wait(name: str, fails: bool = False, timeout: int = 30) -> dict:
    plays = [{"hosts": "localhost", "gather_facts": False,
              "tasks": [{"name": "wait", "devops.fargate.local_container_health": {"name": name, "timeout": timeout}}]}]
    return task_result(run_playbook(plays, expect_failure=fails), "wait")


def health_status(name: str) -> str:
    out = subprocess.run(["docker", "inspect", "--format", "{{json .State.Health}}", name], check=True, capture_output=True, text=True).stdout
    return json.loads(out)["Status"]


def test_a_check_that_passes_ends_the_wait_before_dockers_first_check(container):
    # Docker's first check would run 300 s after the start; the wait runs the check itself.
    name = container("--health-cmd", "python3 -c 'raise SystemExit(0)'", "--health-interval", "300s", IMAGE, "sleep", "600")
    result = wait(name)
    assert (result["status"], result["passed_by"], result["changed"]) == ("healthy", "exec", False)
    assert health_status(name) == "starting", "Docker has not run its first check yet: the module's own run passed"


def test_a_container_docker_declares_unhealthy_fails_with_its_checks_output(container):
    name = container("--health-cmd", "echo down-for-now; exit 1", "--health-interval", "1s", "--health-retries", "1", IMAGE, "sleep", "600")
    result = wait(name, fails=True)
    assert f"container {name} is not healthy: its health check failed (exit code 1: down-for-now)" == result["msg"]


def test_a_container_that_stops_fails_with_its_exit_code(container):
    name = container("--health-cmd", "true", "--health-interval", "300s", IMAGE, "sh", "-c", "exit 3")
    result = wait(name, fails=True)
    assert result["msg"] == f"container {name} is not healthy: it stopped (exit code 3)"


def test_a_container_without_a_check_is_healthy(container):
    name = container("--no-healthcheck", IMAGE, "sleep", "600")
    result = wait(name)
    assert (result["status"], result["passed_by"]) == ("healthy", "none")


def test_a_missing_container_is_named():
    result = wait("health-no-such-container", fails=True)
    assert result["msg"] == "container health-no-such-container does not exist"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def look(name: str, url: str | None = None, fails: bool = False, image: str | None = None) -> dict:
    args = {"name": name, "wait": False, **({"url": url} if url else {}), **({"image": image} if image else {})}
    plays = [{"hosts": "localhost", "gather_facts": False,
              "tasks": [{"name": "look", "devops.fargate.local_container_health": args}]}]
    return task_result(run_playbook(plays, expect_failure=fails), "look")


def serving(container, *health: str) -> tuple[str, int]:
    """A container serving HTTP on a port of its own (python's http.server: / answers 200, /missing 404)."""
    port = free_port()
    name = container("-p", f"127.0.0.1:{port}:8000", *health, IMAGE, "python3", "-m", "http.server", "--bind", "0.0.0.0", "8000")
    return name, port


def test_a_look_at_a_missing_container_reports_it_absent_without_failing():
    result = look("health-no-such-container", url="http://127.0.0.1:9/health")
    assert (result["exists"], result["container"], result["status"], result["changed"]) == (False, {}, "absent", False)
    assert result["answer"]["status"] == -1 and "absent" in result["answer"]["msg"]


def test_a_look_at_a_healthy_container_asks_its_url_once(container):
    name, port = serving(container, "--no-healthcheck")
    result = {}
    for _ in range(20):
        result = look(name, url=f"http://127.0.0.1:{port}/")
        if result["answer"]["status"] == 200:
            break
    assert (result["exists"], result["status"], result["answer"]["status"]) == (True, "healthy", 200)
    assert result["container"]["Name"] == f"/{name}" and result["container"]["State"]["Running"]


def test_a_look_at_a_container_still_starting_does_not_ask_its_url(container):
    name, port = serving(container, "--health-cmd", "true", "--health-interval", "300s")
    result = look(name, url=f"http://127.0.0.1:{port}/")
    assert (result["status"], result["answer"]["status"]) == ("starting", -1)
    assert result["answer"]["msg"] == "not asked: the container is starting"


def test_the_wait_goes_on_until_the_url_answers_200(container):
    # The check passes at once (exec), the server may take a moment to listen: the wait covers both.
    name, port = serving(container, "--health-cmd", "true", "--health-interval", "300s")
    plays = [{"hosts": "localhost", "gather_facts": False, "tasks": [{"name": "wait", "devops.fargate.local_container_health": {
        "name": name, "timeout": 30, "url": f"http://127.0.0.1:{port}/"}}]}]
    result = task_result(run_playbook(plays), "wait")
    assert (result["status"], result["passed_by"], result["answer"]["status"]) == ("healthy", "exec", 200)


def test_a_healthy_container_whose_url_does_not_answer_200_fails_naming_it(container):
    name, port = serving(container, "--no-healthcheck")
    url = f"http://127.0.0.1:{port}/missing"
    plays = [{"hosts": "localhost", "gather_facts": False, "tasks": [{"name": "wait", "devops.fargate.local_container_health": {
        "name": name, "timeout": 3, "url": url}}]}]
    result = task_result(run_playbook(plays, expect_failure=True), "wait")
    assert result["msg"].startswith(f"container {name} is healthy but {url} did not answer 200 within 3 seconds (")
    assert result["answer"]["status"] in (404, -1)


def test_a_look_says_whether_the_engine_has_an_image():
    assert look("health-no-such-container", image=IMAGE)["image_present"] is True
    assert look("health-no-such-container", image="devops-fargate/no-such-image:none")["image_present"] is False
    assert "image_present" not in look("health-no-such-container")
