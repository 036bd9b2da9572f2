#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: awscli_info
short_description: Ask an AWS CLI which version it is, and whether its links point at it, in one module run
version_added: 0.3.0
description:
  - Runs C(O(command) --version) and returns its exit code and output in RV(answer), as M(ansible.builtin.command)
    would (the P(devops.fargate.awscli_version#filter) filter reads either). A missing command is no failure; its
    exit code is then 127.
  - Reads each of O(links) and names in RV(links_wrong) those that are not a symbolic link to the path wanted.
  - Given O(profiles), says in RV(profiles_pending) what M(devops.fargate.awscli_profiles) given the same would
    create or change, so that a run with nothing to change need not run it.
  - Changes nothing.
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  command:
    description: The C(aws) to ask, an absolute path.
    type: path
    required: true
  links:
    description: Symbolic links to check, each link's path to the path it must point at.
    type: dict
    default: {}
  profiles:
    description:
      - The profiles M(devops.fargate.awscli_profiles) would write, with its options' meaning. Not given, they are
        not read, and RV(profiles_pending) is null.
    type: dict
    suboptions:
      owner:
        description: As M(devops.fargate.awscli_profiles)'s O(devops.fargate.awscli_profiles#module:owner).
        type: str
        default: ""
      path:
        description: As M(devops.fargate.awscli_profiles)'s O(devops.fargate.awscli_profiles#module:path).
        type: path
        default: ""
      config:
        description: As M(devops.fargate.awscli_profiles)'s O(devops.fargate.awscli_profiles#module:config).
        type: str
        required: true
      credentials:
        description:
          - As M(devops.fargate.awscli_profiles)'s O(devops.fargate.awscli_profiles#module:credentials); not given,
            that file is not looked at.
        type: str
attributes:
  check_mode:
    support: full
    description: Runs in check mode as in a real run; it only reads.
  diff_mode:
    support: none
    description: Changes nothing.
  idempotent:
    support: full
    description: Changes nothing.
"""

EXAMPLES = r"""
- name: Ask the AWS CLI which version it is
  devops.fargate.awscli_info:
    command: /opt/aws-cli/bin/aws
    links:
      /usr/local/bin/aws: /opt/aws-cli/bin/aws
  register: probe
"""

RETURN = r"""
answer:
  description:
    - What C(--version) answered, as M(ansible.builtin.command) would return it (the
      P(devops.fargate.awscli_version#filter) filter reads it) - kept apart, so a missing or broken AWS CLI is an
      answer, not a failed task.
  type: dict
  returned: always
  contains:
    rc:
      description: The exit code; 127 when the command is missing.
      type: int
      sample: 0
    stdout:
      description: Its standard output.
      type: str
      sample: aws-cli/2.36.11 Python/3.13.11 Linux/6.1.0 exe/x86_64.debian.12
    stderr:
      description: Its standard error.
      type: str
      sample: ""
    msg:
      description: Why it did not run, when it did not.
      type: str
      sample: ""
links_wrong:
  description: The paths of O(links) that are missing or point elsewhere.
  type: list
  elements: str
  returned: always
  sample: [/usr/local/bin/aws]
profiles_pending:
  description:
    - The paths of O(profiles) that M(devops.fargate.awscli_profiles) would create or change (the directory, then
      the files); empty when all are as wanted. When the owner is not a user or the path is not absolute, that name
      or path, so that the write runs and fails naming it. Null without O(profiles).
  type: list
  elements: str
  returned: always
  sample: [/root/.aws/config]
"""

import copy
import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.devops.fargate.plugins.module_utils.awscli_profiles import PROFILES_OPTIONS
from ansible_collections.devops.fargate.plugins.module_utils.awscli_profiles import owner_entry
from ansible_collections.devops.fargate.plugins.module_utils.awscli_profiles import pending
from ansible_collections.devops.fargate.plugins.module_utils.awscli_profiles import profiles_path


def links_wrong(links: dict) -> list[str]:
    """The paths of ``links`` (link path to target) that are not a symbolic link to their target."""
    wrong = []
    for path, target in links.items():
        try:
            if os.readlink(path) != target:
                wrong.append(path)
        except OSError:
            wrong.append(path)
    return wrong


def profiles_pending(profiles: dict | None) -> list[str] | None:
    """What awscli_profiles would create or change, given the same options; None when not asked."""
    if profiles is None:
        return None
    entry = owner_entry(profiles["owner"])
    if entry is None:
        return [profiles["owner"]]
    path = profiles_path(entry, profiles["path"])
    if not os.path.isabs(path):
        return [path]
    credentials = None if profiles["credentials"] is None else to_bytes(profiles["credentials"])
    return pending(entry, path, to_bytes(profiles["config"]), credentials)


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "command": {"type": "path", "required": True},
            "links": {"type": "dict", "default": {}},
            "profiles": {"type": "dict", "options": copy.deepcopy(PROFILES_OPTIONS)},
        },
        supports_check_mode=True,
    )
    command = module.params["command"]
    result = {"changed": False, "links_wrong": links_wrong(module.params["links"]), "cmd": [command, "--version"],
              "profiles_pending": profiles_pending(module.params["profiles"])}
    if not os.access(command, os.X_OK):
        module.exit_json(answer={"rc": 127, "stdout": "", "stderr": "", "msg": f"{command}: not found or not executable"}, **result)
    rc, stdout, stderr = module.run_command([command, "--version"])
    module.exit_json(answer={"rc": rc, "stdout": stdout.strip(), "stderr": stderr.strip(), "msg": ""}, **result)


if __name__ == "__main__":
    main()
