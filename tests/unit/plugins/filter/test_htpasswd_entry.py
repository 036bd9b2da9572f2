"""The registry's htpasswd line for the ECR login, hashed with bcrypt (formerly password_hash('bcrypt'), which needs
passlib)."""

from __future__ import annotations

import re

import bcrypt
import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.devops.fargate.plugins.filter.htpasswd_entry import htpasswd_entry
from ansible_collections.devops.fargate.plugins.filter.local_stack_file_ok import local_stack_file_ok

USER, PASSWORD = "AWS", "123456789012-auth-token"


def test_the_line_is_the_user_and_a_bcrypt_hash_at_the_cost():
    line = htpasswd_entry(PASSWORD, USER, 4)
    user, hashed = line.split(":", 1)
    assert user == USER
    assert re.fullmatch(r"\$2b\$04\$[./A-Za-z0-9]{53}", hashed)
    assert bcrypt.checkpw(PASSWORD.encode(), hashed.encode())
    assert "\n" not in line


def test_the_role_finds_the_line_it_wrote_as_wanted():
    line = htpasswd_entry(PASSWORD, USER, "5")  # the role's cost may come as a string from the inventory
    files = {"registry.htpasswd": {"mode": "-rw-r-----", "sha256": "0" * 64}}
    login = {"text": line + "\n", "username": USER, "password": PASSWORD, "cost": 5}
    assert local_stack_file_ok(files, "registry.htpasswd", mode="-rw-r-----", htpasswd=login)
    assert not local_stack_file_ok(files, "registry.htpasswd", mode="-rw-r-----", htpasswd=dict(login, cost=4))


def test_each_line_has_its_own_salt():
    assert htpasswd_entry(PASSWORD, USER, 4) != htpasswd_entry(PASSWORD, USER, 4)


@pytest.mark.parametrize("user, cost, rule", [
    ("AWS:x", 4, "no ':' or newline"),
    ("AWS\nroot", 4, "no ':' or newline"),
    (USER, 3, "cost is 4 to 31"),
    (USER, 32, "cost is 4 to 31"),
])
def test_bad_input_is_refused_naming_the_rule_and_not_the_password(user, cost, rule):
    with pytest.raises(AnsibleFilterError, match=re.escape(rule)) as raised:
        htpasswd_entry(PASSWORD, user, cost)
    assert PASSWORD not in str(raised.value)
