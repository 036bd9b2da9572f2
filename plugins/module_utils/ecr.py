# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ECR helpers: API calls wrapped by the error handler, then the retry, and pure decoding."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlsplit

try:
    import botocore  # pylint: disable=unused-import
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry


class AnsibleECRError(AnsibleAWSError):
    pass


class ECRErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleECRError


@ECRErrorHandler.common_error_handler("get ECR authorization token")
@AWSRetry.jittered_backoff()
def get_authorization_data(client, registry_ids: list[str] | None = None) -> list[dict]:
    params = {"registryIds": registry_ids} if registry_ids else {}
    return client.get_authorization_token(**params)["authorizationData"]


def decode_authorization_token(token: str) -> tuple[str, str]:
    """Split an ECR authorization token (base64 of ``user:password``) into its parts."""
    try:
        decoded = base64.b64decode(token, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as e:
        raise ValueError("the authorization token is not valid base64 text") from e
    username, sep, password = decoded.partition(":")
    if not sep or not username or not password:
        raise ValueError("the authorization token does not decode to user:password")
    return username, password


def registry_host(proxy_endpoint: str) -> str:
    """The host[:port] that docker logs in and pushes to, from ``https://host[:port]``."""
    parts = urlsplit(proxy_endpoint if "//" in proxy_endpoint else "//" + proxy_endpoint)
    if not parts.hostname:
        raise ValueError(f"proxy endpoint {proxy_endpoint!r} has no host")
    return parts.netloc
