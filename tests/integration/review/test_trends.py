"""GET /api/v1/patients/{id}/trends: twelve weeks of daily series a chart can draw directly."""

from __future__ import annotations

from datetime import date, timedelta

from backend import clock
from backend.services.training import cr10
from tests.factories import bearer
from tests.integration.review.builders import demo_clinic


def trends(client, d, patient="ann", **query):
    response = client.get(
        f"/api/v1/patients/{d['ids'][patient]}/trends",
        query_string=query,
        headers=bearer(d["physio"]),
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_twelve_weeks_of_days_ending_today_in_the_patients_zone(client):
    d = demo_clinic(client)
    body = trends(client, d)
    today = clock.now().date()
    assert body["weeks"] == 12 and len(body["days"]) == 84
    assert body["to"] == today.isoformat()
    assert body["from"] == (today - timedelta(days=83)).isoformat()
    assert body["modalities"] == ["tai_chi_qigong", "resistance_band", "walking_aerobic"]
    assert len(body["weekly_adherence"]) == 12


def test_each_day_has_how_the_patient_felt_and_what_they_did(client):
    d = demo_clinic(client)
    days = {day["date"]: day for day in trends(client, d)["days"]}
    today = clock.now().date()
    this_morning = days[today.isoformat()]
    assert this_morning["fatigue"] == 5 and this_morning["check_in_status"] == "red"
    stopped = days[(today - timedelta(days=20)).isoformat()]
    assert stopped["session_status"] == "stopped" and stopped["session_load"] > 0
    borg = days[(today - timedelta(days=10)).isoformat()]  # logged on the Borg 6-20 scale
    assert borg["rpe_scale"] == "borg20" and borg["session_rpe"] == 13
    assert borg["effort_cr10"] == round(cr10(13, "borg20"), 1)
    no_check_in = days[(today - timedelta(days=9)).isoformat()]
    assert no_check_in["fatigue"] is None


def test_levels_step_where_decisions_took_effect_and_markers_show_them(client):
    d = demo_clinic(client)
    body = trends(client, d)
    days = {day["date"]: day for day in body["days"]}
    today = clock.now().date()

    def walking(n):
        return days[(today - timedelta(days=n)).isoformat()]["levels"]["walking_aerobic"]

    assert walking(60) == 1 and walking(50) == 2  # auto-applied 1->2 on day -56
    assert walking(25) == 2  # the 2->4 proposal on day -30 was rejected
    markers = {(m["modality"], m["status"]) for m in body["adaptations"]}
    assert ("walking_aerobic", "auto_applied") in markers
    assert ("resistance_band", "approved") in markers
    assert ("walking_aerobic", "rejected") in markers
    assert ("walking_aerobic", "pending") in markers
    # 'stay at this level' records are not markers: every marker moved a level or asked a physio
    assert all(
        m["proposed_level"] != m["current_level"] or m["status"] != "auto_applied"
        for m in body["adaptations"]
    )


def test_weekly_adherence_and_the_weeks_parameter(client):
    d = demo_clinic(client)
    body = trends(client, d, "dev", weeks=4)
    assert len(body["days"]) == 28 and len(body["weekly_adherence"]) == 4
    assert all(w["rate"] == 1.0 for w in body["weekly_adherence"] if w["due"])
    assert date.fromisoformat(body["weekly_adherence"][-1]["week_end"]) == clock.now().date()
    for weeks in (0, 53, "x"):
        response = client.get(
            f"/api/v1/patients/{d['ids']['dev']}/trends?weeks={weeks}", headers=bearer(d["physio"])
        )
        assert response.status_code == 422


def test_another_clinic_gets_404_and_the_read_is_audited(client):
    d = demo_clinic(client)
    hidden = client.get(
        f"/api/v1/patients/{d['ids']['ann']}/trends", headers=bearer(d["b_physio_tokens"])
    )
    assert hidden.status_code == 404 and hidden.get_json()["detail"] == "No such patient."
    trends(client, d)
    from tests.factories import login

    admin = login(client, d["a"]["admin"])
    events = client.get(
        "/api/v1/audit", query_string={"patient_id": d["ids"]["ann"]}, headers=bearer(admin)
    ).get_json()["items"]
    assert any(e["action"] == "trends.read" for e in events)


def test_superseded_proposals_are_folded_away_not_drawn_as_rejected(client):
    """Issue 16, item 3: 27 superseded proposals were drawn as red crosses for one patient."""
    from backend.web.charts import REJECTED
    from tests.integration.review.builders import adaptation
    from tests.integration.review.pages import sign_in

    d = demo_clinic(client)
    older = [adaptation(d["ids"]["cara"], "balance", 1, 2) for _ in range(3)]
    newest = adaptation(d["ids"]["cara"], "balance", 1, 2)
    body = trends(client, d, patient="cara")
    shown = {m["id"] for m in body["adaptations"]}
    assert newest in shown and not shown & set(older)
    sign_in(client, d["a"]["physio"])
    page = client.get(f"/dashboard/patients/{d['ids']['cara']}").get_data(as_text=True)
    timeline = page[page.index('id="timeline"') :]
    assert "Superseded" not in timeline
    assert "3 proposals replaced by a newer one before anyone decided" in timeline
    assert f'stroke="{REJECTED}"' not in page  # Cara has no rejected decision to draw
