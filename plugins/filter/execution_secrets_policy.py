# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: execution_secrets_policy
short_description: The inline policy that lets a task execution role read exactly its secrets
version_added: 0.1.0
description:
  - ECS reads a task's C(secrets) with the task execution role. C(AmazonECSTaskExecutionRolePolicy) allows none of
    them; this filter writes the policy that allows exactly the ones given, and nothing else.
  - SSM parameter ARNs get C(ssm:GetParameters), Secrets Manager ARNs C(secretsmanager:GetSecretValue) on the secret
    (a C(:json-key:version-stage:version-id) suffix is dropped, as IAM authorizes the secret), and a KMS key, when
    named, C(kms:Decrypt) for the values it encrypts.
  - Returns an empty dict when there are no secrets, so the role can carry no such policy.
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  _input:
    description: The secrets by variable name, each an SSM parameter or Secrets Manager ARN (C(fargate_secrets)).
    type: dict
    required: true
  kms_key_arn:
    description: The customer managed KMS key the parameters or secrets are encrypted with; empty for AWS managed keys.
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: Let the execution role read its secrets
  amazon.aws.iam_policy:
    iam_type: role
    iam_name: fargate-demo-execution
    policy_name: devops-fargate-secrets
    policy_json: "{{ fargate_secrets | devops.fargate.execution_secrets_policy(kms_key_arn=fargate_secrets_kms_key_arn) | to_json }}"
# {"DB_URL": "arn:aws:ssm:eu-west-1:123456789012:parameter/app/db-url"} | devops.fargate.execution_secrets_policy
# => {"Version": "2012-10-17", "Statement": [{"Sid": "ReadSsmParameters", "Effect": "Allow", "Action": "ssm:GetParameters",
#     "Resource": ["arn:aws:ssm:eu-west-1:123456789012:parameter/app/db-url"]}]}
"""

RETURN = r"""
_value:
  description: An IAM policy document, or an empty dict when there are no secrets.
  type: dict
"""

import re
from typing import Any

from ansible.errors import AnsibleFilterError

_SSM = re.compile(r"^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter/\S+$")
_SECRET = re.compile(r"^(?P<secret>arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[^:\s]+)(:[^:]*){0,3}$")
_KMS_KEY = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$")


def execution_secrets_policy(secrets: Any, kms_key_arn: str | None = "") -> dict:
    if not isinstance(secrets, dict):
        raise AnsibleFilterError(f"execution_secrets_policy: fargate_secrets must be a dict of name: ARN, got {type(secrets).__name__}")
    parameters, secret_arns, errors = set(), set(), []
    for name, arn in secrets.items():
        value = str(arn)
        secret = _SECRET.match(value)
        if _SSM.match(value):
            parameters.add(value)
        elif secret:
            secret_arns.add(secret.group("secret"))
        else:
            errors.append(f"fargate_secrets.{name}: must be an SSM parameter or Secrets Manager ARN, got {value!r}")
    if kms_key_arn and not _KMS_KEY.match(str(kms_key_arn)):
        errors.append(f"fargate_secrets_kms_key_arn: must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), got {kms_key_arn!r}")
    if errors:
        raise AnsibleFilterError("; ".join(errors))
    if not parameters and not secret_arns:
        return {}
    statements = []
    if parameters:
        statements.append({"Sid": "ReadSsmParameters", "Effect": "Allow", "Action": "ssm:GetParameters", "Resource": sorted(parameters)})
    if secret_arns:
        statements.append({"Sid": "ReadSecrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": sorted(secret_arns)})
    if kms_key_arn:
        statements.append({"Sid": "DecryptSecrets", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": str(kms_key_arn)})
    return {"Version": "2012-10-17", "Statement": statements}


class FilterModule:
    def filters(self):
        return {"execution_secrets_policy": execution_secrets_policy}
