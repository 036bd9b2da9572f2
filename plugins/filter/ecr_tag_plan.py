# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: ecr_tag_plan
short_description: Which of an image's tags a registry already has, which to push, and which it must not overwrite
version_added: 0.2.0
description:
  - The ecr role's push plan, from what the registry says each tag points at and what the Docker engine says of the
    image to push. A tag is current when the registry's manifest is this image's, by its config digest (the image
    ID on Docker's classic store), by a repo digest Docker recorded when it pushed the image, or, for a promoted image
    (no source image, and the registry holds the version's tag, built elsewhere), by the digest of the version's tag.
  - A tag to push that points elsewhere and that the repository's mutability protects is conflicting.
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  _input:
    description:
      - C(tags), the image's tags, the version's (C(image_tag)) first; C(source_image), the image to push (empty to promote);
      - C(remote), registry_image_info's C(found) (by tag, C(digest) and C(config_digest)) and C(remote_image), its C(image);
      - C(image), docker_image_info's answer for the source image (C(Id), C(RepoDigests)); C(repository_uri);
      - C(mutability) and C(exclusion_filters), the repository's (ECR's wildcards); C(promote_any_tag).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Plan the push
  ansible.builtin.set_fact:
    plan: "{{ {'tags': ['1.2.0', 'latest'], 'image_tag': '1.2.0', 'source_image': image_id, 'remote': remote.found,
              'image': image, 'repository_uri': uri, 'mutability': 'IMMUTABLE_WITH_EXCLUSION',
              'exclusion_filters': ['latest']} | devops.fargate.ecr_tag_plan }}"
"""

RETURN = r"""
_value:
  description: The plan.
  type: dict
  contains:
    remote_digest: {description: The digest each tag points at in the registry, by tag., type: dict}
    remote_config: {description: The config digest (image ID) each tag's image has, by tag; empty when unknown., type: dict}
    image_repo_digests: {description: The digests Docker recorded when it pushed the image to this repository., type: list, elements: str}
    promoted: {description: No source image, and the registry holds the version's tag., type: bool}
    promoted_digest: {description: That tag's digest when promoted; empty otherwise., type: str}
    current: {description: The tags that point at this image already., type: list, elements: str}
    to_push: {description: The other tags., type: list, elements: str}
    immutable: {description: The tags the repository's mutability protects., type: list, elements: str}
    conflicting: {description: The tags to push that point elsewhere and are protected., type: list, elements: str}
    found_image: {description: The registry's image for the version's tag, with its C(tag), when it may be promoted; empty otherwise., type: dict}
"""

import re

from ansible.errors import AnsibleFilterError


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


def ecr_tag_plan(given) -> dict:
    if not isinstance(given, dict):
        raise AnsibleFilterError(f"ecr_tag_plan: expects a dict, got {type(given).__name__}")
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


class FilterModule:
    def filters(self):
        return {"ecr_tag_plan": ecr_tag_plan}
