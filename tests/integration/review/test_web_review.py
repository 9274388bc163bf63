"""The review queue and the patient page: decide proposals and acknowledge red flags, audited."""

from __future__ import annotations

from datetime import timedelta

from backend import clock
from tests.factories import bearer, login
from tests.integration.review.builders import adaptation, demo_clinic
from tests.integration.review.pages import sign_in, token_for


def status_of(client, d, adaptation_id):
    for status in ("pending", "approved", "modified", "rejected", "superseded"):
        listed = client.get(
            f"/api/v1/adaptations?status={status}", headers=bearer(d["physio"])
        ).get_json()
        found = next((a for a in listed if a["id"] == adaptation_id), None)
        if found:
            return found
    raise AssertionError("adaptation not found")


def open_alerts(client, d):
    return client.get("/api/v1/alerts", headers=bearer(d["physio"])).get_json()


def post(client, path, data, page="/dashboard/review"):
    return client.post(path, data={**data, "csrf_token": token_for(client, page)})


def test_the_queue_shows_alerts_and_proposals_with_recent_data(client):
    d = demo_clinic(client)
    sign_in(client, d["a"]["physio"])
    html = client.get("/dashboard/review").get_data(as_text=True)
    assert "Chest pain" in html and "Acknowledge" in html
    for proposal in d["proposals"].values():
        assert f'id="proposal-{proposal}"' in html
    assert "Last 14 days" in html and "Adherence (28 days)" in html
    assert "Not routine: the patient has an open red flag" in html  # Ann's +1 step


def test_approve_modify_and_reject_from_the_page(client):
    d = demo_clinic(client)
    with clock.frozen(clock.now() + timedelta(minutes=20)):  # after this morning's check-in
        _decide_three(client, d)


def _decide_three(client, d):
    sign_in(client, d["a"]["physio"])
    walking, band, cara = d["proposals"]["walking"], d["proposals"]["band"], d["proposals"]["cara"]
    done = post(client, f"/dashboard/adaptations/{walking}/decision", {"decision": "approve"})
    assert done.status_code == 303
    assert "Approved: Ann Hughes" in client.get(done.headers["Location"]).get_data(as_text=True)
    post(
        client,
        f"/dashboard/adaptations/{band}/decision",
        {"decision": "modify", "level": "3", "note": "One step at a time."},
    )
    post(client, f"/dashboard/adaptations/{cara}/decision", {"decision": "reject", "level": "4"})
    approved, modified, rejected = (status_of(client, d, i) for i in (walking, band, cara))
    assert approved["status"] == "approved" and approved["applied_level"] == 3
    assert modified["status"] == "modified" and modified["applied_level"] == 3
    assert modified["note"] == "One step at a time."
    assert rejected["status"] == "rejected" and rejected["applied_level"] is None
    assert approved["decided_by"] == d["a"]["physio_id"]
    me = client.get("/api/v1/me", headers=bearer(d["tokens"]["ann"])).get_json()
    assert me["levels"]["walking_aerobic"] == 3 and me["levels"]["resistance_band"] == 3
    admin = login(client, d["a"]["admin"])
    events = client.get(
        "/api/v1/audit", query_string={"patient_id": d["ids"]["ann"]}, headers=bearer(admin)
    ).get_json()
    actions = {e["action"] for e in events if e["actor_id"] == d["a"]["physio_id"]}
    assert {"adaptation.approve", "adaptation.modify"} <= actions


