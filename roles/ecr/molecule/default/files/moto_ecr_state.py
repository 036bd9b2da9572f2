#!/usr/bin/env python3
"""Print an ECR repository's state as JSON, read with boto3: moto_ecr_state.py ENDPOINT REGION NAME."""

from __future__ import annotations

import json
import sys

import boto3


def main() -> None:
    endpoint, region, name = sys.argv[1:4]
    client = boto3.client(
        "ecr", endpoint_url=endpoint, region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    try:
        repository = client.describe_repositories(repositoryNames=[name])["repositories"][0]
    except client.exceptions.RepositoryNotFoundException:
        print(json.dumps({"exists": False}))
        return
    try:
        lifecycle = client.get_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"]
    except client.exceptions.LifecyclePolicyNotFoundException:
        lifecycle = None
    try:
        policy = client.get_repository_policy(repositoryName=name)["policyText"]
    except client.exceptions.RepositoryPolicyNotFoundException:
        policy = None
    tags = client.list_tags_for_resource(resourceArn=repository["repositoryArn"])["tags"]
    state = {"exists": True, "repository": repository, "lifecycle_policy_text": lifecycle, "policy_text": policy, "tags": tags}
    print(json.dumps(state, default=str))


if __name__ == "__main__":
    main()
