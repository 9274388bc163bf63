"""POST /me/observations: a day from two overlapping devices, stored once; a bad point stores
nothing; nobody uploads for someone else."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from backend.extensions import db
from backend.models import ObservationDay, ObservationPoint
from tests.factories import bearer, world

DAY = date(2026, 11, 25)  # the day before the frozen clock; Europe/London is UTC in November
MIDNIGHT = datetime(2026, 11, 25, tzinfo=UTC)
URL = "/api/v1/me/observations"


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def fhir_hr(at: datetime, bpm: float, device: str = "band-7") -> dict:
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "vital-signs",
                    }
                ]
            }
        ],
        "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
        "effectiveDateTime": iso(at),
        "valueQuantity": {
            "value": bpm,
            "unit": "beats/minute",
            "system": "http://unitsofmeasure.org",
            "code": "/min",
        },
        "device": {"display": device},
    }


def day_batch() -> list[dict]:
    """A band's HR every minute of the day (FHIR), a watch's 08:00-20:00 (compact), and
    both devices' steps over one overlapping hour."""
    minutes = [MIDNIGHT + timedelta(minutes=m) for m in range(24 * 60)]
    points = [fhir_hr(at, 60 + (i % 30)) for i, at in enumerate(minutes)]
    points += [
        {
            "type": "heart_rate",
            "start": iso(at),
            "value": 70,
            "unit": "{beats}/min",
            "device": "watch",
        }
        for at in minutes[8 * 60 : 20 * 60]
    ]
    nine = MIDNIGHT + timedelta(hours=9)
    # The band counts 20 steps a minute for 30 minutes; the phone 900 steps over the hour.
    points += [
        {
            "type": "steps",
            "start": iso(nine + timedelta(minutes=m)),
            "end": iso(nine + timedelta(minutes=m + 1)),
            "value": 20,
            "unit": "{steps}",
            "device": "band-7",
        }
        for m in range(30)
    ]
    points.append(
        {
            "type": "steps",
            "start": iso(nine),
            "end": iso(nine + timedelta(hours=1)),
            "value": 900,
            "unit": "{steps}",
            "device": "phone",
        }
    )
    return points


def stored_points(app, patient_id: str | None = None) -> int:
    with app.app_context():
        query = select(func.count()).select_from(ObservationPoint)
        if patient_id:
            query = query.where(ObservationPoint.patient_id == patient_id)
        return db.session.execute(query).scalar_one()


def day_summary(app, patient_id: str) -> dict:
    with app.app_context():
        rows = db.session.execute(
            select(ObservationDay).where(ObservationDay.patient_id == patient_id)
        ).scalars()
        return {(r.local_date, r.kind): (r.minutes, r.minimum, r.maximum, r.total) for r in rows}


@pytest.fixture
def w(client):
    return world(client)


def test_a_day_from_two_overlapping_devices_uploaded_twice_is_stored_once(app, client, w):
    points = day_batch()
    headers = bearer(w["tokens"]["p1"])
    first = client.post(URL, json={"points": points}, headers=headers)
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["new"] == len(points) == 1440 + 720 + 30 + 1
    again = client.post(URL, json={"points": points}, headers=headers)
    assert again.status_code == 200 and again.get_json()["new"] == 0
    assert stored_points(app) == len(points)

    summary = day_summary(app, w["patients"]["p1"])
    # Heart rate: 1 440 minutes with data, however many devices saw each minute.
    assert summary[(DAY, "heart_rate")][0] == 1440
    # Steps: minute by minute the device that counted most: 30 x 20 + 30 x 15, not 600 + 900.
    assert summary[(DAY, "steps")][3] == pytest.approx(1050)
    days = {(d["date"], d["type"]): d for d in again.get_json()["days"]}
    assert days[("2026-11-25", "steps")]["total"] == pytest.approx(1050)


def test_a_re_upload_corrects_a_point_rather_than_adding_one(app, client, w):
    headers = bearer(w["tokens"]["p1"])
    at = MIDNIGHT + timedelta(hours=7)
    client.post(URL, json={"points": [fhir_hr(at, 61)]}, headers=headers)
    answer = client.post(URL, json={"points": [fhir_hr(at, 63)]}, headers=headers).get_json()
    assert answer["new"] == 0 and stored_points(app) == 1
    assert answer["days"][0]["mean"] == 63


def test_a_bad_point_rejects_the_whole_batch_naming_it(app, client, w):
    points = day_batch()
    points[1234] = fhir_hr(MIDNIGHT + timedelta(minutes=1234), 400)
    response = client.post(URL, json={"points": points}, headers=bearer(w["tokens"]["p1"]))
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert "Point 1234" in body["detail"] and "400" in body["detail"]
    assert body["errors"]["json"]["points"]["1234"] == {
        "valueQuantity.value": ["heart_rate 400 /min is outside the plausible 25–250 /min."]
    }
    assert stored_points(app) == 0  # not even the 1 234 good points before it
    assert day_summary(app, w["patients"]["p1"]) == {}


