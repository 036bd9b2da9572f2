# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's AWS clients, and their one retry layer.

Every call is retried by botocore's standard retry mode alone: throttling (``ThrottlingException``,
``Throttling``, ``RequestLimitExceeded``, ...), transient errors (HTTP 500/502/503/504) and dropped
connections, with exponential backoff and jitter, up to 10 attempts a call (``total_max_attempts``), within
botocore's retry quota. There is no second layer (amazon.aws's ``AWSRetry``) around the calls: two
layers multiply, and 10 attempts inside 10 retries make about 100 attempts of a throttled call.

The module's ``aws_config`` option (``retries: {mode: ..., total_max_attempts: ...}``) replaces this default.
"""

from __future__ import annotations

# What a client retries unless the module's aws_config says otherwise.
RETRIES = {"mode": "standard", "total_max_attempts": 10}


def aws_client(module, service: str, attempts: int | None = None):
    """``module.client(service)`` (an AnsibleAWSModule's) with botocore's standard retries, ``attempts`` a call when
    given (1: no retry). The module's own ``aws_config`` is merged after this ``config``, so its ``retries``, when
    given, win."""
    retries = dict(RETRIES) if attempts is None else dict(RETRIES, total_max_attempts=attempts)
    return module.client(service, config={"retries": retries})
