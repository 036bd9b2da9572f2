"""The pure parts of devops.fargate.registry_image_push: which tags hold the image, the engine's push credentials,
and what a push's progress stream says."""

from __future__ import annotations

import base64
import json

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.docker_push import PushError
from ansible_collections.devops.fargate.plugins.module_utils.docker_push import held_tags
from ansible_collections.devops.fargate.plugins.module_utils.docker_push import pushed_digest
from ansible_collections.devops.fargate.plugins.module_utils.docker_push import registry_auth_header

IMAGE_ID = "sha256:" + "1" * 64
DIGEST = "sha256:" + "2" * 64
OTHER = "sha256:" + "3" * 64


def test_a_tag_holds_the_image_by_its_config_digest_or_a_digest_docker_recorded():
    found = {
        "v1": {"digest": OTHER, "config_digest": IMAGE_ID},  # same image, another manifest (pushed from elsewhere)
        "latest": {"digest": DIGEST, "config_digest": ""},  # an index: no config digest, but Docker pushed this one
        "main": {"digest": OTHER, "config_digest": "sha256:" + "4" * 64},  # another image
    }
    assert held_tags(found, IMAGE_ID, [DIGEST], ["v1", "latest", "main", "new"]) == ["v1", "latest"]
    assert held_tags({}, IMAGE_ID, [], ["v1"]) == []


def test_the_engine_pushes_with_the_credentials_themselves():
    header = registry_auth_header("127.0.0.1:5050", "AWS", "token")
    assert json.loads(base64.urlsafe_b64decode(header)) == {"username": "AWS", "password": "token", "serveraddress": "127.0.0.1:5050"}
    # Docker 28.3.3+ refuses a push without the header: an empty one where there are no credentials.
    assert json.loads(base64.urlsafe_b64decode(registry_auth_header("r", "", ""))) == {}


def test_the_push_stream_gives_the_digest_docker_pushed():
    lines = [{"status": "The push refers to repository [r/app]"}, {"status": "Pushed", "id": "abc"},
             {"status": "v1: digest: " + DIGEST + " size: 529"}, {"progressDetail": {}, "aux": {"Tag": "v1", "Digest": DIGEST, "Size": 529}}]
    assert pushed_digest(lines) == DIGEST
    assert pushed_digest([{"status": "Layer already exists"}]) is None


@pytest.mark.parametrize("line", [
    {"errorDetail": {"message": "unauthorized: authentication required"}, "error": "unauthorized: authentication required"},
    {"error": "unauthorized: authentication required"},
])
def test_an_error_in_the_push_stream_fails_the_push(line):
    with pytest.raises(PushError, match="unauthorized: authentication required"):
        pushed_digest([{"status": "Preparing"}, line, {"aux": {"Digest": DIGEST}}])