@pytest.mark.parametrize(
    "point,field",
    [
        (
            {"type": "heart_rate", "start": "2026-11-25T08:00:00Z", "value": 70, "unit": "kg"},
            "unit",
        ),
        ({"type": "spo2", "start": "2026-11-25T08:00:00Z", "value": 0.97, "unit": "%"}, "value"),
        ({"type": "steps", "start": "2026-11-25T08:00:00Z", "value": 10, "unit": "{steps}"}, "end"),
        (
            {
                "type": "steps",
                "start": "2026-11-25T08:00:00Z",
                "end": "2026-11-25T08:01:00Z",
                "value": 2000,
                "unit": "{steps}",
            },
            "value",
        ),
        (
            {"type": "heart_rate", "start": "2026-11-25T08:00:00", "value": 70, "unit": "/min"},
            "start",
        ),
        (
            {"type": "heart_rate", "start": "2026-11-27T08:00:00Z", "value": 70, "unit": "/min"},
            "start",
        ),
        (
            {"type": "heart_rate", "start": "2025-01-01T08:00:00Z", "value": 70, "unit": "/min"},
            "start",
        ),
        (
            {"type": "glucose", "start": "2026-11-25T08:00:00Z", "value": 5, "unit": "mmol/L"},
            "type",
        ),
        ({"type": "weight", "start": "2026-11-25T08:00:00Z", "value": "70", "unit": "kg"}, "value"),
        ({"type": "hrv", "start": "0001-01-01T00:00:00+14:00", "value": 40, "unit": "ms"}, "start"),
    ],
)
def test_each_kind_of_bad_point_is_a_422_naming_its_field(app, client, w, point, field):
    good = {"type": "resting_hr", "start": "2026-11-25T07:00:00Z", "value": 58, "unit": "/min"}
    response = client.post(
        URL, json={"device": "band", "points": [good, point]}, headers=bearer(w["tokens"]["p1"])
    )
    assert response.status_code == 422, response.get_json()
    assert list(response.get_json()["errors"]["json"]["points"]["1"]) == [field]
    assert stored_points(app) == 0


