"""AWS endpoints of a test's own, on loopback, that throttle a number of requests and then answer, counting what they
get: for tests of the modules' retries through the real modules."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer


class ThrottlingEndpoint:
    """Answers the first ``throttle`` requests with ``throttled`` and the rest with ``answer``: each a ``(status,
    body)`` pair, sent as ``content_type``. ``requests`` holds each request's ``X-Amz-Target`` header (the JSON
    protocols' operation; empty for the query protocol's)."""

    def __init__(self, throttle: int, throttled: tuple[int, bytes], answer: tuple[int, bytes], content_type: str) -> None:
        self.throttle = throttle
        self.requests: list[str] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802  (http.server's name)
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                endpoint.requests.append(self.headers.get("X-Amz-Target", ""))
                status, payload = throttled if len(endpoint.requests) <= endpoint.throttle else answer
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
