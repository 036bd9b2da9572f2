"""Container health check: exit 0 iff GET /health on the local port is 200.

Run as ``python3 -m webapp.healthcheck`` by both the image's HEALTHCHECK and
the ECS task definition's healthCheck. Standard library only, so each check
stays cheap.
"""

from __future__ import annotations

import http.client
import os
import sys
import urllib.request
from collections.abc import Mapping

TIMEOUT_SECONDS = 2.0
DEFAULT_PORT = "8000"

# An empty ProxyHandler ignores HTTP(S)_PROXY: a proxy set for outbound
# traffic must not intercept a loopback probe.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def health_url(environ: Mapping[str, str] = os.environ) -> str:
    port = environ.get("PORT", "").strip() or DEFAULT_PORT
    return f"http://127.0.0.1:{port}/health"


def is_healthy(url: str, timeout: float = TIMEOUT_SECONDS) -> bool:
    # The timeout bounds the connect and each read; the orchestrator's own
    # timeout (3 s in the Dockerfile) bounds the whole check.
    try:
        with _opener.open(url, timeout=timeout) as response:
            return response.status == 200
    except (OSError, http.client.HTTPException, ValueError):
        # OSError covers URLError/HTTPError (non-2xx), refusals and timeouts;
        # HTTPException a garbled response or a non-numeric PORT.
        return False


def main() -> int:
    return 0 if is_healthy(health_url()) else 1


if __name__ == "__main__":
    sys.exit(main())
