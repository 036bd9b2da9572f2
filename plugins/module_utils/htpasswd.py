# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The local registry's htpasswd file: its entry for a login (the htpasswd_entry filter), and the file checked against a
login, shared by the local_stack_file_ok filter (on the controller) and local_stack_info (in its look, when moto already
runs). Both need the bcrypt library, imported on first use."""

from __future__ import annotations

import re

BCRYPT_HASH = re.compile(r"^\$2[aby]\$(?P<cost>[0-9]{2})\$[./A-Za-z0-9]{53}$")


def htpasswd_ok(text: str, username: str, password: str, cost: int) -> bool:
    """The file has an entry for ``username`` whose bcrypt hash is at ``cost`` and verifies ``password``. Needs the
    bcrypt library (ImportError without it)."""
    import bcrypt  # pylint: disable=import-outside-toplevel

    for line in (text or "").splitlines():
        user, hashed = line.partition(":")[::2]
        match = BCRYPT_HASH.match(hashed)
        if user == username and match:
            return int(match["cost"]) == int(cost) and bcrypt.checkpw(password.encode(), hashed.encode())
    return False


def htpasswd_entry(username: str, password: str, cost: int) -> str:
    """The htpasswd line (no newline) for ``username``: a bcrypt hash of ``password`` at ``cost``, with a new salt, as
    ``htpasswd -B`` writes it and :func:`htpasswd_ok` accepts. Needs the bcrypt library (ImportError without it)."""
    import bcrypt  # pylint: disable=import-outside-toplevel

    if ":" in username or "\n" in username:
        raise ValueError(f"a username for htpasswd has no ':' or newline: {username!r}")
    if not 4 <= int(cost) <= 31:
        raise ValueError(f"the bcrypt cost is 4 to 31, not {cost}")
    return f"{username}:" + bcrypt.hashpw(password.encode(), bcrypt.gensalt(int(cost))).decode()
