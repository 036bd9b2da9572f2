# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: awscli_version
short_description: What an installed AWS CLI is, and whether it must be installed or updated
version_added: 0.1.0
description:
  - Reads the output of C(aws --version), for example C(aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64.debian.12),
    and compares the version it names with the wanted one.
  - The input is the registered result of the command that ran C(aws --version), or its output as a string.
    A result that failed (the command is missing) or was skipped means no AWS CLI is installed.
  - The decision is V(none) when the installed version is the wanted one, or when any version will do and one is installed;
    V(install) when none is installed; V(update) when another version is installed.
  - AWS CLI version 1 gets an end-of-support warning, whatever the wanted version.
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  _input:
    description:
      - The registered result of C(aws --version) (its C(stdout) and C(stderr) are read; version 1 prints to stderr
        on old Pythons), or that output as a string.
    type: raw
    required: true
  wanted:
    description:
      - The wanted version, C(MAJOR.MINOR.PATCH). Empty means any installed version will do.
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: Ask the AWS CLI for its version
  ansible.builtin.command:
    argv: [/usr/local/bin/aws, --version]
  register: aws_version
  changed_when: false
  failed_when: false

- name: Install or update only when needed
  ansible.builtin.debug:
    msg: "{{ (aws_version | devops.fargate.awscli_version(wanted='2.15.30')).action }}"

# "aws-cli/1.36.0 Python/3.11.2 Linux/6.1.0 botocore/1.35.0" | devops.fargate.awscli_version
# => {found: true, version: 1.36.0, major: 1, python: 3.11.2, installer: "", wanted: "",
#     action: none, end_of_support_warning: "AWS CLI version 1 ..."}
"""

RETURN = r"""
_value:
  description: What was found and what to do.
  type: dict
  contains:
    found:
      description: Whether the output names an AWS CLI version.
      type: bool
    version:
      description: The installed version, empty when none was found.
      type: str
    major:
      description: The installed major version, 0 when none was found.
      type: int
    python:
      description: The Python the AWS CLI runs on, as it reports it.
      type: str
    installer:
      description:
        - How version 2 was built, as it reports it; V(exe) for AWS's own installer, V(source) for a
          distribution's package. Empty for version 1.
      type: str
    wanted:
      description: The wanted version, as given.
      type: str
    action:
      description: V(none), V(install) or V(update).
      type: str
    end_of_support_warning:
      description: A warning when the installed version is AWS CLI version 1, empty otherwise.
      type: str
"""

import re
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

_VERSION_RE = re.compile(r"(?:^|\s)aws-cli/(?P<version>\d+\.\d+\.\d+)(?=\s|$)")
_PYTHON_RE = re.compile(r"\sPython/(?P<python>\S+)")
_INSTALLER_RE = re.compile(r"\s(?P<installer>exe|source)/\S+")
_WANTED_RE = re.compile(r"^\d+\.\d+\.\d+$")

END_OF_SUPPORT_WARNING = (
    "AWS CLI version 1 ({version}) is installed. AWS CLI v1 reaches end of support in July 2027: "
    "plan the move to version 2 (awscli_install_method: official)."
)


def _output_of(result: object) -> str:
    """The text aws --version printed, or '' when it did not run or failed."""
    if result is None:
        return ""
    if isinstance(result, Mapping):
        if result.get("skipped") or result.get("failed") or result.get("rc", 0) != 0:
            return ""
        return f"{result.get('stdout', '')}\n{result.get('stderr', '')}"
    if isinstance(result, str):
        return result
    raise AnsibleFilterError(f"awscli_version: expected a registered command result or a string, got {type(result).__name__}")


def _as_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def parse_aws_version(output: str) -> dict[str, object]:
    """The version facts in aws --version output; found is False when it names none."""
    version_match = _VERSION_RE.search(output)
    if not version_match:
        return {"found": False, "version": "", "major": 0, "python": "", "installer": ""}
    python_match = _PYTHON_RE.search(output)
    installer_match = _INSTALLER_RE.search(output)
    version = version_match.group("version")
    return {
        "found": True,
        "version": version,
        "major": _as_tuple(version)[0],
        "python": python_match.group("python") if python_match else "",
        "installer": installer_match.group("installer") if installer_match else "",
    }


def install_action(installed: str, wanted: str) -> str:
    """none, install or update: what brings the installed version to the wanted one."""
    if wanted and not _WANTED_RE.match(wanted):
        raise AnsibleFilterError(f"awscli_version: wanted must be MAJOR.MINOR.PATCH or empty, got '{wanted}'")
    if not installed:
        return "install"
    if not wanted or _as_tuple(installed) == _as_tuple(wanted):
        return "none"
    return "update"


def awscli_version(result: object, wanted: str = "") -> dict[str, object]:
    wanted = "" if wanted is None else str(wanted).strip()
    facts = parse_aws_version(_output_of(result))
    facts["wanted"] = wanted
    facts["action"] = install_action(str(facts["version"]), wanted)
    facts["end_of_support_warning"] = END_OF_SUPPORT_WARNING.format(version=facts["version"]) if facts["major"] == 1 else ""
    return facts


class FilterModule:
    def filters(self):
        return {"awscli_version": awscli_version}