def test_fhir_blood_pressure_panel_weight_and_spo2_are_read_in_their_units(app, client, w):
    def observation(code, **value):
        return {
            "resourceType": "Observation",
            "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
            "effectivePeriod": {"start": "2026-11-25T07:30:00+00:00"},
            "device": {"identifier": {"value": "cuff-1"}},
            **value,
        }

    def quantity(value, code):
        return {"value": value, "system": "http://unitsofmeasure.org", "code": code}

    panel = observation(
        "85354-9",
        component=[
            {
                "code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]},
                "valueQuantity": quantity(128, "mm[Hg]"),
            },
            {
                "code": {"coding": [{"system": "http://loinc.org", "code": "8462-4"}]},
                "valueQuantity": quantity(84, "mm[Hg]"),
            },
        ],
    )
    weight = observation("29463-7", valueQuantity=quantity(154, "[lb_av]"))
    spo2 = observation("2708-6", valueQuantity=quantity(96, "%"))
    response = client.post(
        URL, json={"points": [panel, weight, spo2]}, headers=bearer(w["tokens"]["p1"])
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["received"] == 4  # the panel is two points
    summary = day_summary(app, w["patients"]["p1"])
    assert summary[(DAY, "systolic_bp")][1] == 128
    assert summary[(DAY, "diastolic_bp")][1] == 84
    assert summary[(DAY, "weight")][1] == pytest.approx(69.85, abs=0.01)  # 154 lb
    assert summary[(DAY, "spo2")][1] == 96


def test_an_invalid_fhir_resource_is_named_by_its_path(app, client, w):
    broken = fhir_hr(MIDNIGHT, 70)
    broken["valueQuantity"] = {"value": "fast", "code": "/min"}
    response = client.post(URL, json={"points": [broken]}, headers=bearer(w["tokens"]["p1"]))
    assert response.status_code == 422
    (field,) = response.get_json()["errors"]["json"]["points"]["0"]
    assert field.startswith("valueQuantity.value")


def test_points_are_the_callers_own_and_clinicians_cannot_upload(app, client, w):
    points = [fhir_hr(MIDNIGHT, 70)]
    assert (
        client.post(URL, json={"points": points}, headers=bearer(w["tokens"]["p1"])).status_code
        == 200
    )
    assert stored_points(app, w["patients"]["p1"]) == 1
    assert stored_points(app, w["patients"]["p2"]) == 0
    # A clinician has no /me stream: 403, and the body cannot name another patient.
    assert (
        client.post(
            URL, json={"points": points}, headers=bearer(w["tokens"]["a_physio"])
        ).status_code
        == 403
    )
    smuggled = {"points": points, "patient_id": w["patients"]["p2"]}
    assert client.post(URL, json=smuggled, headers=bearer(w["tokens"]["p1"])).status_code == 422
    assert stored_points(app) == 1


def test_a_session_of_another_patient_cannot_be_linked(app, client, w):
    other = client.get("/api/v1/me/sessions/today", headers=bearer(w["tokens"]["p2"])).get_json()
    body = {
        "points": [fhir_hr(datetime(2026, 11, 26, 8, 10, tzinfo=UTC), 90)],
        "sessions": [
            {
                "session_id": other["id"],
                "start": "2026-11-26T08:00:00Z",
                "end": "2026-11-26T08:30:00Z",
            }
        ],
    }
    response = client.post(URL, json=body, headers=bearer(w["tokens"]["p1"]))
    assert response.status_code == 404 and response.get_json()["detail"] == "No such session."
    assert stored_points(app) == 0


def test_a_linked_session_gets_its_heart_rate_summary(app, client, w):
    headers = bearer(w["tokens"]["p1"])
    session = client.get("/api/v1/me/sessions/today", headers=headers).get_json()
    start = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    points = [fhir_hr(start + timedelta(minutes=m), 80 + m) for m in range(-10, 40)]
    body = {
        "points": points,
        "sessions": [
            {
                "session_id": session["id"],
                "start": iso(start),
                "end": iso(start + timedelta(minutes=30)),
            }
        ],
    }
    answer = client.post(URL, json=body, headers=headers).get_json()
    (stream,) = answer["sessions"]
    assert stream["summaries"]["heart_rate"]["minutes"] == 30
    assert stream["summaries"]["heart_rate"]["maximum"] == 109
    # A later upload from a second device inside the window refreshes the linked session; its
    # minute is the mean of both devices' readings (85 and 150), still 30 minutes.
    strap = fhir_hr(start + timedelta(minutes=5), 150, "chest-strap")
    late = client.post(URL, json={"points": [strap]}, headers=headers).get_json()
    refreshed = late["sessions"][0]["summaries"]["heart_rate"]
    assert refreshed["minutes"] == 30 and refreshed["maximum"] == 117.5


def test_a_full_batch_of_fhir_points_fits_and_one_more_does_not(app, client, w):
    headers = bearer(w["tokens"]["p1"])
    start = datetime(2026, 11, 22, tzinfo=UTC)
    points = [fhir_hr(start + timedelta(minutes=m), 70) for m in range(5000)]
    response = client.post(URL, json={"points": points}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert stored_points(app) == 5000
    points.append(fhir_hr(start + timedelta(minutes=5000), 70))
    assert client.post(URL, json={"points": points}, headers=headers).status_code == 422


def test_pruning_drops_raw_points_past_the_window_and_keeps_the_summaries(app, client, w):
    from backend import clock
    from backend.scheduler import run_job

    client.post(URL, json={"points": day_batch()}, headers=bearer(w["tokens"]["p1"]))
    before = day_summary(app, w["patients"]["p1"])
    retention = app.config["OBSERVATION_RETENTION_DAYS"]
    with clock.frozen(MIDNIGHT + timedelta(days=retention, hours=12)):
        run_job(app, "observations.prune")
    # Points before noon of the day are past the window; those after it stay.
    assert 0 < stored_points(app) < len(day_batch())
    with clock.frozen(MIDNIGHT + timedelta(days=retention + 1)):
        run_job(app, "observations.prune")
        run_job(app, "observations.prune")  # idempotent
    assert stored_points(app) == 0
    assert day_summary(app, w["patients"]["p1"]) == before


def test_a_month_past_the_window_is_dropped_whole(app, client, w):
    from sqlalchemy import text

    from backend.services import observations

    october = datetime(2026, 10, 1, 6, 0, tzinfo=UTC)
    points = [fhir_hr(october, 66), fhir_hr(MIDNIGHT, 70)]
    assert (
        client.post(URL, json={"points": points}, headers=bearer(w["tokens"]["p1"])).status_code
        == 200
    )
    postgres = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    october_partition = "observation_partitions.observation_points_2026_10"
    if postgres:  # each month its own partition
        with app.app_context():
            assert db.session.execute(text(f"SELECT to_regclass('{october_partition}')")).scalar()
    retention = timedelta(days=app.config["OBSERVATION_RETENTION_DAYS"])
    with app.app_context():
        result = observations.prune(datetime(2026, 11, 1, tzinfo=UTC) + retention)
        assert stored_points(app) == 1  # November's point stays
        if postgres:
            assert result["dropped_partitions"] == ["observation_points_2026_10"]
            assert (
                db.session.execute(text(f"SELECT to_regclass('{october_partition}')")).scalar()
                is None
            )
        else:
            assert result["deleted"] == 1


def test_only_this_endpoint_takes_the_larger_body(app, client, w):
    # ~400 kB: over the app-wide 256 kB limit, well under this endpoint's own.
    padded = {"fatigue": 3, "pain": 1, "symptoms": [], "note": "x" * 400_000}
    response = client.post("/api/v1/me/check-ins", json=padded, headers=bearer(w["tokens"]["p1"]))
    assert response.status_code == 413
