"""The local_stack role's look at the host: what os-release says of the Debian family, and how a pid file and a file's
state are read (the module as a whole runs in tests/e2e/test_local_stack_info.py)."""

from __future__ import annotations

import hashlib
import os
import subprocess

import pytest

from ansible_collections.devops.fargate.plugins.modules.local_stack_info import file_state
from ansible_collections.devops.fargate.plugins.modules.local_stack_info import host
from ansible_collections.devops.fargate.plugins.modules.local_stack_info import pid_alive


@pytest.mark.parametrize("os_release, debian_family", [
    ({"ID": "debian", "VERSION_ID": "12"}, True),
    ({"ID": "ubuntu", "ID_LIKE": "debian"}, True),
    ({"ID": "linuxmint", "ID_LIKE": "ubuntu debian"}, True),
    ({"ID": "pop", "ID_LIKE": "ubuntu debian"}, True),
    ({"ID": "fedora"}, False),
    ({"ID": "rocky", "ID_LIKE": "rhel centos fedora"}, False),
    ({"ID": "alpine"}, False),
    ({}, False),  # no os-release at all
])
def test_the_debian_family_by_os_release(os_release, debian_family):
    found = host(os_release)
    assert found["debian_family"] is debian_family
    assert found["os_id"] == os_release.get("ID", "")
    assert found["uid"] == os.geteuid()


def test_a_pid_file_naming_a_live_process_is_running(tmp_path):
    (tmp_path / "live.pid").write_text(f"{os.getpid()}\n")
    assert pid_alive(str(tmp_path / "live.pid"))


@pytest.mark.parametrize("content", [None, "", "not-a-pid\n", "0\n", "-1\n", "ended"])
def test_a_missing_empty_bad_or_ended_pid_file_is_not_running(tmp_path, content):
    if content == "ended":
        ended = subprocess.Popen(["true"])
        ended.wait()
        content = f"{ended.pid}\n"
    if content is not None:
        (tmp_path / "daemon.pid").write_text(content)
    assert not pid_alive(str(tmp_path / "daemon.pid"))


def test_a_files_mode_and_digest_and_an_absent_ones(tmp_path):
    (tmp_path / "moto.env").write_text("A=1\n")
    (tmp_path / "moto.env").chmod(0o640)
    assert file_state(str(tmp_path / "moto.env")) == {
        "mode": "-rw-r-----", "sha256": hashlib.sha256(b"A=1\n").hexdigest()}
    tmp_path.chmod(0o750)
    assert file_state(str(tmp_path)) == {"mode": "drwxr-x---", "sha256": None}
    assert file_state(str(tmp_path / "absent")) == {"mode": None, "sha256": None}
