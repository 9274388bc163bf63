"""Issue 14, item 1: a time-zone change escaped a red flag and logged two session days within
minutes. Each test starts at 11:00 on 26 November in London: already 01:00 on the 27th in
Pacific/Kiritimati (UTC+14), still 01:00 on the 26th in Honolulu (UTC-10)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from backend import clock
from tests.integration.daily.test_logs import post_log


@pytest.fixture(autouse=True)
def eleven_in_london():
    clock._clock.set(datetime(2026, 11, 26, 11, tzinfo=UTC))


def check_in(client, patient, **body):
    body = {"fatigue": 2, "pain": 1, **body}
    return client.post("/api/v1/me/check-ins", json=body, headers=patient["headers"])


def today(client, patient):
    return client.get("/api/v1/me/sessions/today", headers=patient["headers"]).get_json()


def move(client, patient, zone):
    response = client.patch(
        "/api/v1/me/settings", json={"timezone": zone}, headers=patient["headers"]
    )
    assert response.status_code == 200, response.get_json()


def test_a_zone_change_east_after_a_red_flag_serves_no_session(client, patient):
    red = check_in(client, patient, symptoms=["chest_pain"]).get_json()
    assert red["status"] == "red" and red["emergency"]
    move(client, patient, "Pacific/Kiritimati")
    session = today(client, patient)
    assert session["date"] == red["date"]  # not moved into a day not started in London
    assert session["blocks"] == [] and session["status"] == "blocked"
    # A check-in now is still the same day's, and still held.
    again = check_in(client, patient).get_json()
    assert again["date"] == red["date"] and again["status"] == "red"


def test_a_zone_change_cannot_log_two_session_days_within_minutes(client, patient):
    check_in(client, patient)
    first = today(client, patient)
    assert post_log(client, patient, first["id"]).status_code == 201
    move(client, patient, "Pacific/Kiritimati")
    clock._clock.advance(minutes=5)
    second = today(client, patient)
    assert second["date"] == first["date"] and second["id"] == first["id"]
    assert second["status"] == "completed"
    assert post_log(client, patient, second["id"], key="log-key-00000002").status_code != 201


def test_the_new_zone_takes_over_once_the_day_has_started_where_the_patient_was(
    client, patient
):
    move(client, patient, "Pacific/Kiritimati")
    assert today(client, patient)["date"] == "2026-11-26"
    clock._clock.advance(hours=12, minutes=59)
    assert today(client, patient)["date"] == "2026-11-26"
    clock._clock.advance(minutes=1)  # 00:00 on Nov 27 in London
    assert today(client, patient)["date"] == "2026-11-27"
    clock._clock.advance(hours=10)  # 00:00 on Nov 28 in Kiritimati
    assert today(client, patient)["date"] == "2026-11-28"


def test_a_zone_change_west_does_not_reopen_yesterday(client, patient):
    check_in(client, patient)
    first = today(client, patient)
    assert post_log(client, patient, first["id"]).status_code == 201
    move(client, patient, "Pacific/Pago_Pago")  # 00:00 on the 26th there (UTC-11)
    move(client, patient, "Etc/GMT+12")  # 23:00 on the 25th there
    again = today(client, patient)
    assert again["date"] == first["date"] and again["id"] == first["id"]
    clock._clock.advance(hours=1)  # midnight there: the same date, now properly begun
    assert today(client, patient)["id"] == first["id"]
    clock._clock.advance(hours=24)
    assert today(client, patient)["date"] == "2026-11-27"
