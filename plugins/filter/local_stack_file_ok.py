# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: local_stack_file_ok
short_description: Whether one of the local_stack role's files is already as the role writes it
version_added: 0.3.0
description:
  - The local_stack role looks at its state directory once (M(devops.fargate.local_stack_info)), which returns each
    file's C(mode) as C(ls -l) shows it and the C(sha256) of its content. Given that and what a file must be, this
    filter says whether it is already so; a file that is is not written again, so a second run changes nothing.
  - The wanted O(content) is compared by its SHA-256 digest. The registry's htpasswd (O(htpasswd)) is compared by its
    entry for the user - a bcrypt hash at the wanted cost that the password verifies - since a new salt makes every
    hash different.
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  _input:
    description: The files as M(devops.fargate.local_stack_info) returns them (its RV(devops.fargate.local_stack_info#module:files)).
    type: dict
    required: true
  name:
    description: The file, by the name the module was given.
    type: str
    required: true
  mode:
    description: Its mode, as C(ls -l) shows it (such as C(-rw-r-----)).
    type: str
    required: true
  content:
    description: Its content.
    type: str
  htpasswd:
    description: For an htpasswd file, its C(text), the C(username), the C(password) and the bcrypt C(cost).
    type: dict
"""

EXAMPLES = r"""
- name: Record moto's environment, unless the file is already so
  ansible.builtin.copy:
    content: "{{ moto_env }}"
    dest: /var/lib/stack/moto.env
    mode: "0640"
  when: not probe.files | devops.fargate.local_stack_file_ok('moto.env', mode='-rw-r-----', content=moto_env)
"""

RETURN = r"""
_value:
  description: Whether the file is already as wanted.
  type: bool
"""

import hashlib

from ansible.errors import AnsibleFilterError

from ansible_collections.devops.fargate.plugins.module_utils.htpasswd import htpasswd_ok as _htpasswd_ok


def htpasswd_ok(text: str, username: str, password: str, cost: int) -> bool:
    """The file has an entry for ``username`` whose bcrypt hash is at ``cost`` and verifies ``password``."""
    try:
        return _htpasswd_ok(text, username, password, cost)
    except ImportError as e:
        raise AnsibleFilterError("local_stack_file_ok: comparing an htpasswd needs the bcrypt library on the controller") from e


def local_stack_file_ok(files: dict, name: str, mode: str, content: str | None = None, htpasswd: dict | None = None) -> bool:
    found = (files or {}).get(name) or {}
    if found.get("mode") != mode:
        return False
    if content is not None and found.get("sha256") != hashlib.sha256(str(content).encode()).hexdigest():
        return False
    if htpasswd is not None:
        try:
            return htpasswd_ok(htpasswd.get("text") or "", htpasswd["username"], htpasswd["password"], int(htpasswd["cost"]))
        except (AttributeError, KeyError, TypeError, ValueError) as e:
            raise AnsibleFilterError(f"local_stack_file_ok: htpasswd wants the file's text, a username, a password and a cost: {e!r}") from e
    return True


class FilterModule:
    def filters(self):
        return {"local_stack_file_ok": local_stack_file_ok}
