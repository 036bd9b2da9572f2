# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: tree_digest
short_description: A content digest of files and directory trees
version_added: 0.1.0
description:
  - Returns one SHA-256 hex digest over the given files and the files below the given directories.
  - The digest covers each file's path relative to O(root), whether it is executable, and its bytes,
    in sorted path order, so it changes exactly when a file is added, removed, renamed, made executable
    or edited. Modification times and owners do not count.
  - Used as the key of an image build, so that an unchanged build context rebuilds nothing.
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  _terms:
    description: Files or directories, relative to O(root) or absolute.
    required: true
    type: list
    elements: path
  root:
    description: The directory relative paths are resolved against and digested relative to.
    type: path
    required: true
  exclude:
    description: Shell patterns matched against each path component; matching files and directories are skipped.
    type: list
    elements: str
    default: ["__pycache__", "*.pyc", ".pytest_cache"]
"""

EXAMPLES = r"""
- name: Key the build on the Dockerfile and the app sources
  ansible.builtin.set_fact:
    build_key: "{{ lookup('devops.fargate.tree_digest', 'deployments/Dockerfile', 'app/webapp', root=playbook_dir) }}"
"""

RETURN = r"""
_raw:
  description: One SHA-256 hex digest.
  type: list
  elements: str
"""

import fnmatch
import hashlib
import os

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

_CHUNK = 1 << 16


def _excluded(relpath: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(part, pattern) for part in relpath.split(os.sep) for pattern in patterns)


def iter_files(root: str, paths: list[str], exclude: list[str]) -> list[str]:
    """Every file named or below a named directory, as sorted paths relative to root."""
    found: set[str] = set()
    for path in paths:
        full = os.path.normpath(os.path.join(root, path))
        if os.path.isfile(full):
            rel = os.path.relpath(full, root)
            if not _excluded(rel, exclude):
                found.add(rel)
        elif os.path.isdir(full):
            for dirpath, dirnames, filenames in os.walk(full):
                dirnames[:] = [d for d in dirnames if not _excluded(d, exclude)]
                for name in filenames:
                    rel = os.path.relpath(os.path.join(dirpath, name), root)
                    if not _excluded(rel, exclude):
                        found.add(rel)
        else:
            raise AnsibleLookupError(f"tree_digest: {full} is neither a file nor a directory")
    return sorted(found)


def tree_digest(root: str, paths: list[str], exclude: list[str]) -> str:
    digest = hashlib.sha256()
    for rel in iter_files(root, paths, exclude):
        full = os.path.join(root, rel)
        executable = os.access(full, os.X_OK)
        digest.update(f"{rel}\0{int(executable)}\0{os.path.getsize(full)}\0".encode())
        with open(full, "rb") as handle:
            for chunk in iter(lambda: handle.read(_CHUNK), b""):
                digest.update(chunk)
    return digest.hexdigest()


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        root = self.get_option("root")
        if not os.path.isdir(root):
            raise AnsibleLookupError(f"tree_digest: root {root} is not a directory")
        return [tree_digest(root, list(terms), self.get_option("exclude"))]
