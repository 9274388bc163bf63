"""Another clinic's clinician can neither see nor act on these patients; forms need their token.

CSRF protection is on in these tests (as in production): every form post carries the token the
page gave, and a missing or forged one changes nothing.
"""

from __future__ import annotations

import pytest

from tests.factories import bearer
from tests.integration.review.builders import demo_clinic
from tests.integration.review.pages import sign_in, token_for


def snapshot(client, d) -> dict:
    """Everything the actions below could change, read through the API as clinic A's physio."""
    headers = bearer(d["physio"])
    ann = client.get(f"/api/v1/patients/{d['ids']['ann']}", headers=headers).get_json()
    return {
        "record": {k: ann[k] for k in ("display_name", "clinical", "prescription")},
        "pending": sorted(
            a["id"] for a in client.get("/api/v1/adaptations", headers=headers).get_json()["items"]
        ),
        "alerts": sorted(
            a["id"] for a in client.get("/api/v1/alerts", headers=headers).get_json()["items"]
        ),
    }


def actions(d, alert_id):
    ann = d["ids"]["ann"]
    return [
        (
            f"/dashboard/patients/{ann}/profile",
            {"display_name": "Changed", "timezone": "UTC", "cancer_type": "x"},
        ),
        (
            f"/dashboard/patients/{ann}/prescription",
            {"rx.balance.on": "on", "rx.balance.min_level": "1", "rx.balance.max_level": "2"},
        ),
        (f"/dashboard/adaptations/{d['proposals']['walking']}/decision", {"decision": "approve"}),
        (
            f"/dashboard/adaptations/{d['proposals']['band']}/decision",
            {"decision": "modify", "level": "3"},
        ),
        (f"/dashboard/alerts/{alert_id}/ack", {"note": "done", "decision": "resume"}),
    ]


def test_another_clinics_physio_gets_404_pages_and_changes_nothing(client):
    d = demo_clinic(client)
    before = snapshot(client, d)
    (alert,) = client.get("/api/v1/alerts", headers=bearer(d["physio"])).get_json()["items"]
    sign_in(client, d["b"]["physio"])
    hidden = client.get(f"/dashboard/patients/{d['ids']['ann']}")
    missing = client.get(f"/dashboard/patients/{'0' * 32}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_data() == missing.get_data()  # a hidden patient looks like a missing one
    assert "Ann" not in hidden.get_data(as_text=True)
    token = token_for(client, "/dashboard/caseload")
    for path, form in actions(d, alert["id"]):
        response = client.post(path, data={**form, "csrf_token": token})
        assert response.status_code == 404, path
        assert "Ann" not in response.get_data(as_text=True)
    bulk = client.post(
        "/dashboard/adaptations/bulk-approve",
        data={"adaptation_id": list(d["proposals"].values()), "csrf_token": token},
    )
    assert "Approved 0" in client.get(bulk.headers["Location"]).get_data(as_text=True)
    for page in ("/dashboard/caseload?scope=clinic", "/dashboard/review"):
        html = client.get(page).get_data(as_text=True)
        assert "Ann Hughes" not in html and "Cara Lim" not in html and "Chest pain" not in html
    assert snapshot(client, d) == before


@pytest.mark.parametrize("token", [None, "forged", "another-session"])
def test_a_missing_or_forged_csrf_token_changes_nothing(client, app, token):
    assert app.config.get("WTF_CSRF_ENABLED", True) is True
    d = demo_clinic(client)
    before = snapshot(client, d)
    (alert,) = client.get("/api/v1/alerts", headers=bearer(d["physio"])).get_json()["items"]
    if token == "another-session":
        other = app.test_client()
        token = token_for(other, "/dashboard/sign-in")  # valid, but for someone else's session
    sign_in(client, d["a"]["physio"])
    for path, form in [
        *actions(d, alert["id"]),
        ("/dashboard/adaptations/bulk-approve", {"adaptation_id": d["proposals"]["cara"]}),
        ("/dashboard/sign-out", {}),
    ]:
        data = {**form, **({"csrf_token": token} if token else {})}
        response = client.post(path, data=data)
        assert response.status_code == 400, path
        assert "nothing was changed" in response.get_data(as_text=True)
    assert snapshot(client, d) == before
    assert client.get("/dashboard/caseload").status_code == 200  # still signed in


def test_sign_in_itself_needs_the_token(client):
    d = demo_clinic(client)
    response = client.post(
        "/dashboard/sign-in", data={"email": d["a"]["physio"], "password": "correct horse battery"}
    )
    assert response.status_code == 400
    assert client.get("/dashboard/caseload").status_code == 302


def test_the_json_api_needs_no_csrf_token(client):
    d = demo_clinic(client)
    (alert,) = client.get("/api/v1/alerts", headers=bearer(d["physio"])).get_json()["items"]
    response = client.post(
        f"/api/v1/alerts/{alert['id']}/ack",
        json={"note": "Phoned.", "decision": "resume"},
        headers=bearer(d["physio"]),
    )
    assert response.status_code == 200
    decided = client.post(
        f"/api/v1/adaptations/{d['proposals']['cara']}/decision",
        json={"decision": "approve"},
        headers=bearer(d["physio"]),
    )
    assert decided.status_code == 200
