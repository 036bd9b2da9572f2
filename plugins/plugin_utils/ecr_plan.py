# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ecr_push action's decisions, as pure functions: which recorded registry login is reused and which login is in
use (login_state), and which of an image's tags are current, to push, protected or conflicting (tag_plan)."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import datetime


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def config_auth(config: dict, registry: str | None) -> str:
    """The Docker config's auth entry (base64 of user:password) for the registry; empty when it has none."""
    return ((config.get("auths") or {}).get(registry) or {}).get("auth") or "" if registry else ""


def split_auth(auth: str) -> tuple[str, str]:
    """A Docker config auth entry as (user, password)."""
    return tuple((base64.b64decode(auth).decode().split(":", 1) + [""])[:2]) if auth else ("", "")


def login_record_name(repository_uri: str) -> str:
    """The login record's file name: one record per registry (the repository URI's host names account and region)."""
    return f"devops-fargate-ecr-login-{hashlib.sha1(repository_uri.split('/')[0].encode()).hexdigest()[:12]}.json"


def _epoch(expires_at: str) -> int:
    """ecr_auth_token_info's expires_at (ISO 8601, with an offset) in seconds since the epoch."""
    return int(datetime.fromisoformat(expires_at).timestamp())


def login_state(record: dict, docker_config: dict, registry_override: str, min_validity: int, now: int, token: dict | None = None) -> dict:
    """Whether the recorded login can be reused, and the login in use.

    The record (beside the Docker config; no secret in it: the registry, the user, the expiry and a digest of the Docker
    config's auth entry, so that a changed entry is noticed) is reused while it has more than ``min_validity`` seconds
    left and its auth entry is still in the Docker config. With a token just fetched (ecr_auth_token_info's result), the
    login in use is the token's, and docker login is needed unless the Docker config's entry is that login already.

    A token whose expiry had already passed when it was fetched (moto hands out tokens that expire in 2015; ECR's last
    12 hours) says nothing of how long it lasts: its record is marked ``expiry_unknown`` and reused like one with time
    left, the caller fetching a new token when the registry refuses it (``expiry_unknown`` in the result)."""
    record, config, token = record or {}, docker_config or {}, token or {}
    recorded_auth = config_auth(config, record.get("registry"))
    recorded_valid = bool(
        record.get("registry")
        and (not registry_override or record["registry"] == registry_override)
        and (record.get("expiry_unknown") or int(record.get("expires_epoch") or 0) - int(now or 0) > int(min_validity or 0))
        and recorded_auth
        and sha256(recorded_auth) == record.get("auth_sha256", "")
    )
    fetched = bool(token)
    if fetched:
        registry, username, password = registry_override or token.get("registry"), token.get("username", ""), token.get("password", "")
    else:
        registry = registry_override or record.get("registry")
        username, password = split_auth(recorded_auth)
    new_record = {}
    if fetched:
        new_record = {
            "registry": registry,
            "username": username,
            "expires_at": token.get("expires_at", ""),
            "expires_epoch": _epoch(token["expires_at"]) if token.get("expires_at") else 0,
            "auth_sha256": sha256(base64.b64encode(f"{username}:{password}".encode()).decode()),
        }
        if new_record["expires_epoch"] <= int(now or 0):
            new_record["expiry_unknown"] = True
    held = config_auth(config, registry)
    return {
        "recorded_valid": recorded_valid,
        "expiry_unknown": bool(record.get("expiry_unknown")) and recorded_valid and not fetched,
        "fetched": fetched,
        "registry": registry,
        "username": username,
        "password": password,
        "login_needed": fetched and not (held and sha256(held) == new_record["auth_sha256"]),
        "new_record": new_record,
    }


def protected_tags(tags: list[str], mutability: str | None, exclusion_filters: list[str] | None) -> list[str]:
    """The tags a repository's mutability keeps from moving (ECR's exclusion filters are wildcards)."""
    excluded = []
    if exclusion_filters:
        pattern = re.compile("^(" + "|".join(re.escape(f).replace(r"\*", ".*") for f in exclusion_filters) + ")$")
        excluded = [tag for tag in tags if pattern.match(tag)]
    if mutability == "IMMUTABLE":
        return list(tags)
    if mutability == "IMMUTABLE_WITH_EXCLUSION":
        return [tag for tag in tags if tag not in excluded]
    if mutability == "MUTABLE_WITH_EXCLUSION":
        return excluded
    return []


def tag_plan(given: dict) -> dict:
    """The push plan, from what the registry says each tag points at and what the Docker engine says of the image.

    ``given``: ``tags`` (the version's, ``image_tag``, first), ``source_image`` (empty to promote), ``remote``
    (registry_image_info's ``found``) and ``remote_image`` (its ``image``), ``image`` (docker_image_info's answer for the
    source image: ``Id``, ``RepoDigests``), ``repository_uri``, ``mutability`` and ``exclusion_filters``,
    ``promote_any_tag``. A tag is current when the registry's manifest is this image's, by its config digest (the image
    ID on Docker's classic store), by a repo digest Docker recorded when it pushed the image, or, for a promoted image
    (no source image, and the registry holds the version's tag, built elsewhere), by the digest of the version's tag.
    A tag to push that points elsewhere and that the repository's mutability protects is conflicting."""
    tags, image_tag = list(given.get("tags") or []), given.get("image_tag")
    remote = given.get("remote") or {}
    image = given.get("image") or {}
    remote_digest = {tag: found.get("digest") for tag, found in remote.items()}
    remote_config = {tag: found.get("config_digest", "") for tag, found in remote.items()}
    prefix = f"{given.get('repository_uri', '')}@"
    repo_digests = [reference.rsplit("@", 1)[1] for reference in image.get("RepoDigests") or [] if reference.startswith(prefix)]
    promoted = not given.get("source_image") and image_tag in remote_digest
    promoted_digest = remote_digest[image_tag] if promoted else ""
    ours = {tag for tag, config in remote_config.items() if config == image.get("Id", "none")}
    ours |= {tag for tag, digest in remote_digest.items() if digest in repo_digests or (promoted and digest == promoted_digest)}
    current = [tag for tag in tags if tag in ours]
    to_push = [tag for tag in tags if tag not in ours]
    immutable = protected_tags(tags, given.get("mutability"), given.get("exclusion_filters"))
    remote_image = given.get("remote_image")
    may_promote = remote_image and (image_tag in immutable or given.get("promote_any_tag"))
    return {
        "remote_digest": remote_digest,
        "remote_config": remote_config,
        "image_repo_digests": repo_digests,
        "promoted": promoted,
        "promoted_digest": promoted_digest,
        "current": current,
        "to_push": to_push,
        "immutable": immutable,
        "conflicting": [tag for tag in to_push if tag in remote_digest and tag in immutable],
        "found_image": dict(remote_image, tag=image_tag) if may_promote else {},
    }