def test_a_level_outside_the_prescription_is_refused_with_the_apis_message(client):
    d = demo_clinic(client)
    sign_in(client, d["a"]["physio"])
    band = d["proposals"]["band"]  # resistance band range 1-5
    response = post(
        client, f"/dashboard/adaptations/{band}/decision", {"decision": "modify", "level": "7"}
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Allowed levels: 1-5." in page
    api = client.post(
        f"/api/v1/adaptations/{band}/decision",
        json={"decision": "modify", "level": 7},
        headers=bearer(d["physio"]),
    ).get_json()
    assert api["errors"]["json"]["level"] == ["Allowed levels: 1-5."]
    assert status_of(client, d, band)["status"] == "pending"


def test_deciding_twice_says_it_was_already_decided(client):
    d = demo_clinic(client)
    sign_in(client, d["a"]["physio"])
    walking = d["proposals"]["walking"]
    post(client, f"/dashboard/adaptations/{walking}/decision", {"decision": "approve"})
    again = post(client, f"/dashboard/adaptations/{walking}/decision", {"decision": "reject"})
    assert "already approved" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert status_of(client, d, walking)["status"] == "approved"


def test_bulk_approve_takes_only_routine_progressions(client):
    d = demo_clinic(client)
    sign_in(client, d["a"]["physio"])
    # A forged form also names Ann's proposals: +2 (not a routine step) and +1 with an open
    # red flag. Only Cara's +1 inside her range is approved.
    response = client.post(
        "/dashboard/adaptations/bulk-approve",
        data={
            "adaptation_id": list(d["proposals"].values()),
            "note": "Routine.",
            "csrf_token": token_for(client, "/dashboard/review"),
        },
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Approved 1 routine progression" in page and "Skipped 2" in page
    assert status_of(client, d, d["proposals"]["cara"])["status"] == "approved"
    assert status_of(client, d, d["proposals"]["cara"])["note"] == "Routine."
    assert status_of(client, d, d["proposals"]["walking"])["status"] == "pending"
    assert status_of(client, d, d["proposals"]["band"])["status"] == "pending"


def test_acknowledge_a_red_flag_from_the_patient_page(client):
    d = demo_clinic(client)
    sign_in(client, d["a"]["physio"])
    patient_page = f"/dashboard/patients/{d['ids']['ann']}"
    (alert,) = open_alerts(client, d)
    empty = post(client, f"/dashboard/alerts/{alert['id']}/ack", {"note": " "}, patient_page)
    assert "Add a note." in client.get(empty.headers["Location"]).get_data(as_text=True)
    assert len(open_alerts(client, d)) == 1
    done = post(
        client,
        f"/dashboard/alerts/{alert['id']}/ack",
        {
            "note": "Phoned; chest pain settled, GP today.",
            "decision": "resume",
            "next": patient_page + "#alerts",
        },
        patient_page,
    )
    assert done.headers["Location"].endswith(patient_page + "#alerts")
    html = client.get(patient_page).get_data(as_text=True)
    assert "Red flag acknowledged for Ann Hughes" in html and "No open red flags." in html
    assert "GP today" in html  # the acknowledged list keeps the note
    assert open_alerts(client, d) == []


def test_the_patient_page_shows_trends_sessions_and_every_decision_with_its_reason(client):
    d = demo_clinic(client)
    sign_in(client, d["a"]["physio"])
    html = client.get(f"/dashboard/patients/{d['ids']['ann']}").get_data(as_text=True)
    assert html.count('<svg class="chart"') == 8  # 5 charts (with the ESAS-r) + 3 level charts
    assert "Fatigue averaged" in html and "1 session stopped early" in html
    assert "Stopped early: Felt dizzy" in html
    assert (
        "Seated Baduanjin 1: Two hands hold up the sky instead of "
        "Baduanjin 1: Two hands hold up the sky" in html
    )
    assert "Too big a jump during chemotherapy." in html and "Rejected" in html
    assert "Decided by Physio" in html and "Risk of a flare:" in html
    assert "P(tolerated)" not in html and "Model step up" not in html


def test_bulk_approve_is_not_ticked_for_patients_not_doing_the_programme(client):
    """Issue 16, item 4: bulk approve was pre-ticked for a 48 %-adherence patient."""
    d = demo_clinic(client)
    fay = adaptation(d["ids"]["fay"], "walking_aerobic", 1, 2)
    bob = adaptation(d["ids"]["bob"], "walking_aerobic", 1, 2)
    sign_in(client, d["a"]["physio"])
    html = client.get("/dashboard/review").get_data(as_text=True)
    card = html[html.index(f'id="proposal-{fay}"') :]
    assert "Not routine: adherence" in card[: card.index("</article>")]
    card = html[html.index(f'id="proposal-{bob}"') :]
    assert "Not routine: adherence 7" in card[: card.index("</article>")]  # four missed
    response = client.post(
        "/dashboard/adaptations/bulk-approve",
        data={
            "adaptation_id": [fay, bob, d["proposals"]["cara"]],
            "csrf_token": token_for(client, "/dashboard/review"),
        },
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Approved 1 routine progression" in page and "Skipped 2" in page
    assert status_of(client, d, fay)["status"] == "pending"


def test_a_missed_session_this_week_is_not_routine_even_with_good_adherence():
    from datetime import date

    from backend.services.review import routine_problem

    today = date(2026, 11, 26)
    proposal = {"step": 1, "modality": "walking_aerobic", "proposed_level": 2}
    prescription = {"modalities": [{"modality": "walking_aerobic", "min_level": 1, "max_level": 5}]}
    recent = {
        "days": [today],
        "adherence_28d": 0.9,
        "sessions": [{"status": "missed", "date": date(2026, 11, 24)}],
    }
    assert routine_problem(proposal, prescription, False, recent) == (
        "a session missed on Tue 24 Nov"
    )
    recent["sessions"] = [{"status": "missed", "date": date(2026, 11, 18)}]
    assert routine_problem(proposal, prescription, False, recent) is None
