"""The ecr_push action's decisions: which recorded login is reused and which login is in use (login_state), and which
tags are current, to push, protected or conflicting (tag_plan). Formerly Jinja in roles/ecr/vars/main.yml, then filters."""

from __future__ import annotations

import base64
import hashlib

import pytest

from ansible_collections.devops.fargate.plugins.plugin_utils.ecr_plan import login_record_name
from ansible_collections.devops.fargate.plugins.plugin_utils.ecr_plan import login_state
from ansible_collections.devops.fargate.plugins.plugin_utils.ecr_plan import protected_tags
from ansible_collections.devops.fargate.plugins.plugin_utils.ecr_plan import split_auth
from ansible_collections.devops.fargate.plugins.plugin_utils.ecr_plan import tag_plan

REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
AUTH = base64.b64encode(b"AWS:s3cret-token").decode()
NOW = 1_800_000_000
RECORD = {"registry": REGISTRY, "username": "AWS", "expires_at": "", "expires_epoch": NOW + 3600, "auth_sha256": hashlib.sha256(AUTH.encode()).hexdigest()}
CONFIG = {"auths": {REGISTRY: {"auth": AUTH}}}
TOKEN = {"registry": REGISTRY, "username": "AWS", "password": "n3w-token", "expires_at": "2027-01-15T10:00:00.123456+00:00", "changed": False}


def login(**given):
    given = dict({"record": RECORD, "docker_config": CONFIG, "registry_override": "", "min_validity": 600, "now": NOW}, **given)
    return login_state(**given)


def test_a_recorded_login_with_time_left_is_reused_as_it_is():
    state = login(token=None)
    assert state["recorded_valid"] and not state["fetched"] and not state["login_needed"]
    assert (state["registry"], state["username"], state["password"]) == (REGISTRY, "AWS", "s3cret-token")


@pytest.mark.parametrize(
    "given",
    [
        {"record": dict(RECORD, expires_epoch=NOW + 599)},  # less than min_validity left
        {"docker_config": {}},  # the Docker config lost the entry
        {"docker_config": {"auths": {REGISTRY: {"auth": base64.b64encode(b"AWS:other").decode()}}}},  # someone else logged in
        {"registry_override": "127.0.0.1:5050"},  # another registry now
        {"record": {}},  # no record
    ],
)
def test_a_recorded_login_is_not_reused_when(given):
    assert not login(**given)["recorded_valid"]


def test_a_fetched_token_is_the_login_and_docker_login_runs_unless_the_config_holds_it():
    state = login(token=TOKEN, record={})
    assert state["fetched"] and state["login_needed"] and (state["username"], state["password"]) == ("AWS", "n3w-token")
    new_auth = base64.b64encode(b"AWS:n3w-token").decode()
    assert state["new_record"] == {
        "registry": REGISTRY, "username": "AWS", "expires_at": TOKEN["expires_at"],
        "expires_epoch": 1_800_007_200,  # 2027-01-15T10:00:00Z, the fraction dropped
        "auth_sha256": hashlib.sha256(new_auth.encode()).hexdigest(),
    }
    same = login(token=TOKEN, record={}, docker_config={"auths": {REGISTRY: {"auth": new_auth}}})
    assert not same["login_needed"], "the Docker config holds this very login: docker login is not run"


def test_the_registry_override_wins_over_the_tokens_registry():
    assert login(token=TOKEN, registry_override="127.0.0.1:5050")["registry"] == "127.0.0.1:5050"


TAGS = ["1.2.0", "latest"]
URI = f"{REGISTRY}/web"
IMAGE = {"Id": "sha256:" + "c" * 64, "RepoDigests": [f"{URI}@sha256:" + "d" * 64, "other.example/web@sha256:" + "e" * 64]}


def plan(**given):
    return tag_plan(dict({"tags": TAGS, "image_tag": "1.2.0", "source_image": IMAGE["Id"], "remote": {}, "remote_image": None, "image": IMAGE,
                          "repository_uri": URI, "mutability": "MUTABLE", "exclusion_filters": [], "promote_any_tag": False}, **given))


def test_an_empty_repository_gets_every_tag():
    result = plan()
    assert (result["current"], result["to_push"], result["conflicting"], result["promoted"]) == ([], TAGS, [], False)
    assert result["image_repo_digests"] == ["sha256:" + "d" * 64], "only this repository's digests"


