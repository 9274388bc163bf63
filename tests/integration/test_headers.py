"""Headers for health data and the proxy setting (issue 14, item 8)."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from sqlalchemy import select

from backend import create_app
from backend.config import ConfigError
from backend.extensions import db
from backend.models import AuditEvent
from tests.conftest import app_config
from tests.factories import bearer, clinic_with_staff, enrol, in_app, login
from tests.integration.review.pages import sign_in


@pytest.fixture
def proxied(app):
    """The app as deployed behind one load balancer (ONWARD_TRUSTED_PROXIES=1)."""
    behind = create_app(app_config(app.config["SQLALCHEMY_DATABASE_URI"], TRUSTED_PROXIES=1))
    yield behind.test_client()
    with behind.app_context():
        db.engine.dispose()  # its own pool: close it rather than leave it to the collector


def test_api_responses_with_health_data_are_not_stored_or_sniffed(client):
    physio = login(client, clinic_with_staff()["physio"])
    patient = enrol(client, physio)
    for response in (
        client.get(f"/api/v1/patients/{patient['id']}", headers=bearer(physio)),
        client.get(f"/api/v1/patients/{'0' * 32}", headers=bearer(physio)),  # a problem+json
        client.post("/api/v1/auth/login", json={"email": "x@y.example", "password": "z" * 12}),
    ):
        assert response.headers["Cache-Control"] == "no-store", response.status_code
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "Strict-Transport-Security" not in response.headers  # plain http


def test_dashboard_pages_keep_their_own_headers(client):
    sign_in(client, clinic_with_staff()["physio"])
    page = client.get("/dashboard/caseload")
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "same-origin"


def test_hsts_only_over_https_and_only_from_a_trusted_proxy(client, proxied):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    assert "Strict-Transport-Security" not in client.get("/api/v1/health", headers=forwarded).headers
    behind = proxied.get("/api/v1/health", headers=forwarded)
    assert behind.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    direct = client.get("/api/v1/health", base_url="https://onward.example")
    assert "max-age=31536000" in direct.headers["Strict-Transport-Security"]


def test_the_api_docs_page_forbids_framing_and_allows_only_its_own_script(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    csp = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    (inline,) = re.findall(rb"<script>(.*?)</script>", page.get_data(), re.S)
    digest = base64.b64encode(hashlib.sha256(inline).digest()).decode()
    assert f"'sha256-{digest}'" in csp
    assert page.headers["Cache-Control"] == "no-store"


def _sign_in_statuses(client, addresses, **headers):
    return [
        client.post(
            "/api/v1/auth/login",
            json={"email": f"u{i}@x.example", "password": "wrong password"},
            headers={"X-Forwarded-For": address, **headers},
        ).status_code
        for i, address in enumerate(addresses)
    ]


def test_behind_a_trusted_proxy_each_client_address_has_its_own_limit(proxied):
    statuses = _sign_in_statuses(proxied, [f"198.51.100.{i}" for i in range(25)])
    assert 429 not in statuses  # 25 clients, one try each, through one load balancer


def test_without_trusting_a_proxy_a_forged_forwarded_for_changes_nothing(client):
    statuses = _sign_in_statuses(client, [f"198.51.100.{i}" for i in range(21)])
    assert statuses[20] == 429  # all came from the same real address


@in_app
def _audited_addresses() -> list[str | None]:
    return list(db.session.scalars(select(AuditEvent.remote_addr)))


def test_the_audit_records_the_client_address_the_proxy_saw(proxied):
    physio = login(proxied, clinic_with_staff()["physio"])
    proxied.get("/api/v1/patients", headers={**bearer(physio), "X-Forwarded-For": "192.0.2.44"})
    assert "192.0.2.44" in _audited_addresses()


@pytest.mark.parametrize("value", ["-1", "6", "two"])
def test_a_nonsense_proxy_hop_count_refuses_to_start(monkeypatch, value):
    monkeypatch.setenv("ONWARD_TRUSTED_PROXIES", value)
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        create_app(app_config("sqlite://"))
