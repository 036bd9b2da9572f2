"""The derivation of docs/iam/calls.json: a moto recording or a botocore call -> (action, resource, conditions)."""

from __future__ import annotations

import base64
import json

import pytest

from support import awscalls
from support.awscalls import Call
from support.awscalls import Names

ACCOUNT = "123456789012"
NAMES = Names(mapping={"e2e-demo": "fargate-demo"})
ECS = "arn:aws:ecs:REGION:ACCOUNT_ID:"


@pytest.mark.parametrize(
    "prefix, operation, params, expected",
    [
        (
            "ecs",
            "ListTasks",
            {"cluster": "e2e-demo", "serviceName": "e2e-demo", "desiredStatus": "STOPPED"},
            [Call("ecs:ListTasks", "*", (("ecs:cluster", ECS + "cluster/fargate-demo"),))],
        ),
        (
            "ecs",
            "DescribeTasks",
            {"cluster": "arn:aws:ecs:us-east-1:123456789012:cluster/e2e-demo", "tasks": ["arn:aws:ecs:us-east-1:123456789012:task/e2e-demo/0a1b2c3d4e5f"]},
            [Call("ecs:DescribeTasks", ECS + "task/fargate-demo/*", (("ecs:cluster", ECS + "cluster/fargate-demo"),))],
        ),
        (
            "ecs",
            "RegisterTaskDefinition",
            {"family": "e2e-demo", "executionRoleArn": "arn:aws:iam::123456789012:role/e2e-demo-execution", "containerDefinitions": []},
            [
                Call("ecs:RegisterTaskDefinition", ECS + "task-definition/fargate-demo:*"),
                Call("iam:PassRole", "arn:aws:iam::ACCOUNT_ID:role/fargate-demo-execution", (("iam:PassedToService", "ecs-tasks.amazonaws.com"),)),
            ],
        ),
        (
            "ecs",
            "RegisterTaskDefinition",
            {"family": "e2e-demo", "tags": [{"key": "service", "value": "e2e-demo"}]},
            [
                Call("ecs:RegisterTaskDefinition", ECS + "task-definition/fargate-demo:*"),
                Call("ecs:TagResource", ECS + "task-definition/fargate-demo:*", (("ecs:CreateAction", "RegisterTaskDefinition"),)),
            ],
        ),
        (
            "ecs",
            "TagResource",
            {"resourceArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/e2e-demo:12", "tags": []},
            [Call("ecs:TagResource", ECS + "task-definition/fargate-demo:*")],
        ),
        ("ecs", "DescribeTaskDefinition", {"taskDefinition": "e2e-demo"}, [Call("ecs:DescribeTaskDefinition", "*")]),
        (
            "ecs",
            "DescribeServices",
            {"cluster": "e2e-demo", "services": ["e2e-demo"], "include": ["TAGS"]},
            [Call("ecs:DescribeServices", ECS + "service/fargate-demo/fargate-demo")],
        ),
        ("ecr", "DescribeRegistry", {}, [Call("ecr:DescribeRegistry", "*")]),
        (
            "ecr",
            "DescribeRepositories",
            {"repositoryNames": ["e2e-demo"]},
            [Call("ecr:DescribeRepositories", "arn:aws:ecr:REGION:ACCOUNT_ID:repository/fargate-demo")],
        ),
        (
            "logs",
            "TagResource",
            {"resourceArn": "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/e2e-demo:*", "tags": {}},
            [Call("logs:TagResource", "arn:aws:logs:REGION:ACCOUNT_ID:log-group:/ecs/fargate-demo")],
        ),
        ("logs", "DescribeLogGroups", {"logGroupNamePrefix": "/ecs/e2e-demo"}, [Call("logs:DescribeLogGroups", "*")]),
        (
            "iam",
            "AttachRolePolicy",
            {"RoleName": "e2e-demo-execution", "PolicyArn": "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"},
            [
                Call(
                    "iam:AttachRolePolicy",
                    "arn:aws:iam::ACCOUNT_ID:role/fargate-demo-execution",
                    (("iam:PolicyARN", "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"),),
                )
            ],
        ),
        (
            "ec2",
            "DescribeVpcAttribute",
            {"VpcId": "vpc-0a", "Attribute": "enableDnsSupport"},
            [Call("ec2:DescribeVpcAttribute", "arn:aws:ec2:REGION:ACCOUNT_ID:vpc/*")],
        ),
        ("sts", "GetCallerIdentity", {}, [Call("sts:GetCallerIdentity", "*")]),
    ],
)
def test_calls_of(prefix, operation, params, expected):
    calls = awscalls.calls_of(prefix, operation, params, "us-east-1", ACCOUNT)
    assert [awscalls.normalised(call, NAMES) for call in calls] == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("arn:aws:iam::123456789012:role/e2e-demo-task", "arn:aws:iam::ACCOUNT_ID:role/fargate-demo-task"),
        ("arn:aws:ecs:eu-west-1:123456789012:service/e2e-demo/e2e-demo", "arn:aws:ecs:eu-west-1:ACCOUNT_ID:service/fargate-demo/fargate-demo"),
        ("arn:aws:ecs:us-east-1:123456789012:service/other/other", "arn:aws:ecs:REGION:ACCOUNT_ID:service/other/other"),
        ("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy", "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"),
        ("arn:aws:ec2:us-east-1:123456789012:vpc/vpc-6941e959205a1bb85", "arn:aws:ec2:REGION:ACCOUNT_ID:vpc/*"),
        ("ecs-tasks.amazonaws.com", "ecs-tasks.amazonaws.com"),
        ("*", "*"),
    ],
)
def test_normalise(value, expected):
    assert awscalls.normalise(value, NAMES) == expected


