# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: htpasswd_entry
short_description: An htpasswd line for a login, its password hashed with bcrypt
version_added: 0.3.0
description:
  - The local_stack role gives its registry the ECR login as its only user. This filter makes that user's line of the
    registry's htpasswd file - C(username:bcrypt-hash), with a new salt each time - as C(htpasswd -B) would.
  - It hashes with the C(bcrypt) library directly. C(ansible.builtin.password_hash) needs passlib for bcrypt, and
    where passlib is installed Ansible imports it in the worker of every task that uses any builtin filter.
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  _input:
    description: The password.
    type: str
    required: true
  username:
    description: The user, without C(:) or a newline.
    type: str
    required: true
  cost:
    description: The bcrypt cost (log2 of its rounds), 4 to 31.
    type: int
    required: true
"""

EXAMPLES = r"""
- name: Give the registry one user
  ansible.builtin.copy:
    content: "{{ login.password | devops.fargate.htpasswd_entry(login.username, 10) }}\n"
    dest: /var/lib/stack/registry.htpasswd
    mode: "0640"
  no_log: true
"""

RETURN = r"""
_value:
  description: The line, without its newline.
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.devops.fargate.plugins.module_utils.htpasswd import htpasswd_entry as _htpasswd_entry


def htpasswd_entry(password: str, username: str, cost: int) -> str:
    try:
        return _htpasswd_entry(str(username), str(password), int(cost))
    except ImportError as e:
        raise AnsibleFilterError("htpasswd_entry: hashing with bcrypt needs the bcrypt library on the controller") from e
    except ValueError as e:
        raise AnsibleFilterError(f"htpasswd_entry: {e}") from e


class FilterModule:
    def filters(self):
        return {"htpasswd_entry": htpasswd_entry}