def test_a_tag_is_current_by_config_digest_or_by_a_digest_docker_recorded():
    remote = {"1.2.0": {"digest": "sha256:" + "1" * 64, "config_digest": IMAGE["Id"]}, "latest": {"digest": "sha256:" + "d" * 64, "config_digest": ""}}
    assert plan(remote=remote)["current"] == TAGS and plan(remote=remote)["to_push"] == []


def test_a_tag_pointing_elsewhere_is_pushed_and_conflicts_only_where_protected():
    remote = {"1.2.0": {"digest": "sha256:" + "9" * 64, "config_digest": "sha256:" + "8" * 64}, "latest": {"digest": "sha256:" + "9" * 64}}
    assert plan(remote=remote)["conflicting"] == []
    assert plan(remote=remote, mutability="IMMUTABLE")["conflicting"] == TAGS
    assert plan(remote=remote, mutability="IMMUTABLE_WITH_EXCLUSION", exclusion_filters=["lat*"])["conflicting"] == ["1.2.0"]


def test_no_source_and_the_version_in_the_registry_is_a_promotion():
    digest = "sha256:" + "7" * 64
    remote = {"1.2.0": {"digest": digest, "config_digest": "sha256:" + "6" * 64}, "latest": {"digest": "sha256:" + "5" * 64}}
    found = {"digest": digest, "architecture": "arm64"}
    result = plan(source_image="", image={}, remote=remote, remote_image=found, mutability="IMMUTABLE_WITH_EXCLUSION", exclusion_filters=["latest"])
    assert (result["promoted"], result["promoted_digest"], result["current"], result["to_push"]) == (True, digest, ["1.2.0"], ["latest"])
    assert result["found_image"] == dict(found, tag="1.2.0"), "an immutable version tag may be promoted"
    assert plan(source_image="", image={}, remote=remote, remote_image=found)["found_image"] == {}, "a mutable one may have moved"
    assert plan(source_image="", image={}, remote=remote, remote_image=found, promote_any_tag=True)["found_image"]["tag"] == "1.2.0"


@pytest.mark.parametrize(
    "mutability, filters, protected",
    [
        ("MUTABLE", [], []),
        ("IMMUTABLE", [], ["1.2.0", "latest", "1.2.0-dirty"]),
        ("IMMUTABLE_WITH_EXCLUSION", ["latest", "*-dirty"], ["1.2.0"]),
        ("MUTABLE_WITH_EXCLUSION", ["1.*"], ["1.2.0", "1.2.0-dirty"]),
        (None, ["latest"], []),
    ],
)
def test_protected_tags_follow_ecr_wildcards(mutability, filters, protected):
    assert protected_tags(["1.2.0", "latest", "1.2.0-dirty"], mutability, filters) == protected


def test_one_login_record_per_registry_and_the_config_auth_read_back():
    assert login_record_name(f"{REGISTRY}/web") == login_record_name(f"{REGISTRY}/other/api")
    assert login_record_name(f"{REGISTRY}/web") != login_record_name("127.0.0.1:5050/web")
    assert login_record_name("127.0.0.1:5050/web").startswith("devops-fargate-ecr-login-")
    assert split_auth(AUTH) == ("AWS", "s3cret-token") and split_auth("") == ("", "")


def test_a_token_already_expired_when_fetched_is_of_unknown_expiry_and_its_login_is_reused_until_refused():
    """moto's tokens expire in 2015: such an expiry says nothing, so the record is marked and reused while the Docker
    config holds its login (the action fetches a new token when the registry refuses it)."""
    past = dict(TOKEN, expires_at="2015-01-01T00:00:00+00:00")
    fetched = login(token=past, record={})
    assert fetched["new_record"]["expiry_unknown"] is True and not fetched["expiry_unknown"], "fetched now: nothing to doubt yet"
    assert "expiry_unknown" not in login(token=TOKEN, record={})["new_record"], "a token with time left keeps its expiry"
    auth = base64.b64encode(b"AWS:n3w-token").decode()
    reused = login(token=None, record=fetched["new_record"], docker_config={"auths": {REGISTRY: {"auth": auth}}})
    assert reused["recorded_valid"] and reused["expiry_unknown"] and not reused["fetched"]
    assert not login(token=None, record=fetched["new_record"], docker_config={})["recorded_valid"], "its login gone from the config"
