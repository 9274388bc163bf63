"""Nobody learns that a person has an Onward account (issue 14, item 4): not from how long a
sign-in takes, nor from another clinic's enrolment answer."""

from __future__ import annotations

from argon2 import PasswordHasher
from sqlalchemy import select

from backend.extensions import db
from backend.models import HeldEnrolment, Patient, User
from backend.services import accounts
from tests.factories import (
    PASSWORD,
    activate,
    bearer,
    clinic_with_staff,
    enrol,
    in_app,
    login,
    patient_body,
)


def test_the_dummy_hash_for_unknown_emails_is_computed_once(client, monkeypatch):
    hashed = []
    original = PasswordHasher.hash
    monkeypatch.setattr(
        PasswordHasher, "hash", lambda self, *a, **k: hashed.append(1) or original(self, *a, **k)
    )
    accounts._DUMMY.clear()
    keep = []
    for n in range(5):
        keep.append(PasswordHasher())  # other hashers alive: the old cache key was an address
        response = client.post(
            "/api/v1/auth/login", json={"email": f"nobody{n}@example.org", "password": "x" * 12}
        )
        assert response.status_code == 401
    assert len(hashed) == 1  # one dummy hash, then only verifications (as for a wrong password)


def test_unknown_email_and_wrong_password_get_the_same_answer(client):
    a = clinic_with_staff()
    wrong = client.post("/api/v1/auth/login", json={"email": a["physio"], "password": "x" * 12})
    unknown = client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.org", "password": "x" * 12}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()


@in_app
def _accounts_with(email: str) -> list[tuple[str, str]]:
    rows = db.session.execute(select(User.clinic_id, User.display_name).where(User.email == email))
    return [tuple(r) for r in rows]


@in_app
def _held() -> list[str]:
    return list(db.session.scalars(select(HeldEnrolment.email)))


@in_app
def _patients_of(clinic_id: str) -> int:
    return len(db.session.scalars(select(Patient.id).where(Patient.clinic_id == clinic_id)).all())


def _two_clinics(client):
    a, b = clinic_with_staff(), clinic_with_staff()
    a_physio, b_physio = login(client, a["physio"]), login(client, b["physio"])
    known = enrol(client, a_physio, email="ann@example.org", display_name="Ann Hughes")
    activate(client, known["invite_code"])
    return a, b, a_physio, b_physio


def test_another_clinics_enrolment_of_a_known_email_looks_like_a_new_one(client):
    a, b, a_physio, b_physio = _two_clinics(client)
    fresh = client.post(
        "/api/v1/patients",
        json=patient_body(email="new@example.org", display_name="Bea Lowe"),
        headers=bearer(b_physio),
    )
    held = client.post(
        "/api/v1/patients",
        json=patient_body(email="Ann@Example.org", display_name="A. Hughes"),
        headers=bearer(b_physio),
    )
    assert fresh.status_code == held.status_code == 201
    assert fresh.get_json().keys() == held.get_json().keys()
    held_id = held.get_json()["id"]
    record = client.get(f"/api/v1/patients/{held_id}", headers=bearer(b_physio))
    fresh_record = client.get(
        f"/api/v1/patients/{fresh.get_json()['id']}", headers=bearer(b_physio)
    )
    assert record.status_code == 200 and record.get_json().keys() == fresh_record.get_json().keys()
    assert record.get_json()["email"] == "ann@example.org"
    assert record.get_json()["activated"] is False
    listed = client.get("/api/v1/patients", headers=bearer(b_physio)).get_json()["items"]
    assert sorted(p["display_name"] for p in listed) == ["A. Hughes", "Bea Lowe"]
    # Nothing linked or changed: the person's account stays clinic A's, and still signs in.
    assert _accounts_with("ann@example.org") == [(a["clinic_id"], "Ann Hughes")]
    assert _held() == ["ann@example.org"]
    assert _patients_of(a["clinic_id"]) == 1
    login(client, "ann@example.org")


def test_a_held_enrolments_invite_never_opens_a_second_account(client):
    _a, _b, _a_physio, b_physio = _two_clinics(client)
    held = enrol(client, b_physio, email="ann@example.org")
    response = client.post(
        "/api/v1/auth/activate", json={"invite_code": held["invite_code"], "password": "x" * 12}
    )
    invalid = client.post(
        "/api/v1/auth/activate", json={"invite_code": "AAAA-BBBB-CCCC", "password": "x" * 12}
    )
    assert response.status_code == invalid.status_code == 401
    assert response.get_json() == invalid.get_json()
    login(client, "ann@example.org", PASSWORD)  # the real account is untouched


def test_the_same_clinic_is_told_it_already_has_the_person(client):
    a, b, a_physio, b_physio = _two_clinics(client)
    again = client.post(
        "/api/v1/patients", json=patient_body(email="ann@example.org"), headers=bearer(a_physio)
    )
    assert again.status_code == 409
    enrol(client, b_physio, email="ann@example.org")
    held_again = client.post(
        "/api/v1/patients", json=patient_body(email="ann@example.org"), headers=bearer(b_physio)
    )
    assert held_again.status_code == 409  # clinic B's caseload already shows its held record
    assert _patients_of(b["clinic_id"]) == 1


def test_a_staff_email_of_another_clinic_is_held_too(client):
    a, _b, _a_physio, b_physio = _two_clinics(client)
    enrol(client, b_physio, email=a["admin"])
    assert [clinic for clinic, _name in _accounts_with(a["admin"])] == [a["clinic_id"]]
    login(client, a["admin"])
