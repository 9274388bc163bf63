"""What the clinic's IT team relies on: health, metrics, the API document, and clean logs."""

from __future__ import annotations

import json
import logging

from tests.factories import PASSWORD, bearer, clinic_with_staff, enrol, login


def test_health_reports_database_and_policy(client):
    body = client.get("/api/v1/health").get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["policy"] in ("rules", "model")


def test_metrics_are_prometheus_text(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "scrape-token-0123456789")
    client.get("/api/v1/health")
    response = client.get("/metrics", headers={"Authorization": "Bearer scrape-token-0123456789"})
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert (
        'onward_http_requests_total{method="GET",route="/api/v1/health",status="200"}'
        in response.get_data(as_text=True)
    )


def test_openapi_document_describes_every_api_route(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    documented = set(spec["paths"])
    for rule in app.url_map.iter_rules():
        if (
            rule.rule.startswith("/api/v1/")
            and "docs" not in rule.rule
            and rule.rule != "/api/v1/openapi.json"
        ):
            assert rule.rule.replace("<", "{").replace(">", "}") in documented, rule.rule
    assert "bearerAuth" in spec["components"]["securitySchemes"]
    error = spec["components"]["responses"]["UNPROCESSABLE_ENTITY"]["content"]
    assert "application/problem+json" in error


def test_docs_page_is_served_from_the_app(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200 and b"swagger" in page.data.lower()
    assert b"cdn" not in page.data.lower()
    with client.get("/api/v1/docs/swagger-ui-bundle.js") as script:
        assert script.status_code == 200 and len(script.data) > 100_000


def test_logs_never_contain_passwords_tokens_or_invite_codes(client, caplog):
    from backend.logs import redact

    staff = clinic_with_staff()
    caplog.set_level(logging.INFO)
    tokens = login(client, staff["physio"])
    invite = enrol(client, tokens)["invite_code"]
    client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    client.get("/api/v1/patients", headers=bearer(tokens))
    # Also what a careless log call might carry:
    logging.getLogger("onward.test").info("debug %s %s", tokens["access_token"], invite)
    rendered = [
        json.dumps(
            redact(None, None, {"event": r.getMessage(), **getattr(r, "__dict__", {})}), default=str
        )
        for r in caplog.records
    ]
    text = "\n".join(rendered)
    for secret in (PASSWORD, tokens["access_token"], tokens["refresh_token"], invite):
        assert secret not in text
    assert any(
        '"route": "/api/v1/auth/login"' in line or "/api/v1/auth/login" in line for line in rendered
    )


def test_log_output_is_json_with_secrets_redacted(capfd):
    import structlog

    from backend import logs

    logs.configure("INFO")
    structlog.get_logger("t").info(
        "signed in", password="hunter2hunter2", invite_code="ABCD-EFGH-JKLM", user="u1"
    )
    logging.getLogger("t").warning("token Bearer abc.def.ghi leaked")
    err = capfd.readouterr().err.strip().splitlines()
    records = [json.loads(line) for line in err[-2:]]
    assert records[0]["password"] == "[redacted]" and records[0]["invite_code"] == "[redacted]"
    assert records[0]["user"] == "u1"
    assert "abc.def.ghi" not in records[1]["event"]
