from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.devops.fargate.plugins.filter.execution_secrets_policy import execution_secrets_policy

SSM = "arn:aws:ssm:eu-west-1:123456789012:parameter/fargate-demo/staging/database-url"
SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:fargate-demo/api-key-AbCdEf"
KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.mark.parametrize(
    "secrets, kms_key_arn, expected",
    [
        ({}, "", {}),
        ({}, KEY, {}),
        (
            {"DATABASE_URL": SSM},
            "",
            {"Version": "2012-10-17", "Statement": [{"Sid": "ReadSsmParameters", "Effect": "Allow", "Action": "ssm:GetParameters", "Resource": [SSM]}]},
        ),
        (
            # A JSON key, version stage and id after the secret's ARN: IAM authorizes the secret itself; one secret, two keys, one ARN.
            {"API_KEY": SECRET + ":key::", "API_USER": SECRET + ":user:AWSCURRENT:", "DB": SSM},
            KEY,
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Sid": "ReadSsmParameters", "Effect": "Allow", "Action": "ssm:GetParameters", "Resource": [SSM]},
                    {"Sid": "ReadSecrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": [SECRET]},
                    {"Sid": "DecryptSecrets", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY},
                ],
            },
        ),
        (
            {"B": SECRET, "A": "arn:aws-us-gov:ssm:us-gov-west-1:123456789012:parameter/z", "C": "arn:aws:ssm:eu-west-1:123456789012:parameter/a"},
            None,
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "ReadSsmParameters",
                        "Effect": "Allow",
                        "Action": "ssm:GetParameters",
                        "Resource": ["arn:aws-us-gov:ssm:us-gov-west-1:123456789012:parameter/z", "arn:aws:ssm:eu-west-1:123456789012:parameter/a"],
                    },
                    {"Sid": "ReadSecrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": [SECRET]},
                ],
            },
        ),
    ],
)
def test_execution_secrets_policy(secrets, kms_key_arn, expected):
    assert execution_secrets_policy(secrets, kms_key_arn=kms_key_arn) == expected


@pytest.mark.parametrize(
    "secrets, kms_key_arn, message",
    [
        ({"DB": "hunter2"}, "", "fargate_secrets.DB: must be an SSM parameter or Secrets Manager ARN"),
        ({"DB": "arn:aws:s3:::bucket/key"}, "", "fargate_secrets.DB"),
        ({"DB": SSM}, "alias/my-key", "fargate_secrets_kms_key_arn: must be a KMS key ARN"),
        (["DB"], "", "must be a dict of name: ARN"),
    ],
)
def test_execution_secrets_policy_refuses(secrets, kms_key_arn, message):
    with pytest.raises(AnsibleFilterError, match=message):
        execution_secrets_policy(secrets, kms_key_arn=kms_key_arn)
