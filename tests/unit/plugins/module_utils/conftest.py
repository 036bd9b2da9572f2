"""A real boto3 ECS client whose answers are queued with botocore's Stubber."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from support.stubs import sent


@pytest.fixture
def client():
    return boto3.client("ecs", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")


@pytest.fixture
def stubber(client):
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


@pytest.fixture
def calls(client):
    """Operation names in the order the client sent them (Stubber answers each)."""
    return sent(client)
