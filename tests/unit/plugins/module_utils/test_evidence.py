"""A stopped task's evidence: which log stream the awslogs driver wrote, and bounded lines of it."""

from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.evidence import MAX_LINE_LENGTH
from ansible_collections.devops.fargate.plugins.module_utils.evidence import evidence_message
from ansible_collections.devops.fargate.plugins.module_utils.evidence import log_lines
from ansible_collections.devops.fargate.plugins.module_utils.evidence import log_stream
from ansible_collections.devops.fargate.plugins.module_utils.evidence import task_evidence

TASK = "arn:aws:ecs:us-east-1:123456789012:task/fargate-demo/0123456789abcdef"
OPTIONS = {"awslogs-group": "/ecs/fargate-demo", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "fargate-demo"}


@pytest.mark.parametrize(
    "configuration, expected",
    [
        pytest.param({"logDriver": "awslogs", "options": OPTIONS}, ("/ecs/fargate-demo", "fargate-demo/web/0123456789abcdef"), id="awslogs"),
        pytest.param({"logDriver": "awslogs", "options": dict(OPTIONS, **{"awslogs-stream-prefix": ""})}, None, id="no-prefix-stream-unknown"),
        pytest.param({"logDriver": "awsfirelens", "options": OPTIONS}, None, id="other-driver"),
        pytest.param(None, None, id="no-log-configuration"),
    ],
)
def test_log_stream(configuration, expected):
    definition = {"name": "web"} if configuration is None else {"name": "web", "logConfiguration": configuration}
    assert log_stream(definition, TASK) == expected


def test_log_lines_keeps_the_last_twenty_and_cuts_long_lines():
    events = [{"message": f"line {n}\n"} for n in range(30)] + [{"message": "x" * 1000}]
    lines = log_lines(events)
    assert len(lines) == 20 and lines[0] == "line 11" and lines[-2] == "line 29"
    assert len(lines[-1]) == MAX_LINE_LENGTH and lines[-1].endswith("...")


def test_task_evidence_and_message():
    task = {
        "taskArn": TASK,
        "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/fargate-demo:8",
        "stopCode": "EssentialContainerExited",
        "stoppedReason": "Essential container in task exited",
        "containers": [{"name": "web", "exitCode": 1}],
    }
    read = []

    def read_log(group, stream):
        read.append((group, stream))
        return ["Booting worker", "Traceback (most recent call last):", "KeyError: 'DATABASE_URL'"], None

    evidence = task_evidence(task, [{"name": "web", "logConfiguration": {"logDriver": "awslogs", "options": OPTIONS}}], read_log)
    assert read == [("/ecs/fargate-demo", "fargate-demo/web/0123456789abcdef")]
    assert evidence["containers"] == [
        {
            "name": "web",
            "exit_code": 1,
            "reason": None,
            "log_group": "/ecs/fargate-demo",
            "log_stream": "fargate-demo/web/0123456789abcdef",
            "last_log_lines": ["Booting worker", "Traceback (most recent call last):", "KeyError: 'DATABASE_URL'"],
        }
    ]
    assert evidence_message([evidence]).endswith("Booting worker | Traceback (most recent call last): | KeyError: 'DATABASE_URL'")
    assert evidence_message([]) == ""