def _line(headers: dict, body: str, encoded: bool = False) -> str:
    if encoded:
        body = base64.b64encode(body.encode()).decode()
    return json.dumps({"headers": headers, "method": "POST", "url": "http://127.0.0.1:5051/", "body": body, "body_encoded": encoded})


def _auth(service: str, key: str = "IAMRECORD1") -> str:
    return f"AWS4-HMAC-SHA256 Credential={key}/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0"


def test_parse_recording_reads_json_and_query_protocols():
    text = "\n".join(
        [
            _line(
                {"Authorization": _auth("ecs"), "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.DescribeServices", "User-Agent": "Boto3 app/run-1"},
                json.dumps({"cluster": "e2e-demo", "services": ["e2e-demo"]}),
                encoded=True,
            ),
            _line({"Authorization": _auth("iam"), "User-Agent": "Boto3 app/run-1"}, "Action=GetRole&Version=2010-05-08&RoleName=e2e-demo-execution"),
            _line({"Authorization": _auth("ec2", "testing"), "User-Agent": "Boto3"}, "Action=DescribeVpcs&Filter.1.Name=is-default"),
            _line({"Authorization": _auth("iam")}, "not-an-action"),
            "",
        ]
    )
    requests = awscalls.parse_recording(text)
    assert [(r.prefix, r.operation) for r in requests] == [("ecs", "DescribeServices"), ("iam", "GetRole"), ("ec2", "DescribeVpcs")]
    assert requests[1].params == {"RoleName": "e2e-demo-execution"}
    assert awscalls.calls_from_requests(requests, NAMES, "IAMRECORD1") == [
        Call("ecs:DescribeServices", ECS + "service/fargate-demo/fargate-demo"),
        Call("iam:GetRole", "arn:aws:iam::ACCOUNT_ID:role/fargate-demo-execution"),
    ]


@pytest.mark.parametrize(
    "playbook, args, job",
    [
        ("deploy.yml", (), "deploy"),
        ("deploy.yml", ("--check",), "check"),
        ("deploy.yml", ("--tags", "image,ecr"), "deploy"),
        ("playbooks/rollback.yml", ("-e", "rollback_to=2"), "rollback"),
        ("playbooks/destroy.yml", ("-e", "destroy_images=true"), "destroy"),
        ("playbooks/local_stack.yml", (), None),
    ],
)
def test_job_of(playbook, args, job):
    assert awscalls.job_of(playbook, args) == job


def test_record_merges_jobs_and_keeps_recorded_over_code_paths():
    record = awscalls.Record()
    call = Call("ecs:DescribeServices", ECS + "service/fargate-demo/fargate-demo")
    record.add("rollback", [call])
    record.add("deploy", [call, call])
    record.add("deploy", [Call("ecr:PutImage", "arn:aws:ecr:REGION:ACCOUNT_ID:repository/fargate-demo")], "code path: docker push")
    assert record.entries() == [
        {
            "action": "ecr:PutImage",
            "resource": "arn:aws:ecr:REGION:ACCOUNT_ID:repository/fargate-demo",
            "conditions": {},
            "jobs": ["deploy"],
            "source": "code path: docker push",
        },
        {
            "action": "ecs:DescribeServices",
            "resource": ECS + "service/fargate-demo/fargate-demo",
            "conditions": {},
            "jobs": ["deploy", "rollback"],
            "source": "recorded",
        },
    ]
    assert record.jobs() == {"deploy", "rollback"}


def test_failed_rollouts_record_list_tasks_on_star_with_the_cluster():
    calls = set(awscalls.stubbed_rollout_calls())
    assert Call("ecs:ListTasks", "*", (("ecs:cluster", ECS + "cluster/fargate-demo"),)) in calls
    assert Call("ecs:UpdateService", ECS + "service/fargate-demo/fargate-demo") in calls
    assert all(call.resource == "*" or "fargate-demo" in call.resource for call in calls)
