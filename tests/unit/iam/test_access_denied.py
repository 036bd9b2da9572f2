from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.devops.fargate.plugins.module_utils.errors import access_denied_message
from ansible_collections.devops.fargate.plugins.module_utils.errors import job_for
from ansible_collections.devops.fargate.plugins.module_utils.errors import policy_file

AWS_MESSAGE = (
    "User: arn:aws:sts::123456789012:assumed-role/ci/run is not authorized to perform: ecs:ListTasks on resource:"
    " arn:aws:ecs:us-east-1:123456789012:container-instance/fargate-demo/* because no identity-based policy allows the ecs:ListTasks action"
)


def client_error(code: str, message: str, operation: str = "ListTasks") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


@pytest.mark.parametrize(
    "error, action, resource, job, expected",
    [
        (
            client_error("AccessDeniedException", AWS_MESSAGE),
            "ecs:ListTasks",
            "arn:aws:ecs:us-east-1:123456789012:cluster/fargate-demo",
            "deploy",
            [
                "Access denied: ecs:ListTasks on arn:aws:ecs:us-east-1:123456789012:container-instance/fargate-demo/*",
                "docs/iam/deploy-policy.json",
            ],
        ),
        (
            AnsibleAWSError(message="Failed to describe ECR registry", exception=client_error("AccessDeniedException", "denied", "DescribeRegistry")),
            "ecr:DescribeRegistry",
            None,
            "check",
            ["Access denied: ecr:DescribeRegistry on *.", "docs/iam/check-policy.json", "AWS said (AccessDeniedException): denied"],
        ),
        (
            client_error("UnauthorizedOperation", "You are not authorized to perform this operation.", "DescribeVpcAttribute"),
            "ec2:DescribeVpcAttribute",
            "*",
            "deploy",
            ["ec2:DescribeVpcAttribute on *", "docs/iam/deploy-policy.json"],
        ),
        (
            client_error(
                "AccessDenied",
                "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/x",
                "CreateService",
            ),
            "ecs:CreateService",
            "arn:aws:ecs:us-east-1:123456789012:service/c/s",
            "deploy",
            ["Access denied: iam:PassRole on arn:aws:iam::123456789012:role/x."],
        ),
        (
            {"failed": True, "msg": "Failed to delete role", "error": {"code": "AccessDenied", "message": "nope"}},
            "iam:DeleteRole",
            "arn:aws:iam::123456789012:role/fargate-demo-execution",
            "destroy",
            ["iam:DeleteRole on arn:aws:iam::123456789012:role/fargate-demo-execution", "docs/iam/destroy-policy.json"],
        ),
    ],
)
def test_access_denied_message_names_action_resource_and_policy(error, action, resource, job, expected):
    message = access_denied_message(error, action, resource, job)
    assert message is not None
    for part in expected:
        assert part in message, message


@pytest.mark.parametrize(
    "error",
    [
        client_error("ThrottlingException", "Rate exceeded"),
        client_error("ClusterNotFoundException", "Cluster not found."),
        AnsibleAWSError(message="Failed to do it", exception=client_error("InvalidParameterException", "bad")),
        {"failed": True, "msg": "subnet-0 not found"},
        ValueError("boom"),
    ],
)
def test_other_errors_are_not_access_denied(error):
    assert access_denied_message(error, "ecs:ListTasks", "*") is None


@pytest.mark.parametrize(
    "check_mode, state, job",
    [(False, "present", "deploy"), (True, "present", "check"), (True, "absent", "check"), (False, "absent", "destroy")],
)
def test_job_for(check_mode, state, job):
    assert job_for(check_mode, state) == job


def test_policy_file_refuses_unknown_jobs():
    assert policy_file("destroy") == "docs/iam/destroy-policy.json"
    with pytest.raises(ValueError, match="deploy, destroy, check"):
        policy_file("admin")


def test_the_action_comes_from_the_failed_operation_when_not_given():
    error = AnsibleAWSError(message="Failed to describe ECR registry", exception=client_error("AccessDeniedException", "denied", "DescribeRegistry"))
    message = access_denied_message(error, resource="*", job="check", service="ecr")
    assert message.startswith("Access denied: ecr:DescribeRegistry on *.")


class _Module:
    """What fail_json_aws_error uses of AnsibleAWSModule: check mode and the two failure exits."""

    def __init__(self, check_mode=False):
        self.check_mode = check_mode

    def fail_json(self, **result):
        raise AssertionError(("fail_json", result))

    def fail_json_aws_error(self, error):
        raise AssertionError(("fail_json_aws_error", error))


@pytest.mark.parametrize(
    "service, operation, check_mode, action, policy",
    [
        ("ecs", "DescribeServices", False, "ecs:DescribeServices", "docs/iam/deploy-policy.json"),  # ecs_deploy_info
        ("ecr", "GetAuthorizationToken", True, "ecr:GetAuthorizationToken", "docs/iam/check-policy.json"),  # ecr_auth_token_info
        ("ec2", "DescribeRouteTables", False, "ec2:DescribeRouteTables", "docs/iam/deploy-policy.json"),  # network_preflight_info
    ],
)
def test_the_info_modules_explain_an_access_denial(service, operation, check_mode, action, policy):
    from ansible_collections.devops.fargate.plugins.module_utils.errors import fail_json_aws_error

    error = AnsibleAWSError(message=f"Failed to {operation}", exception=client_error("AccessDeniedException", "", operation))
    with pytest.raises(AssertionError) as failed:
        fail_json_aws_error(_Module(check_mode), error, service=service)
    how, result = failed.value.args[0]
    assert how == "fail_json" and action in result["msg"] and policy in result["msg"]


def test_other_aws_errors_keep_the_module_s_own_failure():
    from ansible_collections.devops.fargate.plugins.module_utils.errors import fail_json_aws_error

    error = AnsibleAWSError(message="Failed", exception=client_error("InvalidParameterException", "bad", "DescribeServices"))
    with pytest.raises(AssertionError) as failed:
        fail_json_aws_error(_Module(), error, service="ecs")
    assert failed.value.args[0][0] == "fail_json_aws_error"
