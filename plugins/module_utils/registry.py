# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A registry's v2 API (ECR's, or a stand-in): what each tag or digest points at, the image's platform, and a
retag that copies a manifest's exact bytes under more tags. Pure parsing apart from the small HTTP helpers."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from typing import Callable

# Manifest types a registry may answer with: single-platform manifests and multi-platform indexes.
MANIFEST_TYPES = (
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
)
INDEX_TYPES = (
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.index.v1+json",
)
ACCEPT = ", ".join(MANIFEST_TYPES + INDEX_TYPES)
DIGEST_PATTERN = re.compile(r"sha256:[0-9a-f]{64}")

# Docker/OCI architecture names (GOARCH) to ECS runtimePlatform.cpuArchitecture, and to the
# manylinux wheel platform pip downloads for. uname -m and macOS spellings are accepted too.
_ARCH_ALIASES = {"amd64": "amd64", "x86_64": "amd64", "x86-64": "amd64", "arm64": "arm64", "aarch64": "arm64"}
_ECS_ARCHITECTURE = {"amd64": "X86_64", "arm64": "ARM64"}
_WHEEL_MACHINE = {"amd64": "x86_64", "arm64": "aarch64"}


class RegistryError(Exception):
    """The registry answered something other than the image or 404 (its HTTP ``status``), or did not answer."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def normalize_architecture(architecture: str) -> str:
    """``amd64`` or ``arm64`` from any usual spelling (GOARCH, uname -m, an ECS value, ``linux/arm64/v8``)."""
    name = str(architecture or "").strip().lower()
    if "/" in name:
        name = name.split("/")[1]
    if name not in _ARCH_ALIASES:
        raise ValueError(f"unsupported architecture {architecture!r}: amd64 (x86_64, X86_64) or arm64 (aarch64, ARM64)")
    return _ARCH_ALIASES[name]


def ecs_cpu_architecture(architecture: str) -> str:
    """ECS's ``X86_64`` or ``ARM64`` for an image architecture."""
    return _ECS_ARCHITECTURE[normalize_architecture(architecture)]


def wheel_platform(architecture: str, policy: str = "manylinux2014") -> str:
    """The pip ``--platform`` for Linux wheels of that architecture, e.g. ``manylinux2014_aarch64``."""
    return f"{policy}_{_WHEEL_MACHINE[normalize_architecture(architecture)]}"


