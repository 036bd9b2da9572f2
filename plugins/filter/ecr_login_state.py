# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: ecr_login_state
short_description: Whether the ecr role can reuse its recorded registry login, and the login in use
version_added: 0.2.0
description:
  - The ecr role keeps, beside the Docker config, a record of its last login (no secret in it; the registry, the user,
    the expiry and a digest of the Docker config's auth entry, so that a changed entry is noticed). A recorded login
    with more than O(_input.min_validity) seconds left, whose auth entry is still in the Docker config, is reused; no
    token is fetched and docker login is not run again.
  - With a token just fetched (O(_input.token)), the login in use is the token's, and docker login is needed unless
    the Docker config's entry for the registry is that login already.
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  _input:
    description: The inputs.
    type: dict
    required: true
    suboptions:
      record:
        description: The login record (an absent file reads as an empty dict).
        type: dict
      docker_config:
        description: The Docker config (an absent file reads as an empty dict).
        type: dict
      registry_override:
        description: The registry to use instead of the token's (the local stack's).
        type: str
      min_validity:
        description: Seconds a recorded login must have left to be reused.
        type: int
      now:
        description: The time, in seconds since the epoch.
        type: int
      token:
        description: ecr_auth_token_info's result, when it ran; skipped or missing when it did not.
        type: dict
"""

EXAMPLES = r"""
- name: Get an ECR login token unless the recorded login is still good
  devops.fargate.ecr_auth_token_info:
  register: token
  when: not (inputs | devops.fargate.ecr_login_state).recorded_valid
"""

RETURN = r"""
_value:
  description: The login's state.
  type: dict
  contains:
    recorded_valid: {description: The recorded login can be reused., type: bool}
    fetched: {description: A token was fetched., type: bool}
    registry: {description: The registry logged in to., type: str}
    username: {description: Its user., type: str}
    password: {description: Its password (a secret; use it in no_log tasks only)., type: str}
    login_needed: {description: docker login must run (a token was fetched, and the Docker config does not hold it)., type: bool}
    new_record: {description: The record to write for a fetched token., type: dict}
"""

import base64
import hashlib
from datetime import datetime

from ansible.errors import AnsibleFilterError


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _auth(config: dict, registry: str | None) -> str:
    return ((config.get("auths") or {}).get(registry) or {}).get("auth") or "" if registry else ""


def _epoch(expires_at: str) -> int:
    """ecr_auth_token_info's expires_at (ISO 8601, with an offset) in seconds since the epoch."""
    return int(datetime.fromisoformat(expires_at).timestamp())


def ecr_login_state(given) -> dict:
    if not isinstance(given, dict):
        raise AnsibleFilterError(f"ecr_login_state: expects a dict, got {type(given).__name__}")
    record, config = given.get("record") or {}, given.get("docker_config") or {}
    override = given.get("registry_override") or ""
    token = given.get("token") or {}
    fetched = bool(token) and not token.get("skipped")
    recorded_auth = _auth(config, record.get("registry"))
    recorded_valid = bool(
        record.get("registry")
        and (not override or record["registry"] == override)
        and int(record.get("expires_epoch") or 0) - int(given.get("now") or 0) > int(given.get("min_validity") or 0)
        and recorded_auth
        and _sha256(recorded_auth) == record.get("auth_sha256", "")
    )
    if fetched:
        registry, username, password = override or token.get("registry"), token.get("username", ""), token.get("password", "")
    else:
        registry = override or record.get("registry")
        username, password = (base64.b64decode(recorded_auth).decode().split(":", 1) + [""])[:2] if recorded_auth else ("", "")
    new_record = {}
    if fetched:
        new_record = {
            "registry": registry,
            "username": username,
            "expires_at": token.get("expires_at", ""),
            "expires_epoch": _epoch(token["expires_at"]) if token.get("expires_at") else 0,
            "auth_sha256": _sha256(base64.b64encode(f"{username}:{password}".encode()).decode()),
        }
    config_auth = _auth(config, registry)
    return {
        "recorded_valid": recorded_valid,
        "fetched": fetched,
        "registry": registry,
        "username": username,
        "password": password,
        "login_needed": fetched and not (config_auth and _sha256(config_auth) == new_record["auth_sha256"]),
        "new_record": new_record,
    }


class FilterModule:
    def filters(self):
        return {"ecr_login_state": ecr_login_state}
