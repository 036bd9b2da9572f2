"""A running service as the fargate role's variables: what maps, and what is named instead of guessed."""

from __future__ import annotations

from ansible_collections.devops.fargate.plugins.module_utils.inventory_import import inventory_vars

SERVICE = {
    "serviceName": "web",
    "clusterArn": "arn:aws:ecs:eu-west-1:123456789012:cluster/prod",
    "desiredCount": 3,
    "launchType": "FARGATE",
    "platformVersion": "1.4.0",
    "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1", "subnet-2"], "securityGroups": ["sg-1"], "assignPublicIp": "DISABLED"}},
    "deploymentConfiguration": {
        "deploymentCircuitBreaker": {"enable": True, "rollback": True},
        "maximumPercent": 200,
        "minimumHealthyPercent": 100,
        "alarms": {"alarmNames": [], "rollback": False, "enable": False},
        "strategy": "CANARY",
        "bakeTimeInMinutes": 10,
        "canaryConfiguration": {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 5},
    },
    "tags": [{"key": "team", "value": "web"}, {"key": "devops-fargate:last-good", "value": "x"}, {"key": "aws:cloudformation:stack-name", "value": "s"}],
}
TASK_DEFINITION = {
    "family": "web",
    "cpu": "512",
    "memory": "1024",
    "executionRoleArn": "arn:aws:iam::123456789012:role/service/web-execution",
    "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
    "containerDefinitions": [
        {
            "name": "web",
            "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1.4.2",
            "portMappings": [{"containerPort": 8000, "hostPort": 8000, "protocol": "tcp"}],
            "environment": [{"name": "LOG_LEVEL", "value": "info"}],
            "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:ssm:eu-west-1:123456789012:parameter/web/db"}],
            "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/web", "awslogs-stream-prefix": "web"}},
        },
        {"name": "xray", "image": "amazon/aws-xray-daemon", "essential": False},
    ],
}


def test_the_service_and_its_revision_as_the_roles_variables():
    found, notes = inventory_vars(SERVICE, TASK_DEFINITION)
    assert found["fargate_cluster_name"] == "prod" and found["fargate_desired_count"] == 3
    assert (found["fargate_cpu"], found["fargate_memory"], found["fargate_cpu_architecture"]) == (512, 1024, "ARM64")
    assert found["fargate_execution_role_name"] == "web-execution"
    assert (found["fargate_image_repository"], found["fargate_image_tag"]) == ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/web", "1.4.2")
    assert found["fargate_secrets"] == {"DB_PASSWORD": "arn:aws:ssm:eu-west-1:123456789012:parameter/web/db"}, "the reference, never a value"
    assert found["fargate_deployment_strategy"] == {"type": "canary", "bake_time": 10, "canary_percent": 10.0, "canary_bake_time": 5}
    assert "fargate_alarms" not in found, "a disabled alarms block is not the inventory's"
    assert found["fargate_tags"] == {"team": "web"}
    assert found["fargate_assign_public_ip"] is False and found["fargate_log_group"] == "/ecs/web"
    assert notes == ["container xray: the role runs one container; this one is not in the variables"]


def test_what_the_role_cannot_say_is_named():
    other = dict(TASK_DEFINITION, containerDefinitions=[dict(TASK_DEFINITION["containerDefinitions"][0], command=["run"],
                                                             logConfiguration={"logDriver": "awsfirelens"})], volumes=[{"name": "data"}])
    _found, notes = inventory_vars(SERVICE, other)
    assert any("command has no role variable" in note for note in notes)
    assert any("log driver awsfirelens" in note for note in notes)
    assert any("volumes" in note for note in notes)
