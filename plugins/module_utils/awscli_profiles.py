# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWS CLI's profile files as the awscli role wants them: the directory (0700) and the config and credentials
files (0600), owned by their owner and its primary group. Read here, shared by awscli_profiles (which writes them) and
awscli_info (which says, before anything is written, whether a write would change anything)."""

from __future__ import annotations

import os
import pwd
import stat

DIRECTORY_MODE = 0o700
FILE_MODE = 0o600

# awscli_profiles' options, which awscli_info's profiles option takes too.
PROFILES_OPTIONS = {
    "owner": {"type": "str", "default": ""},
    "path": {"type": "path", "default": ""},
    "config": {"type": "str", "required": True},
    "credentials": {"type": "str", "no_log": True},
}


def owner_entry(owner: str):
    """The passwd entry of ``owner`` (a name, or empty for the current user), or None when there is no such user."""
    try:
        return pwd.getpwnam(owner) if owner else pwd.getpwuid(os.geteuid())
    except KeyError:
        return None


def profiles_path(entry, path: str) -> str:
    """The profiles' directory: ``path``, or ``.aws`` in the owner's home directory when it is empty."""
    return path or os.path.join(entry.pw_dir, ".aws")


def state(path: str) -> dict | None:
    """Owner, group and mode of ``path``, or None when it does not exist."""
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        return None
    return {"uid": found.st_uid, "gid": found.st_gid, "mode": stat.S_IMODE(found.st_mode), "dir": stat.S_ISDIR(found.st_mode)}


def read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except (FileNotFoundError, IsADirectoryError):
        return None


def attributes_wrong(found: dict | None, entry, mode: int) -> bool:
    return found is None or (found["uid"], found["gid"], found["mode"]) != (entry.pw_uid, entry.pw_gid, mode)


def directory_as_wanted(found: dict | None, entry) -> bool:
    """The directory (its ``state``) is one, owned by ``entry`` and its group, at mode 0700."""
    return found is not None and found["dir"] and not attributes_wrong(found, entry, DIRECTORY_MODE)


def file_as_wanted(found: dict | None, current: bytes | None, wanted: bytes, entry) -> bool:
    """The file (its ``state`` and content) holds ``wanted``, owned by ``entry`` and its group, at mode 0600."""
    return current == wanted and not attributes_wrong(found, entry, FILE_MODE)


def pending(entry, path: str, config: bytes, credentials: bytes | None) -> list[str]:
    """The paths a write would create or change (the directory, config, credentials), in that order; [] when every one
    is as wanted. ``credentials`` None leaves that file out, as the write does."""
    changes = [] if directory_as_wanted(state(path), entry) else [path]
    files = {"config": config} if credentials is None else {"config": config, "credentials": credentials}
    for name, wanted in files.items():
        file_path = os.path.join(path, name)
        if not file_as_wanted(state(file_path), read(file_path), wanted, entry):
            changes.append(file_path)
    return changes
