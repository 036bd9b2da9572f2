"""The local_stack role's base image, built as a fresh machine builds it (base_image.yml: bootstrap Debian, import the
untrimmed root filesystem as the test image, trim it, import it as the base image), under names of this test's own:
what deploy.yml's build and the role tests need of the two images."""

from __future__ import annotations

import glob
import subprocess
import tempfile
import uuid

import pytest

from devkit.helpers import run_playbook

BASE_MB_MAX = 90  # the README says 78 MB


def docker(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=check, timeout=300)


def in_image(image: str, script: str) -> str:
    return docker("run", "--rm", "--network=none", image, "/bin/sh", "-c", script).stdout


@pytest.fixture(scope="module")
def images():
    tag = uuid.uuid4().hex[:8]
    names = {"base": f"e2e-base/python-base:{tag}", "test": f"e2e-base/debian:{tag}"}
    scratch = set(glob.glob(f"{tempfile.gettempdir()}/local-stack-base.*"))
    plays = [{"hosts": "localhost", "gather_facts": False, "tasks": [{
        "name": "build",
        "ansible.builtin.include_role": {"name": "devops.fargate.local_stack", "tasks_from": "base_image.yml"},
        "vars": {"local_stack_base_image": names["base"], "local_stack_test_image": names["test"], "__local_stack_images_present": []},
    }]}]
    try:
        report = run_playbook(plays, timeout=900)
        yield names, report, set(glob.glob(f"{tempfile.gettempdir()}/local-stack-base.*")) - scratch
    finally:
        docker("image", "rm", "-f", *names.values(), check=False)


def test_both_images_are_built_and_no_scratch_is_left(images):
    names, report, new_scratch = images
    assert report["stats"]["localhost"]["failures"] == 0
    for image in names.values():
        assert docker("image", "inspect", image, check=False).returncode == 0, image
    assert new_scratch == set()


def test_the_base_image_is_a_small_python_runtime(images):
    names, _, _ = images
    size_mb = int(docker("image", "inspect", "--format", "{{.Size}}", names["base"]).stdout) / 1e6
    assert size_mb <= BASE_MB_MAX
    config = docker("image", "inspect", "--format", "{{json .Config.Cmd}} {{range .Config.Env}}{{.}} {{end}}", names["base"]).stdout
    assert '["python3"]' in config and "LANG=C.UTF-8" in config and "PATH=/usr/local/sbin:" in config
    # What both stages of deployments/Dockerfile use: a venv with pip (ensurepip), TLS, the C extensions, useradd.
    out = in_image(names["base"], (
        "python3 -m venv /tmp/venv && /tmp/venv/bin/python -m pip --version >/dev/null && "
        "python3 -c 'import ssl, sqlite3, ctypes, zlib, json; ssl.create_default_context(); print(\"python ok\")' && "
        "command -v useradd groupadd >/dev/null && echo tools ok; "
        "command -v apt-get perl || echo trimmed"
    ))
    assert out.split() == ["python", "ok", "tools", "ok", "trimmed"]


def test_the_test_image_is_an_untrimmed_debian_with_apt_lists(images):
    names, _, _ = images
    # The merged /usr as debootstrap leaves it (usr-is-merged, not usrmerge and the perl it pulls in), and apt's lists
    # kept, so that a role test can install a package without updating first.
    packages = in_image(names["test"], "dpkg-query -W -f '${Package} ${db:Status-Status}\\n'")
    installed = {line.split()[0] for line in packages.splitlines() if line.endswith(" installed")}
    assert {"usr-is-merged", "apt", "dpkg", "python3", "python3-venv", "ca-certificates"} <= installed
    assert "usrmerge" not in installed
    assert in_image(names["test"], "test -L /bin && test -L /lib && echo merged").strip() == "merged"
    assert "Candidate:" in in_image(names["test"], "apt-cache policy python3")
