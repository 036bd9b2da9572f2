from __future__ import annotations

from flask.testing import FlaskClient


def test_index_reports_build_identity_defaults(client: FlaskClient) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert response.get_json() == {
        "service": "fargate-demo",
        "version": "0.0.0-dev",
        "revision": "unknown",
        "build_time": "unknown",
    }


def test_health_is_ok(client: FlaskClient) -> None:
    response = client.get("/health")

    assert response.status_code == 200
    assert response.is_json
    assert response.get_json() == {"status": "ok"}


def test_unknown_path_is_404(client: FlaskClient) -> None:
    assert client.get("/nope").status_code == 404


def test_health_rejects_post(client: FlaskClient) -> None:
    assert client.post("/health").status_code == 405
