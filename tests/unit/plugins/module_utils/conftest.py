"""A real boto3 ECS client whose answers are queued with botocore's Stubber, wrapped as AnsibleAWSModule wraps clients."""

from __future__ import annotations

from types import SimpleNamespace

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils import cloud
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper


@pytest.fixture
def client():
    return boto3.client("ecs", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")


@pytest.fixture
def stubber(client):
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


@pytest.fixture
def wrapped(client):
    return RetryingBotoClientWrapper(client, AWSRetry.jittered_backoff())


@pytest.fixture
def retry_sleeps(monkeypatch):
    """AWSRetry sleeps through amazon.aws's cloud.time; record instead of waiting."""
    sleeps = []
    monkeypatch.setattr(cloud, "time", SimpleNamespace(sleep=sleeps.append))
    return sleeps
