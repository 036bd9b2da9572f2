# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTTP side of registry.py: ansible's open_url, answering (status, headers, body) for any status.

Redirects are not followed here: registry.py follows a blob's redirect without the registry's credentials."""

from __future__ import annotations

from urllib.error import HTTPError
from urllib.error import URLError

from ansible.module_utils.urls import open_url

from ansible_collections.devops.fargate.plugins.module_utils.registry import RegistryError


# The options every registry module takes (documented by the devops.fargate.registry doc fragment).
REGISTRY_ARGUMENT_SPEC = dict(
    registry=dict(type="str", required=True),
    scheme=dict(type="str", choices=["http", "https"], default="https"),
    repository=dict(type="str", required=True),
    username=dict(type="str", default=""),
    password=dict(type="str", default="", no_log=True),
    timeout=dict(type="int", default=30),
)


def make_fetch(timeout: int):
    def fetch(method: str, url: str, headers: dict, body: bytes | None):
        try:
            response = open_url(url, method=method, headers=headers, data=body, timeout=timeout, follow_redirects="none")
            return response.status, dict(response.headers.items()), response.read()
        except HTTPError as e:
            return e.code, dict(e.headers.items()) if e.headers else {}, e.read() if e.fp else b""
        except (URLError, OSError) as e:
            raise RegistryError(f"{method} {url} did not answer: {getattr(e, 'reason', e)}") from e

    return fetch
