"""The ecr_repository module end to end against moto's in-process ECR (mock_aws).

The integration-test sequence: check-mode create, create, both again (not changed), update,
delete, delete again (not changed), plus the failure paths that must not write anything.
"""

from __future__ import annotations

import json

import boto3
import pytest
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args
from moto import mock_aws

from ansible_collections.devops.fargate.plugins.modules import ecr_repository

NAME = "team/fargate-demo"
LIFECYCLE = {
    "rules": [
        {
            "rulePriority": 1,
            "description": "Expire untagged images after 14 days",
            "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14},
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 2,
            "selection": {"tagStatus": "tagged", "tagPatternList": ["*"], "countType": "imageCountMoreThan", "countNumber": 30},
            "action": {"type": "expire"},
        },
    ]
}
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "pull",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        }
    ],
}
OLD_SELECTION = {"tagStatus": "old", "countType": "imageCountMoreThan", "countNumber": 1}
MANIFEST = {
    "schemaVersion": 2,
    "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
    "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 2, "digest": "sha256:" + "0" * 64},
    "layers": [],
}
FULL = dict(
    name=NAME,
    scan_on_push=True,
    image_tag_mutability="IMMUTABLE",
    encryption_type="AES256",
    lifecycle_policy=LIFECYCLE,
    policy=POLICY,
    tags={"service": "fargate-demo"},
)


class _Exit(Exception):
    pass


class _Fail(Exception):
    pass


@pytest.fixture
def ecr(monkeypatch):
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        yield boto3.client("ecr", region_name="us-east-1")


@pytest.fixture
def run(monkeypatch):
    def exit_json(self, **kwargs):
        raise _Exit(kwargs)

    def fail_json(self, **kwargs):
        kwargs["failed"] = True
        raise _Fail(kwargs)

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)

    def _run(check_mode: bool = False, diff: bool = False, **params) -> dict:
        params = {key: json.dumps(value) if key in ("lifecycle_policy", "policy") else value for key, value in params.items()}
        params.update(region="us-east-1", _ansible_check_mode=check_mode, _ansible_diff=diff)
        with patch_module_args(params), pytest.raises((_Exit, _Fail)) as raised:
            ecr_repository.main()
        return raised.value.args[0]

    return _run


