#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecr_push
short_description: Ensure an ECR repository, log in, and push an image's tags only where the registry lacks them
version_added: 0.2.0
description:
  - One task for the ECR stage, an action plugin that runs on the controller and calls the modules that do each step
    (M(devops.fargate.ecr_repository), M(devops.fargate.ecr_auth_token_info), M(community.docker.docker_login),
    M(community.docker.docker_image_info), M(devops.fargate.registry_image_push), M(devops.fargate.registry_image_tag))
    only when it needs them. The registry's answer it reads itself, as M(devops.fargate.registry_image_info) does.
  - "In order, failing before the first write where it can: plan the repository (every setting validated and compared,
    in check mode); refuse moving tags the repository's mutability would freeze; log in; ask the registry what each tag
    points at (one read); find the source image on the Docker engine; refuse to overwrite a tag the repository protects;
    create or update the repository as planned; push the tags the registry lacks, once, from the engine, or point them
    at the promoted image by manifest."
  - "The login: a login recorded beside the Docker config (O(docker_config_dir), no secret in the record: the registry,
    the user, the expiry and a digest of the Docker config's auth entry) with more than O(login_min_validity) seconds
    left is reused; otherwise a token is fetched, and C(docker login) runs only when the Docker config does not hold
    that login already. A token whose expiry had passed when it was fetched (moto's) is of unknown expiry: its login
    is reused until the registry refuses it, and then replaced by a new token."
  - With no O(source_image), nothing is built here to push; the registry must hold O(image_tag) already (built
    elsewhere), and the other tags are pointed at it (promotion); without it the action fails, in check mode too.
  - With O(lookup_only), only the read-only steps run (plan, login, registry read), and RV(found_image) says which
    image the registry holds for the version. Its result, given back as O(known), spares a later run of the same
    repository and tags the second plan, login and registry read.
  - The files it reads and writes (the Docker config and the login record) are the controller's; run it against
    C(localhost), as the ecr role does.
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  repository:
    description:
      - The repository and its settings, as M(devops.fargate.ecr_repository) takes them (V(name) required). Only the
        settings given are managed.
    type: dict
    required: true
  image_tag:
    description: The version's tag, which the registry must never move when the repository's mutability protects it.
    type: str
    required: true
  extra_tags:
    description: Moving tags (for example V(latest)), pushed beside O(image_tag).
    type: list
    elements: str
    default: []
  source_image:
    description: The image to push, by ID or name on the Docker engine. Empty promotes what the registry holds.
    type: str
    default: ""
  source_pending:
    description:
      - In check mode, with no O(source_image) because a real run would build it first (the image stage predicts a
        build), predict the push of every tag with a placeholder digest of zeros, instead of a promotion. Fails
        outside check mode.
    type: bool
    default: false
  docker_host:
    description: The Docker engine.
    type: str
    default: unix:///var/run/docker.sock
  registry_override:
    description: The registry (C(host[:port])) to use instead of the token's proxy endpoint.
    type: str
    default: ""
  registry_scheme:
    description: The registry API's scheme; V(http) only for a loopback test registry.
    type: str
    default: https
    choices: [http, https]
  registry_timeout:
    description: Seconds a registry request may take.
    type: int
    default: 30
  docker_config_dir:
    description: The Docker config's directory; the login record is kept beside C(config.json), mode 0600.
    type: path
    default: ~/.docker
  login_min_validity:
    description: A recorded login with more seconds left than this is reused without fetching a token.
    type: int
    default: 3600
  promote_any_tag:
    description:
      - Offer the registry's image for O(image_tag) in RV(found_image) even when the repository does not protect that tag
        (a version named on purpose).
    type: bool
    default: false
  lookup_only:
    description: Only plan, log in and ask the registry; write nothing but the login.
    type: bool
    default: false
  known:
    description:
      - The result of an earlier O(lookup_only) run. When it asked for the same registry override, repository and
        tags, its plan, login and registry answer are used instead of asking again.
    type: dict
    default: {}
  variable_prefix:
    description:
      - Error messages name the options with this prefix, as the role that calls the action names its variables
        (V(ecr_) for the ecr role, whose repository settings are C(ecr_repository_*)).
    type: str
    default: ""
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description:
      - Plans, logs in (C(docker login) itself predicts) and reads the registry as a real run does; writes nothing and
        reports what a real run would change.
  diff_mode:
    support: full
    description:
      - Shows the repository's settings that change (M(devops.fargate.ecr_repository)'s diff), and each tag that moves,
        from the digest it points at to the image's.
  idempotent:
    support: full
    description: A second run with the same image pushes nothing and reports no change.
