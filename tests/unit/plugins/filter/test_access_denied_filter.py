"""The access_denied filter, on failed results as amazon.aws's AnsibleAWSModule.fail_json_aws writes them."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from botocore.exceptions import ClientError

from ansible_collections.devops.fargate.plugins.filter.access_denied import access_denied


def failed_result(code: str, message: str, operation: str, msg_prefix: str = "") -> dict:
    """What fail_json_aws(exception, msg=...) returns for a ClientError: msg, the versions, the response snake-cased."""
    error = ClientError({"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": 400}}, operation)
    return dict(
        msg=f"{msg_prefix}: {error}" if msg_prefix else str(error),
        failed=True,
        boto3_version="1.40.0",
        **camel_dict_to_snake_dict(error.response),
    )


def test_amazon_aws_module_denial_names_action_resource_and_the_jobs_policy():
    result = failed_result(
        "AccessDenied",
        "User: arn:aws:sts::123456789012:assumed-role/deployer/ci is not authorized to perform: iam:CreateRole"
        " on resource: arn:aws:iam::123456789012:role/fargate-demo-execution because no identity-based policy allows it",
        "CreateRole",
        "Unable to create role",
    )
    message = access_denied(result)
    assert message.startswith("Access denied: iam:CreateRole on arn:aws:iam::123456789012:role/fargate-demo-execution.")
    assert "docs/iam/deploy-policy.json" in message
    assert "AWS said (AccessDenied)" in message


def test_a_denial_without_an_action_in_the_message_takes_the_operation_and_service():
    result = failed_result("AccessDeniedException", "Access denied", "PutRetentionPolicy", "Unable to put retention policy")
    message = access_denied(result, job="check", service="logs")
    assert message.startswith("Access denied: logs:PutRetentionPolicy on *.")
    assert "docs/iam/check-policy.json" in message


def test_destroy_job_names_the_destroy_policy():
    denial = "not authorized to perform: ecs:DeleteCluster on resource: arn:aws:ecs:eu-west-1:1:cluster/x"
    result = failed_result("AccessDeniedException", denial, "DeleteCluster")
    assert "docs/iam/destroy-policy.json" in access_denied(result, job="destroy")


@pytest.mark.parametrize(
    "result",
    [
        failed_result("ClusterNotFoundException", "Cluster not found.", "DescribeClusters"),
        {"msg": "Could not connect to the endpoint URL: \"http://127.0.0.1:9/\"", "failed": True},
        {"msg": "value of state must be one of: present, absent", "failed": True},
    ],
    ids=["other-aws-error", "unreachable", "bad-input"],
)
def test_other_failures_give_an_empty_string(result):
    assert access_denied(result) == ""


def test_bad_arguments_are_refused_naming_the_rule():
    with pytest.raises(AnsibleFilterError, match="expects a failed task's result"):
        access_denied("denied")
    with pytest.raises(AnsibleFilterError, match="job must be one of deploy, destroy, check"):
        access_denied({}, job="release")
