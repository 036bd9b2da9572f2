"""The collection's clients: botocore's standard retries, 10 attempts a call, unless the module's aws_config says
otherwise. (How many requests a throttled call makes, through the real modules: tests/integration/test_retries.py.)"""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.botocore import boto3_conn
from ansible_collections.devops.fargate.plugins.module_utils.clients import aws_client


class ModuleStandIn:
    """AnsibleAWSModule.client's path to boto3 (amazon.aws's boto3_conn), with the module's aws_config option."""

    def __init__(self, aws_config: dict | None = None) -> None:
        self.aws_config = aws_config

    def client(self, service: str, retry_decorator=None, **extra_params):
        assert retry_decorator is None, "a second retry layer around the client"
        params = dict(region="us-east-1", endpoint="http://127.0.0.1:9", aws_access_key_id="x", aws_secret_access_key="x", **extra_params)
        if self.aws_config is not None:
            params["aws_config"] = self.aws_config
        return boto3_conn(self, conn_type="client", resource=service, **params)


def test_clients_retry_in_botocores_standard_mode_ten_attempts_a_call():
    client = aws_client(ModuleStandIn(), "ecs")
    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 10}
    assert not hasattr(client, "client"), "wrapped in a retrying wrapper"


def test_the_modules_aws_config_retries_win():
    client = aws_client(ModuleStandIn({"retries": {"mode": "adaptive", "total_max_attempts": 3}}), "ecr")
    assert client.meta.config.retries == {"mode": "adaptive", "total_max_attempts": 3}


def test_an_aws_config_without_retries_keeps_the_default():
    client = aws_client(ModuleStandIn({"connect_timeout": 5}), "ecr")
    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 10}
    assert client.meta.config.connect_timeout == 5


def test_a_client_of_one_attempt_keeps_the_standard_mode():
    client = aws_client(ModuleStandIn(), "sts", attempts=1)
    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 1}
