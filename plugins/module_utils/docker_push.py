# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pushing an image from a Docker engine once and naming it under more tags by manifest: which tags a registry
already holds for the image, the credentials the engine pushes with, and what its push stream says."""

from __future__ import annotations

import base64
import json
from typing import Iterable


class PushError(Exception):
    """The engine's push stream reported an error."""


def registry_auth_header(registry: str, username: str, password: str) -> bytes:
    """The X-Registry-Auth header the engine pushes with: the credentials themselves, so no ``docker login`` (and
    no credentials file) is needed for the push. An empty one where there are none (Docker 28.3.3+ wants the header)."""
    auth = {"username": username, "password": password, "serveraddress": registry} if username or password else {}
    return base64.urlsafe_b64encode(json.dumps(auth).encode("ascii"))


def held_tags(found: dict, image_id: str, repo_digests: Iterable[str], tags: list[str]) -> list[str]:
    """The tags whose manifest (registry_image_info's ``found``) is this image's already: by its config digest (the
    image ID on Docker's classic store) or by a digest Docker recorded when it pushed it."""
    digests = set(repo_digests)
    return [tag for tag in tags if tag in found and (found[tag].get("config_digest") == image_id or found[tag].get("digest") in digests)]


def pushed_digest(lines: Iterable[dict]) -> str | None:
    """The manifest digest from a push's progress stream (its final ``aux`` record); raises PushError on an error
    record, as ``docker push`` fails on it."""
    digest = None
    for line in lines:
        if line.get("errorDetail") or line.get("error"):
            raise PushError((line.get("errorDetail") or {}).get("message") or line.get("error"))
        digest = (line.get("aux") or {}).get("Digest") or digest
    return digest
