#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: awscli_profiles
short_description: Write the AWS CLI's config and credentials files for their owner, in one module run
version_added: 0.3.0
description:
  - Looks up O(owner), ensures the profiles' directory (mode 0700) and writes the C(config) file and, when
    O(credentials) is given, the C(credentials) file (mode 0600), all owned by O(owner) and its primary group.
  - A file whose content, owner, group and mode are already as wanted is left alone; a changed one is replaced
    atomically.
  - The content comes rendered (the awscli role renders its templates on the controller); this module only places it,
    so the no-op path is one module run instead of a lookup, a directory and two templates.
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  owner:
    description: The user the directory and files belong to. Empty means the user the module runs as.
    type: str
    default: ""
  path:
    description: The profiles' directory. Empty means C(.aws) in the owner's home directory.
    type: path
    default: ""
  config:
    description: The C(config) file's content.
    type: str
    required: true
  credentials:
    description:
      - The C(credentials) file's content. Not given, the C(credentials) file is left as it is (absent or not).
      - Never logged, and never shown in a diff.
    type: str
attributes:
  check_mode:
    support: full
    description: Reports what it would write, and writes nothing.
  diff_mode:
    support: full
    description: Shows the C(config) file's lines and each file's owner, group and mode; of C(credentials), only that it changes.
  idempotent:
    support: full
    description: Writes nothing when the directory and files are as wanted.
"""

EXAMPLES = r"""
- name: Write the AWS CLI profiles
  devops.fargate.awscli_profiles:
    owner: deployer
    config: "{{ lookup('ansible.builtin.template', 'config.j2') }}"
    credentials: "{{ lookup('ansible.builtin.template', 'credentials.j2') }}"
"""

RETURN = r"""
path:
  description: The profiles' directory.
  type: str
  returned: success
  sample: /home/deployer/.aws
owner:
  description: The files' owner.
  type: str
  returned: success
  sample: deployer
changes:
  description: The paths this run created or changed (or would, in check mode), the directory included, in that order.
  type: list
  elements: str
  returned: success
  sample: [/home/deployer/.aws/config]
"""

import copy
import grp
import os
import pwd
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.devops.fargate.plugins.module_utils.awscli_profiles import DIRECTORY_MODE
from ansible_collections.devops.fargate.plugins.module_utils.awscli_profiles import FILE_MODE
from ansible_collections.devops.fargate.plugins.module_utils.awscli_profiles import PROFILES_OPTIONS
from ansible_collections.devops.fargate.plugins.module_utils.awscli_profiles import directory_as_wanted
from ansible_collections.devops.fargate.plugins.module_utils.awscli_profiles import file_as_wanted
from ansible_collections.devops.fargate.plugins.module_utils.awscli_profiles import owner_entry
from ansible_collections.devops.fargate.plugins.module_utils.awscli_profiles import profiles_path
from ansible_collections.devops.fargate.plugins.module_utils.awscli_profiles import read
from ansible_collections.devops.fargate.plugins.module_utils.awscli_profiles import state


def _group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def _shown(found: dict | None) -> str:
    if found is None:
        return "absent\n"
    try:
        user = pwd.getpwuid(found["uid"]).pw_name
    except KeyError:
        user = str(found["uid"])
    return f"owner: {user}\ngroup: {_group_name(found['gid'])}\nmode: '{found['mode']:04o}'\n"


class Profiles:
    def __init__(self, module: AnsibleModule, entry) -> None:
        self.module = module
        self.entry = entry
        self.uid, self.gid = entry.pw_uid, entry.pw_gid
        self.wanted = {"uid": self.uid, "gid": self.gid}
        self.changes: list[str] = []
        self.diffs: list[dict] = []

    def directory(self, path: str) -> None:
        found = state(path)
        if found is not None and not found["dir"]:
            self.module.fail_json(msg=f"awscli: the profiles' directory {path} exists and is not a directory.")
        if directory_as_wanted(found, self.entry):
            return
        self._record(path, found, DIRECTORY_MODE)
        if self.module.check_mode:
            return
        if found is None:
            os.makedirs(path, DIRECTORY_MODE)
        os.chown(path, self.uid, self.gid)
        os.chmod(path, DIRECTORY_MODE)

    def file(self, path: str, content: str, secret: bool = False) -> None:
        wanted = to_bytes(content)
        found, current = state(path), read(path)
        if found is not None and found["dir"]:
            self.module.fail_json(msg=f"awscli: {path} is a directory, not a file.")
        if file_as_wanted(found, current, wanted, self.entry):
            return
        self._record(path, found, FILE_MODE)
        if current != wanted:
            hidden = "(content not shown)\n"
            self.diffs.append({
                "before_header": path, "after_header": path,
                "before": "" if current is None else (hidden if secret else current.decode("utf-8", "replace")),
                "after": hidden if secret else content})
        if self.module.check_mode:
            return
        if current == wanted:
            os.chown(path, self.uid, self.gid)
            os.chmod(path, FILE_MODE)
            return
        directory = os.path.dirname(path)
        handle, scratch = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(wanted)
            os.chown(scratch, self.uid, self.gid)
            os.chmod(scratch, FILE_MODE)
            os.replace(scratch, path)
        except BaseException:
            if os.path.exists(scratch):
                os.unlink(scratch)
            raise

    def _record(self, path: str, found: dict | None, mode: int) -> None:
        self.changes.append(path)
        self.diffs.append({"before_header": f"{path} (attributes)", "after_header": f"{path} (attributes)",
                           "before": _shown(found), "after": _shown({**self.wanted, "mode": mode})})


def main() -> None:
    module = AnsibleModule(
        argument_spec=copy.deepcopy(PROFILES_OPTIONS),
        supports_check_mode=True,
    )
    owner = module.params["owner"]
    entry = owner_entry(owner)
    if entry is None:
        module.fail_json(msg=f"awscli: awscli_profiles_owner '{owner}' is not a user on this host.")
    path = profiles_path(entry, module.params["path"])
    if not os.path.isabs(path):
        module.fail_json(msg=f"awscli: the profiles' directory must be an absolute path (got '{path}').")
    profiles = Profiles(module, entry)
    profiles.directory(path)
    profiles.file(os.path.join(path, "config"), module.params["config"])
    if module.params["credentials"] is not None:
        profiles.file(os.path.join(path, "credentials"), module.params["credentials"], secret=True)
    result = {"changed": bool(profiles.changes), "path": path, "owner": entry.pw_name,
              "changes": profiles.changes}
    if module._diff and profiles.changes:
        result["diff"] = profiles.diffs
    module.exit_json(**result)


if __name__ == "__main__":
    main()
