"""Whether the local_stack role's files are already as it writes them, from what devops.fargate.local_stack_info found
(formerly Jinja in the role's vars/main.yml)."""

from __future__ import annotations

import hashlib

import bcrypt
import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.devops.fargate.plugins.filter.local_stack_file_ok import local_stack_file_ok

MOTO_ENV = "MOTO_ECS_SERVICE_RUNNING=1\n"
USER, PASSWORD = "AWS", "123456789012-auth-token"
# What devops.fargate.local_stack_info returns for the role's files (an absent one has neither mode nor digest).
PROBE = {
    ".": {"mode": "drwxr-x---", "sha256": None},
    "moto.env": {"mode": "-rw-r-----", "sha256": hashlib.sha256(MOTO_ENV.encode()).hexdigest()},
    "registry.yml": {"mode": None, "sha256": None},
    "registry.htpasswd": {"mode": "-rw-r-----", "sha256": "0" * 64},
}


def htpasswd(cost: int = 4, password: str = PASSWORD, user: str = USER) -> str:
    return f"{user}:" + bcrypt.hashpw(password.encode(), bcrypt.gensalt(cost)).decode()


def test_a_file_as_wanted_is_ok():
    assert local_stack_file_ok(PROBE, ".", mode="drwxr-x---")
    assert local_stack_file_ok(PROBE, "moto.env", mode="-rw-r-----", content=MOTO_ENV)


@pytest.mark.parametrize("name, mode, content", [
    ("moto.env", "-rw-r-----", "MOTO_ECS_SERVICE_RUNNING=0\n"),  # other content
    ("moto.env", "-rw-------", MOTO_ENV),  # other mode
    ("registry.yml", "-rw-r--r--", "version: 0.1\n"),  # not there
    ("absent.yml", "-rw-r-----", None),
])
def test_a_file_otherwise_is_not(name, mode, content):
    assert not local_stack_file_ok(PROBE, name, mode=mode, content=content)


def test_an_htpasswd_whose_entry_verifies_at_the_cost_is_ok_whatever_its_salt():
    wanted = {"text": "other:x\n" + htpasswd(), "username": USER, "password": PASSWORD, "cost": "4"}
    assert local_stack_file_ok(PROBE, "registry.htpasswd", mode="-rw-r-----", htpasswd=wanted)


@pytest.mark.parametrize("text", [htpasswd(cost=5), htpasswd(password="an-older-token"), htpasswd(user="someone"), "AWS:plain-text", ""])
def test_an_htpasswd_at_another_cost_for_another_password_or_user_is_not(text):
    wanted = {"text": text, "username": USER, "password": PASSWORD, "cost": 4}
    assert not local_stack_file_ok(PROBE, "registry.htpasswd", mode="-rw-r-----", htpasswd=wanted)


def test_an_htpasswd_without_its_login_fails_naming_what_it_wants():
    with pytest.raises(AnsibleFilterError, match="a username, a password and a cost"):
        local_stack_file_ok(PROBE, "registry.htpasswd", mode="-rw-r-----", htpasswd={"text": htpasswd()})
