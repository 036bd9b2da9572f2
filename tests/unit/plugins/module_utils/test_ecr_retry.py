"""ECR calls are retried when ECR throttles them (ThrottlingException, which AWSRetry leaves alone by default)."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.devops.fargate.plugins.module_utils.ecr import AnsibleECRError
from ansible_collections.devops.fargate.plugins.module_utils.ecr import describe_repository
from ansible_collections.devops.fargate.plugins.module_utils.ecr import get_authorization_data

REPOSITORY = {"repositoryName": "web", "repositoryArn": "arn:aws:ecr:us-east-1:123456789012:repository/web", "registryId": "123456789012"}


@pytest.fixture
def ecr():
    client = boto3.client("ecr", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


@pytest.mark.parametrize("throttles", [1, 3])
def test_a_throttled_describe_is_retried(ecr, retry_sleeps, throttles):
    client, stub = ecr
    for _attempt in range(throttles):
        stub.add_client_error("describe_repositories", service_error_code="ThrottlingException", http_status_code=400)
    stub.add_response("describe_repositories", {"repositories": [REPOSITORY]}, {"repositoryNames": ["web"]})
    assert describe_repository(client, "web")["repositoryName"] == "web"
    assert len(retry_sleeps) == throttles


def test_a_throttled_token_request_is_retried(ecr, retry_sleeps):
    client, stub = ecr
    stub.add_client_error("get_authorization_token", service_error_code="ThrottlingException", http_status_code=400)
    stub.add_response("get_authorization_token", {"authorizationData": [{"authorizationToken": "QVdTOng=", "proxyEndpoint": "https://r"}]}, {})
    assert get_authorization_data(client)[0]["proxyEndpoint"] == "https://r"
    assert len(retry_sleeps) == 1


def test_other_errors_are_not_retried(ecr, retry_sleeps):
    client, stub = ecr
    stub.add_client_error("describe_repositories", service_error_code="AccessDeniedException", http_status_code=400)
    with pytest.raises(AnsibleECRError):
        describe_repository(client, "web")
    assert retry_sleeps == []
