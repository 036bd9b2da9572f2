"""ecr_repository names the denied action, the repository and the job's policy file (moto enforces no IAM: the
denial is injected where botocore sends the request)."""

from __future__ import annotations

import boto3
import pytest
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args
from botocore.exceptions import ClientError
from moto import mock_aws

from ansible_collections.devops.fargate.plugins.modules import ecr_repository


class _Done(Exception):
    pass


@pytest.fixture
def run(monkeypatch):
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(key, value)

    def finish(self, **kwargs):
        raise _Done(kwargs)

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", finish)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", lambda self, **kwargs: finish(self, failed=True, **kwargs))

    def _run(denied: str, check_mode: bool = False, **params) -> dict:
        def deny(model, **_kwargs):
            if model.name == denied:
                raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": f"not allowed to call {denied}"}}, denied)

        original = boto3.session.Session.client

        def client(self, *args, **kwargs):
            made = original(self, *args, **kwargs)
            made.meta.events.register("before-call", deny)
            return made

        monkeypatch.setattr(boto3.session.Session, "client", client)
        params.update(region="us-east-1", _ansible_check_mode=check_mode)
        with mock_aws(), patch_module_args(params), pytest.raises(_Done) as done:
            ecr_repository.main()
        return done.value.args[0]

    return _run


@pytest.mark.parametrize(
    "denied, check_mode, state, expected",
    [
        ("DescribeRepositories", False, "present", "Access denied: ecr:DescribeRepositories on arn:aws:ecr:us-east-1:<account>:repository/fargate-demo."),
        ("DescribeRegistry", True, "present", "Access denied: ecr:DescribeRegistry on arn:aws:ecr:us-east-1:<account>:repository/fargate-demo."),
        ("CreateRepository", False, "present", "Access denied: ecr:CreateRepository on "),
    ],
)
def test_access_denied_names_action_resource_and_policy(run, denied, check_mode, state, expected):
    result = run(denied, check_mode=check_mode, name="fargate-demo", state=state)
    assert result["failed"]
    assert result["msg"].startswith(expected), result["msg"]
    policy = "docs/iam/check-policy.json" if check_mode else "docs/iam/deploy-policy.json"
    assert policy in result["msg"]


def test_other_errors_keep_amazon_aws_message(run, monkeypatch):
    result = run("NoSuchOperation", name="fargate-demo", state="absent")
    assert not result.get("failed") and result["changed"] is False
