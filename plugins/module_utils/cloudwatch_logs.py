# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CloudWatch Logs calls, wrapped by the error handler (the client retries each call: module_utils/clients.py)."""

from __future__ import annotations

try:
    import botocore  # pylint: disable=unused-import
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError


class AnsibleLogsError(AnsibleAWSError):
    pass


class LogsErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleLogsError

    @classmethod
    def _is_missing(cls):
        """A stream the container never wrote to (it never started) is no error: there is nothing to read."""
        return is_boto3_error_code("ResourceNotFoundException")


@LogsErrorHandler.list_error_handler("get CloudWatch log events", None)
def last_log_events(client, group: str, stream: str, limit: int) -> list[dict] | None:
    """The stream's last ``limit`` events, oldest first (one call, read from the end); None when there is no stream."""
    return client.get_log_events(logGroupName=group, logStreamName=stream, limit=limit, startFromHead=False).get("events") or []
