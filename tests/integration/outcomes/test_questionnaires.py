"""The weekly ESAS-r (issue 16, item 7): answered by the patient, read by the care team."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend import clock
from backend.domain import questionnaires as q
from tests.factories import activate, bearer, clinic_with_staff, enrol, in_app, login
from tests.integration.matrix_questionnaires import ESAS

URL = "/api/v1/me/questionnaires/esas-r"


def answers(**changes) -> dict:
    return {"items": {**ESAS["items"], **changes}}


@in_app
def audit_actions(patient_id: str) -> list[str]:
    from sqlalchemy import select

    from backend.extensions import db
    from backend.models import AuditEvent

    return list(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.patient_id == patient_id))
    )


@in_app
def stored(patient_id: str) -> int:
    from sqlalchemy import func, select

    from backend.extensions import db
    from backend.models import QuestionnaireResponse

    query = select(func.count()).where(QuestionnaireResponse.patient_id == patient_id)
    return db.session.scalar(query)


def test_a_response_is_stored_with_its_scores_instrument_version_and_week(client, patient):
    response = client.post(URL, json=answers(other=5), headers=patient["headers"])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["instrument"] == "esas-r" and body["version"] == q.ESAS_R_VERSION
    assert body["date"] == "2026-11-26" and body["week"] == "2026-W48"
    assert body["total"] == 14  # the nine items; "other" is in no sum
    assert body["physical"] == 8 and body["emotional"] == 3
    assert body["items"]["other"] == 5 and body["items"]["tiredness"] == 4
    listed = client.get("/api/v1/me/questionnaires", headers=patient["headers"]).get_json()
    assert listed == {"items": [body], "next_cursor": None}


@pytest.mark.parametrize(
    "items, field",
    [
        ({"pain": 11}, "pain"),
        ({"pain": -1}, "pain"),
        ({"tiredness": 2.5}, "tiredness"),
        ({"nausea": "3"}, "nausea"),
        ({"wellbeing": True}, "wellbeing"),
        ({"itching": 3}, "itching"),
    ],
)
def test_an_item_outside_whole_numbers_0_to_10_is_a_422_and_nothing_is_stored(
    client, patient, items, field
):
    response = client.post(URL, json=answers(**items), headers=patient["headers"])
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert field in response.get_json()["errors"]["json"]["items"]
    assert stored(patient["id"]) == 0


def test_a_missing_item_is_a_422(client, patient):
    body = answers()
    del body["items"]["anxiety"]
    response = client.post(URL, json=body, headers=patient["headers"])
    assert response.status_code == 422
    assert "anxiety" in response.get_json()["errors"]["json"]["items"]


def test_naming_another_problem_without_scoring_it_is_a_422(client, patient):
    response = client.post(
        URL, json={**answers(), "other_label": "constipation"}, headers=patient["headers"]
    )
    assert response.status_code == 422 and "other" in str(response.get_json()["errors"])


def test_one_answer_per_iso_week_a_second_is_a_409_and_changes_nothing(client, patient):
    first = client.post(URL, json=answers(pain=2), headers=patient["headers"])
    assert first.status_code == 201
    clock._clock.advance(days=3)  # Sunday 29 November: the same ISO week
    again = client.post(URL, json=answers(pain=7), headers=patient["headers"])
    assert again.status_code == 409
    assert "2026-11-30" in again.get_json()["detail"]  # when the next one opens
    listed = client.get("/api/v1/me/questionnaires", headers=patient["headers"]).get_json()
    assert [r["items"]["pain"] for r in listed["items"]] == [2]
    clock._clock.advance(days=1)  # Monday: a new week
    assert client.post(URL, json=answers(pain=7), headers=patient["headers"]).status_code == 201


def test_an_offline_answer_keeps_its_day_and_its_week(client, patient):
    clock._clock.advance(days=5)  # Tuesday 1 December
    late = client.post(
        URL, json={**answers(), "date": "2026-11-27"}, headers=patient["headers"]
    ).get_json()
    assert late["week"] == "2026-W48"
    now = client.post(URL, json=answers(), headers=patient["headers"])
    assert now.status_code == 201 and now.get_json()["week"] == "2026-W49"
    future = client.post(URL, json={**answers(), "date": "2026-12-09"}, headers=patient["headers"])
    assert future.status_code == 422


def test_a_retry_with_the_same_key_gets_the_stored_answer_another_body_a_409(client, patient):
    headers = {**patient["headers"], "Idempotency-Key": "esas-retry-0001"}
    first = client.post(URL, json=answers(), headers=headers)
    retry = client.post(URL, json=answers(), headers=headers)
    assert first.status_code == 201 and retry.status_code == 201
    assert retry.get_json()["id"] == first.get_json()["id"]
    other = client.post(URL, json=answers(pain=9), headers=headers)
    assert other.status_code == 409 and "Idempotency-Key" in other.get_json()["detail"]
    assert stored(patient["id"]) == 1


def test_the_list_pages_newest_week_first_with_a_cursor(client, patient):
    for pain in range(5):
        assert (
            client.post(URL, json=answers(pain=pain), headers=patient["headers"]).status_code == 201
        )
        clock._clock.advance(days=7)
    seen, cursor = [], None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get(
            "/api/v1/me/questionnaires", query_string=query, headers=patient["headers"]
        )
        body = page.get_json()
        seen += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert [r["items"]["pain"] for r in seen] == [4, 3, 2, 1, 0]


def test_the_care_team_reads_the_scores_audited_another_clinic_gets_a_404(client, patient, physio):
    client.post(URL, json=answers(), headers=patient["headers"])
    url = f"/api/v1/patients/{patient['id']}/questionnaires"
    read = client.get(url, headers=bearer(physio))
    assert read.status_code == 200 and read.get_json()["items"][0]["total"] == 14
    assert "questionnaire.read" in audit_actions(patient["id"])
    stranger = login(client, clinic_with_staff()["physio"])
    assert client.get(url, headers=bearer(stranger)).status_code == 404
    assert "access.denied" in audit_actions(patient["id"])


def test_another_patients_answers_are_not_listed_nor_a_cursor(client, patient, physio):
    mine = client.post(URL, json=answers(), headers=patient["headers"]).get_json()
    other = bearer(activate(client, enrol(client, physio)["invite_code"]))
    listed = client.get("/api/v1/me/questionnaires", headers=other).get_json()
    assert listed == {"items": [], "next_cursor": None}
    page = client.get(
        "/api/v1/me/questionnaires", query_string={"cursor": mine["id"]}, headers=other
    )
    assert page.status_code == 422


def test_the_vocabulary_carries_the_published_esas_r_wording(client):
    form = client.get("/api/v1/vocabulary").get_json()["esas_r"]
    assert [i["code"] for i in form["items"]] == [*q.ITEM_CODES, "other"]
    tired = next(i for i in form["items"] if i["code"] == "tiredness")
    assert tired["least"] == "No Tiredness" and tired["meaning"] == "Tiredness = lack of energy"
    assert "public domain" in form["source"].lower()


def test_scoring_refuses_an_incomplete_or_out_of_range_response():
    with pytest.raises(ValueError, match="missing"):
        q.score({"pain": 1})
    with pytest.raises(ValueError, match="0-10"):
        q.score({**ESAS["items"], "pain": 11})
    assert q.score(ESAS["items"]).total == 14 and q.TOTAL_MAX == 90


def test_iso_week_runs_monday_to_sunday_across_a_year_end():
    from datetime import date

    sunday = date(2027, 1, 3)
    assert q.iso_week(sunday) == (2026, 53) and q.iso_week(sunday + timedelta(days=1)) == (2027, 1)