def _state(client, name: str = NAME) -> dict:
    repository = client.describe_repositories(repositoryNames=[name])["repositories"][0]
    return {
        "repository": repository,
        "lifecycle": json.loads(client.get_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"]),
        "policy": json.loads(client.get_repository_policy(repositoryName=name)["policyText"]),
        "tags": client.list_tags_for_resource(resourceArn=repository["repositoryArn"])["tags"],
    }


def _names(client) -> list[str]:
    return [r["repositoryName"] for r in client.describe_repositories()["repositories"]]


def test_create_sequence(ecr, run):
    check = run(check_mode=True, **FULL)
    assert check["changed"] and check["created"]
    assert check["changes"] == ["scan_on_push", "image_tag_mutability", "encryption", "lifecycle_policy", "policy", "tags"]
    assert check["repository"]["repository_uri"] == f"123456789012.dkr.ecr.us-east-1.amazonaws.com/{NAME}"
    assert _names(ecr) == []

    created = run(**FULL)
    assert created["changed"] and created["created"]
    assert created["changes"] == check["changes"]
    # The check-mode result has the shape and values of the real one (but no creation time).
    assert {k: v for k, v in check["repository"].items() if k != "created_at"} == {
        k: v for k, v in created["repository"].items() if k != "created_at"
    }
    state = _state(ecr)
    assert state["repository"]["imageTagMutability"] == "IMMUTABLE"
    assert state["repository"]["imageScanningConfiguration"] == {"scanOnPush": True}
    assert state["repository"]["encryptionConfiguration"]["encryptionType"] == "AES256"
    assert state["lifecycle"] == LIFECYCLE
    assert state["policy"] == POLICY
    assert state["tags"] == [{"Key": "service", "Value": "fargate-demo"}]

    for check_mode in (True, False):
        again = run(check_mode=check_mode, **FULL)
        assert not again["changed"] and again["changes"] == [] and not again["created"]


def test_same_policies_in_another_form_are_not_a_change(ecr, run):
    run(**FULL)
    reordered = {"rules": list(reversed(LIFECYCLE["rules"]))}
    policy = {"Statement": [dict(POLICY["Statement"][0], Action=list(reversed(POLICY["Statement"][0]["Action"])))], "Version": "2012-10-17"}
    result = run(**dict(FULL, lifecycle_policy=reordered, policy=policy))
    assert not result["changed"]


def test_update_reports_fields_and_diff(ecr, run):
    run(**FULL)
    wanted = dict(
        name=NAME,
        image_tag_mutability="IMMUTABLE_WITH_EXCLUSION",
        image_tag_mutability_exclusion_filters=["latest", "env-*"],
        tags={"service": "fargate-demo", "team": "ops"},
        policy={},
    )
    check = run(check_mode=True, diff=True, **wanted)
    assert check["changed"] and check["changes"] == ["image_tag_mutability", "policy", "tags"]
    assert check["diff"]["before"]["image_tag_mutability"] == "IMMUTABLE"
    assert check["diff"]["after"]["image_tag_mutability_exclusion_filters"] == ["env-*", "latest"]
    assert check["diff"]["before"]["policy"] == POLICY and check["diff"]["after"]["policy"] is None
    assert "scan_on_push" not in check["diff"]["after"]
    assert ecr.describe_repositories()["repositories"][0]["imageTagMutability"] == "IMMUTABLE"

    updated = run(diff=True, **wanted)
    assert updated["changes"] == check["changes"]
    assert updated["diff"] == check["diff"]
    repository = ecr.describe_repositories()["repositories"][0]
    assert repository["imageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION"
    assert sorted(f["filter"] for f in repository["imageTagMutabilityExclusionFilters"]) == ["env-*", "latest"]
    with pytest.raises(ecr.exceptions.RepositoryPolicyNotFoundException):
        ecr.get_repository_policy(repositoryName=NAME)
    assert not run(**wanted)["changed"]


def test_unset_options_are_left_alone(ecr, run):
    run(**FULL)
    result = run(name=NAME, scan_on_push=False)
    assert result["changes"] == ["scan_on_push"]
    state = _state(ecr)
    assert state["repository"]["imageTagMutability"] == "IMMUTABLE"
    assert state["lifecycle"] == LIFECYCLE and state["policy"] == POLICY
    assert state["tags"] == [{"Key": "service", "Value": "fargate-demo"}]


def test_encryption_cannot_change(ecr, run):
    run(**FULL)
    result = run(name=NAME, encryption_type="KMS", scan_on_push=False)
    assert result["failed"]
    assert "encryption_type is AES256 but KMS was asked for" in result["msg"]
    assert "cannot change a repository's encryption" in result["msg"]
    assert ecr.describe_repositories()["repositories"][0]["imageScanningConfiguration"] == {"scanOnPush": True}


@pytest.mark.parametrize(
    "params, messages",
    [
        ({"name": "Bad_Name"}, ["name 'Bad_Name' is not a valid ECR repository name"]),
        (
            {"name": NAME, "lifecycle_policy": {"rules": [dict(LIFECYCLE["rules"][0], selection=dict(OLD_SELECTION))]}},
            ["lifecycle_policy rule 1 (rulePriority 1): selection.tagStatus must be one of tagged, untagged, any (got 'old')"],
        ),
        ({"name": NAME, "image_tag_mutability_exclusion_filters": ["latest"]}, ["needs image_tag_mutability set too"]),
        ({"name": NAME, "kms_key": "k", "encryption_type": "AES256"}, ["kms_key needs encryption_type KMS or KMS_DSSE"]),
        ({"name": NAME, "policy": {"Version": "2012-10-17"}}, ["policy must have a Statement list"]),
    ],
    ids=["name", "lifecycle-rule", "filters-without-mutability", "kms-key-with-aes", "policy"],
)
def test_invalid_input_fails_before_any_call(ecr, run, monkeypatch, params, messages):
    def no_client(*args, **kwargs):
        raise AssertionError("the module made an AWS client despite invalid input")

    monkeypatch.setattr(ecr_repository.AnsibleAWSModule, "client", no_client)
    result = run(**params)
    assert result["failed"]
    assert len(result["errors"]) == len(messages)
    for error, message in zip(result["errors"], messages):
        assert message in error
        assert message in result["msg"]
    assert _names(ecr) == []


def test_invalid_json_text_fails(ecr, run, monkeypatch):
    monkeypatch.setattr(ecr_repository.AnsibleAWSModule, "client", lambda *a, **k: pytest.fail("client made"))
    with patch_module_args({"name": NAME, "lifecycle_policy": "{not json", "region": "us-east-1"}), pytest.raises(_Fail) as raised:
        ecr_repository.main()
    assert "lifecycle_policy is not valid JSON" in raised.value.args[0]["msg"]


def test_absent_sequence(ecr, run):
    run(**FULL)
    ecr.put_image(repositoryName=NAME, imageManifest=json.dumps(MANIFEST), imageTag="v1")

    refused = run(name=NAME, state="absent")
    assert refused["failed"] and "still holds images: set force=true" in refused["msg"]
    assert _names(ecr) == [NAME]

    check = run(check_mode=True, name=NAME, state="absent", force=True)
    assert check["changed"] and check["deleted"] and _names(ecr) == [NAME]

    deleted = run(name=NAME, state="absent", force=True)
    assert deleted["changed"] and deleted["deleted"] and deleted["repository"] == {}
    assert _names(ecr) == []

    again = run(name=NAME, state="absent", force=True)
    assert not again["changed"] and not again["deleted"]


def test_unmanaged_creation_sends_only_the_name(ecr, run):
    result = run(name="bare")
    assert result["created"] and result["changes"] == []
    repository = ecr.describe_repositories(repositoryNames=["bare"])["repositories"][0]
    assert repository["imageTagMutability"] == "MUTABLE"
    assert not run(name="bare")["changed"]