notes:
  - The AWS connection options are passed on to the AWS modules; with the collection's C(group/devops.fargate.aws)
    module defaults they are set once for every task.
"""

EXAMPLES = r"""
- name: Push the image built by this run
  devops.fargate.ecr_push:
    repository:
      name: team/service
      image_tag_mutability: IMMUTABLE_WITH_EXCLUSION
      image_tag_mutability_exclusion_filters: [latest]
    image_tag: "1.4.0"
    extra_tags: [latest]
    source_image: "{{ built.image.Id }}"
  register: pushed

- name: Deploy it by digest
  ansible.builtin.debug:
    msg: "{{ pushed.image_uri }}"
"""

RETURN = r"""
registry:
  description: The registry logged in to (C(host[:port])).
  returned: success
  type: str
repository_uri:
  description: The repository's URI at that registry.
  returned: success
  type: str
repository_arn:
  description: The repository's ARN.
  returned: success, unless lookup_only
  type: str
digest:
  description:
    - The image's manifest digest in the registry (the push's, or what the version's tag points at). All zeros in
      check mode for an image not built yet.
  returned: success, unless lookup_only
  type: str
image_uri:
  description: The image by digest (C(<repository_uri>@<digest>)); empty when the digest is not known.
  returned: success, unless lookup_only
  type: str
tags:
  description: Every tag of the image, O(image_tag) first.
  returned: success, unless lookup_only
  type: list
  elements: str
pushed_tags:
  description: The tags pushed from the Docker engine by this run.
  returned: success, unless lookup_only
  type: list
  elements: str
retagged:
  description: The tags pointed at the promoted image by this run.
  returned: success, unless lookup_only
  type: list
  elements: str
current_tags:
  description: The tags that pointed at the image already.
  returned: success, unless lookup_only
  type: list
  elements: str
promoted:
  description: No source image, and the registry held the version (built elsewhere).
  returned: success, unless lookup_only
  type: bool
found_image:
  description:
    - The registry's image for O(image_tag), with its C(tag), when it may be promoted (the tag is protected, or
      O(promote_any_tag)); empty otherwise.
  returned: success
  type: dict
plan:
  description: The repository as planned (M(devops.fargate.ecr_repository) in check mode), whether it would be created, and its changes.
  returned: success
  type: dict
  contains:
    repository:
      description: The repository's settings as planned (RV(devops.fargate.ecr_repository#module:repository) of that module).
      type: dict
    created: {description: The repository would be created., type: bool}
    changes: {description: The settings that would change., type: list, elements: str}
login:
  description: The login used, without its secret, and what this run did for it.
  returned: success
  type: dict
  contains:
    registry: {description: The registry., type: str}
    username: {description: The user., type: str}
    auth_sha256: {description: A digest of the Docker config's auth entry for it., type: str}
    fetched: {description: A token was fetched., type: bool}
    logged_in: {description: C(docker login) ran., type: bool}
    recorded: {description: "The login record was written (in check mode: would be).", type: bool}
remote:
  description: The registry's answer (M(devops.fargate.registry_image_info)'s C(found) and C(image)).
  returned: success
  type: dict
key:
  description: The registry override, repository and tags this result is for (O(known) is used only for the same).
  returned: success
  type: list
  elements: str
"""
