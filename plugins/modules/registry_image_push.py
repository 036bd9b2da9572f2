#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: registry_image_push
short_description: Push a local image to an ECR (or v2) registry once, under every tag it does not hold yet
version_added: 0.2.0
description:
  - Asks the registry what each of O(tags) points at (C(GET /v2/<repository>/manifests/<tag>)) and leaves alone the
    tags that hold this image already (by its config digest, the image ID, or a digest Docker recorded when it pushed
    it).
  - The Docker engine pushes the image once, under the first tag still to push; the registry then gets the same
    manifest bytes under each other tag (C(PUT /v2/<repository>/manifests/<tag>), as ECR documents retagging with
    C(ecr:PutImage)), so every tag has the same digest and no layer is offered twice.
  - Before it names the other tags, it checks that the registry serves for the pushed tag the manifest Docker
    pushed.
  - The engine pushes with O(username) and O(password) themselves; no C(docker login) or credentials file is needed.
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  image:
    description: The local image to push, by ID or name.
    type: str
    required: true
  tags:
    description: The tags the registry should serve the image under, the one to push by Docker first.
    type: list
    elements: str
    required: true
  timeout:
    description: Seconds to wait for each answer, from the registry or from the Docker engine.
    type: int
    default: 60
attributes:
  check_mode:
    support: full
    description: Reads the image and the registry, and reports the tags a real run would push; pushes nothing.
  diff_mode:
    support: none
    description: The result's C(pushed) lists the tags.
  idempotent:
    support: full
    description: A tag that holds the image already is not pushed again; when all do, nothing is.
extends_documentation_fragment:
  - devops.fargate.registry
  - community.docker.docker.api_documentation
notes:
  - Uses community.docker's Docker API client; no Docker SDK for Python is needed.
"""

EXAMPLES = r"""
- name: Push the new version, then latest and main by manifest
  devops.fargate.registry_image_push:
    image: "{{ image_built_id }}"
    registry: 123456789012.dkr.ecr.eu-west-1.amazonaws.com
    repository: fargate-demo
    tags: [v1.4.0, latest, main]
    username: "{{ ecr_login.username }}"
    password: "{{ ecr_login.password }}"
"""

RETURN = r"""
pushed:
  description: The tags pushed (or in check mode to push), the one Docker pushed first.
  returned: success
  type: list
  elements: str
  sample: [v1.4.0, latest]
held:
  description: The tags that held the image already.
  returned: success
  type: list
  elements: str
digest:
  description: The manifest digest the tags point at; empty in check mode when nothing held the image before.
  returned: success
  type: str
  sample: sha256:5d1c...
image_id:
  description: The local image's ID.
  returned: success
  type: str
"""

from ansible_collections.community.docker.plugins.module_utils._api.errors import DockerException
from ansible_collections.community.docker.plugins.module_utils._api.errors import NotFound
from ansible_collections.community.docker.plugins.module_utils.common_api import AnsibleDockerClient
from ansible_collections.community.docker.plugins.module_utils.common_api import RequestException

from ansible_collections.devops.fargate.plugins.module_utils.docker_push import PushError
from ansible_collections.devops.fargate.plugins.module_utils.docker_push import held_tags
from ansible_collections.devops.fargate.plugins.module_utils.docker_push import pushed_digest
from ansible_collections.devops.fargate.plugins.module_utils.docker_push import registry_auth_header
from ansible_collections.devops.fargate.plugins.module_utils.registry import RegistryError
from ansible_collections.devops.fargate.plugins.module_utils.registry import basic_auth
from ansible_collections.devops.fargate.plugins.module_utils.registry import describe_references
from ansible_collections.devops.fargate.plugins.module_utils.registry import get_manifest
from ansible_collections.devops.fargate.plugins.module_utils.registry import put_tags
from ansible_collections.devops.fargate.plugins.module_utils.registry_http import REGISTRY_ARGUMENT_SPEC
from ansible_collections.devops.fargate.plugins.module_utils.registry_http import make_fetch


def docker_push(client, repository_uri: str, tag: str, auth_header: bytes) -> str | None:
    """``docker push <repository_uri>:<tag>`` through the engine's API; the digest it pushed."""
    response = client._post_json(  # pylint: disable=protected-access
        client._url("/images/{0}/push", repository_uri),  # pylint: disable=protected-access
        data=None, headers={"X-Registry-Auth": auth_header}, stream=True, params={"tag": tag})
    client._raise_for_status(response)  # pylint: disable=protected-access
    return pushed_digest(client._stream_helper(response, decode=True))  # pylint: disable=protected-access


def main() -> None:
    client = AnsibleDockerClient(
        argument_spec=dict(
            REGISTRY_ARGUMENT_SPEC,
            image=dict(type="str", required=True),
            tags=dict(type="list", elements="str", required=True),
            timeout=dict(type="int", default=60),
        ),
        supports_check_mode=True,
    )
    p = client.module.params
    tags = list(dict.fromkeys(p["tags"]))
    uri = f"{p['registry']}/{p['repository']}"
    api, auth, fetch = f"{p['scheme']}://{p['registry']}/v2", basic_auth(p["username"], p["password"]), make_fetch(p["timeout"])
    step, pushed = f"reading the image {p['image']} on the Docker engine", False
    try:
        image = client.get_json("/images/{0}/json", p["image"])
        repo_digests = [ref.rsplit("@", 1)[1] for ref in image.get("RepoDigests") or [] if ref.startswith(f"{uri}@")]
        step = f"asking the registry {p['registry']} what {p['repository']}'s tags point at"
        found = describe_references(fetch, api, p["repository"], tags, auth, None)["found"]
        held = held_tags(found, image["Id"], repo_digests, tags)
        to_push = [tag for tag in tags if tag not in held]
        digest = found[held[0]]["digest"] if held else ""
        if not to_push or client.module.check_mode:
            client.module.exit_json(changed=bool(to_push), pushed=to_push, held=held, digest=digest, image_id=image["Id"])

        first = to_push[0]
        step = f"pushing {uri}:{first} from the Docker engine"
        tagged = client._post(client._url("/images/{0}/tag", image["Id"]), params={"repo": uri, "tag": first})  # pylint: disable=protected-access
        client._raise_for_status(tagged)  # pylint: disable=protected-access
        digest, pushed = docker_push(client, uri, first, registry_auth_header(p["registry"], p["username"], p["password"])), True
        step = f"reading back {uri}:{first} from the registry {p['registry']}"
        served = get_manifest(fetch, api, p["repository"], first, auth)
        if served is None or (digest and served[0]["digest"] != digest):
            client.fail(f"the registry {p['registry']} serves {served[0]['digest'] if served else 'nothing'} for {uri}:{first}, "
                        f"but Docker pushed {digest}", changed=True)
        summary, body = served
        step = f"naming {uri}:{first} {', '.join(to_push[1:])} in the registry {p['registry']}"
        put_tags(fetch, api, p["repository"], to_push[1:], summary, body, auth)
    except NotFound:
        client.fail(f"the image {p['image']} is not on the Docker engine at {p['docker_host']}")
    except (RegistryError, PushError, DockerException, RequestException) as e:
        client.fail(f"{step} failed: {e}", changed=pushed)
    client.module.exit_json(changed=True, pushed=to_push, held=held, digest=summary["digest"], image_id=image["Id"])


if __name__ == "__main__":
    main()