def decode_authorization_token(token: str) -> tuple[str, str]:
    """Split an ECR authorization token (base64 of ``user:password``) into its parts."""
    try:
        decoded = base64.b64decode(token, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as e:
        raise ValueError("the authorization token is not valid base64 text") from e
    username, sep, password = decoded.partition(":")
    if not sep or not username or not password:
        raise ValueError("the authorization token does not decode to user:password")
    return username, password


def basic_auth(username: str, password: str) -> dict:
    if not username:
        return {}
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def is_digest(reference: str) -> bool:
    return bool(DIGEST_PATTERN.fullmatch(reference or ""))


def manifest_summary(body: bytes, media_type: str | None, digest: str) -> dict:
    """What a GET of /v2/<name>/manifests/<ref> tells: digest, type, config digest or the index's platforms."""
    try:
        document = json.loads(body)
    except ValueError as e:
        raise RegistryError(f"the manifest {digest} is not JSON") from e
    kind = media_type or document.get("mediaType") or ""
    summary: dict = {"digest": digest, "media_type": kind, "config_digest": None, "platforms": []}
    if kind in INDEX_TYPES or "manifests" in document:
        summary["platforms"] = [
            {"architecture": m.get("platform", {}).get("architecture"), "os": m.get("platform", {}).get("os"), "digest": m.get("digest")}
            for m in document.get("manifests") or []
            if m.get("platform", {}).get("architecture") not in (None, "unknown")
        ]
    else:
        summary["config_digest"] = (document.get("config") or {}).get("digest")
    return summary


def config_summary(body: bytes) -> dict:
    """The image config's platform and labels."""
    try:
        document = json.loads(body)
    except ValueError as e:
        raise RegistryError("the image config is not JSON") from e
    return {
        "architecture": document.get("architecture"),
        "os": document.get("os"),
        "labels": (document.get("config") or {}).get("Labels") or {},
    }


def image_architectures(summary: dict, config: dict | None) -> list[str]:
    """The architectures an image runs on: the config's, or every Linux platform of an index."""
    if summary.get("platforms"):
        return [p["architecture"] for p in summary["platforms"] if p.get("os") in (None, "linux")]
    return [config["architecture"]] if config and config.get("architecture") else []


def pick_ecs_architecture(architectures: list[str], wanted: str | None = None) -> str | None:
    """The cpuArchitecture to run an image on: the wanted one if the image has it, else the image's only one
    (X86_64 first for a multi-platform image). None when the image names no architecture we know."""
    known = []
    for name in architectures:
        try:
            known.append(ecs_cpu_architecture(name))
        except ValueError:
            continue
    if wanted and wanted in known:
        return wanted
    if "X86_64" in known:
        return "X86_64"
    return known[0] if known else None


# ---------------------------------------------------------------------------------------------
# HTTP: ``fetch(method, url, headers, body) -> (status, headers, body)`` is injected (the module
# passes ansible's open_url), so the logic above and below is tested without a network.
# ---------------------------------------------------------------------------------------------

Fetch = Callable[[str, str, dict, "bytes | None"], "tuple[int, dict, bytes]"]


def _header(headers: dict, name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def get_manifest(fetch: Fetch, api: str, repository: str, reference: str, auth: dict) -> tuple[dict, bytes] | None:
    """The manifest a tag or digest points at (summary, raw bytes), or None when the registry has no such reference."""
    url = f"{api}/{repository}/manifests/{reference}"
    status, headers, body = fetch("GET", url, dict(auth, Accept=ACCEPT), None)
    if status == 404:
        return None
    if status != 200:
        raise RegistryError(f"GET {url} answered {status}", status=status)
    digest = _header(headers, "Docker-Content-Digest")
    if not digest:
        digest = "sha256:" + hashlib.sha256(body).hexdigest()
    return manifest_summary(body, (_header(headers, "Content-Type") or "").split(";")[0].strip() or None, digest), body


def get_config(fetch: Fetch, api: str, repository: str, config_digest: str, auth: dict) -> dict:
    url = f"{api}/{repository}/blobs/{config_digest}"
    status, headers, body = fetch("GET", url, auth, None)
    location = _header(headers, "Location")
    if status in (301, 302, 303, 307, 308) and location:
        # ECR redirects blobs to a pre-signed S3 URL, which refuses a second credential: no Authorization there.
        status, headers, body = fetch("GET", location, {}, None)
    if status != 200:
        raise RegistryError(f"GET {url} answered {status}")
    return config_summary(body)


def put_manifest(fetch: Fetch, api: str, repository: str, tag: str, media_type: str, body: bytes, auth: dict) -> str:
    """Tag a manifest the registry already holds: the same bytes under a new tag, so the digest does not change."""
    url = f"{api}/{repository}/manifests/{tag}"
    status, headers, _body = fetch("PUT", url, dict(auth, **{"Content-Type": media_type}), body)
    if status not in (200, 201):
        raise RegistryError(f"PUT {url} answered {status}")
    return _header(headers, "Docker-Content-Digest") or ""


def put_tags(fetch: Fetch, api: str, repository: str, tags: list[str], summary: dict, body: bytes, auth: dict) -> None:
    """Put the manifest (``summary`` and its raw ``body``, from get_manifest) under each of ``tags``; a registry that
    stores it under another digest fails."""
    for tag in tags:
        digest = put_manifest(fetch, api, repository, tag, summary["media_type"], body, auth)
        if digest and digest != summary["digest"]:
            raise RegistryError(f"the registry stored {tag} as {digest}, not {summary['digest']}")


def describe_references(fetch: Fetch, api: str, repository: str, references: list[str], auth: dict, config_reference: str | None) -> dict:
    """For each reference found: its manifest summary; for ``config_reference`` also its platform and labels."""
    found: dict = {}
    for reference in references:
        answer = get_manifest(fetch, api, repository, reference, auth)
        if answer is not None:
            found[reference] = answer[0]
    image = None
    if config_reference and config_reference in found:
        summary = found[config_reference]
        config = get_config(fetch, api, repository, summary["config_digest"], auth) if summary["config_digest"] else None
        architectures = image_architectures(summary, config)
        image = {
            "reference": config_reference,
            "digest": summary["digest"],
            "media_type": summary["media_type"],
            "config_digest": summary["config_digest"],
            "architectures": architectures,
            "os": (config or {}).get("os") or "linux",
            "labels": (config or {}).get("labels") or {},
        }
    return {"found": found, "image": image}


def retag_plan(found: dict, source_digest: str, tags: list[str]) -> list[str]:
    """The tags that do not point at ``source_digest`` yet (a tag not in ``found`` is missing)."""
    return [tag for tag in tags if (found.get(tag) or {}).get("digest") != source_digest]


def retag(fetch: Fetch, api: str, repository: str, source: str, tags: list[str], auth: dict, check_mode: bool = False) -> dict:
    """Point ``tags`` at the manifest ``source`` (a digest or tag) already holds, re-sending its exact bytes."""
    answer = get_manifest(fetch, api, repository, source, auth)
    if answer is None:
        raise RegistryError(f"{repository} has no image {source} to tag")
    summary, body = answer
    found = {}
    for tag in tags:
        current = get_manifest(fetch, api, repository, tag, auth)
        if current is not None:
            found[tag] = current[0]
    to_tag = retag_plan(found, summary["digest"], tags)
    if not check_mode:
        put_tags(fetch, api, repository, to_tag, summary, body, auth)
    return {"digest": summary["digest"], "tagged": to_tag, "before": {t: (found.get(t) or {}).get("digest") for t in to_tag}}
