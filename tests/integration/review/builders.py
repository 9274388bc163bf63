"""Builders for review tests: alerts, adaptations, and weeks of history through the services."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update

from backend import clock
from backend.extensions import db
from backend.models import Adaptation, Alert, CheckIn, ExerciseSession, Patient, SessionLog
from tests.factories import activate, bearer, clinic_with_staff, enrol, in_app, login

_keys = itertools.count(1)


@in_app
def open_alert(patient_id: str, code: str = "red_flag_chest_pain", days_ago: int = 0) -> str:
    """An open red-flag alert as a red check-in would leave it."""
    patient = db.session.get(Patient, patient_id)
    alert = Alert(
        patient_id=patient_id,
        clinic_id=patient.clinic_id,
        kind="red_flag",
        local_date=clock.now().date() - timedelta(days=days_ago),
        opened_at=clock.now() - timedelta(days=days_ago),
        reasons=[{"code": code, "message": "Chest pain or tightness", "severity": "red"}],
    )
    db.session.add(alert)
    db.session.commit()
    return alert.id


@in_app
def adaptation(
    patient_id: str,
    modality: str,
    current: int,
    proposed: int,
    status: str = "pending",
    at: datetime | None = None,
    applied: int | None = None,
    decided_by: str | None = None,
    note: str | None = None,
) -> str:
    """An adaptation record as the policy (and, for decided ones, the physio) would leave it."""
    patient = db.session.get(Patient, patient_id)
    at = at or clock.now()
    decided = status in ("approved", "modified", "rejected")
    row = Adaptation(
        patient_id=patient_id,
        clinic_id=patient.clinic_id,
        modality=modality,
        local_date=at.astimezone(ZoneInfo(patient.timezone)).date(),
        created_at=at,
        trigger="log",
        policy="model",
        model_version="test-model",
        current_level=current,
        proposed_level=proposed,
        candidates=[
            {"level": level, "p_tolerated": round(min(0.97, 0.95 - 0.08 * (level - current)), 2)}
            for level in range(max(1, current - 1), proposed + 2)
        ],
        reason_codes=["step_up_outside_auto_band" if proposed - current > 0 else "fatigue_rising"],
        top_features=[{"name": "fatigue_delta", "contribution": -0.04}],
        inputs={},
        explanation="Recent sessions went well at this level.",
        status=status,
        applied_level=(
            applied
            if applied is not None
            else (proposed if status in ("auto_applied", "approved") else None)
        ),
        decided_by=decided_by if decided else None,
        decided_at=at if decided else None,
        note=note,
    )
    if status == "pending":
        # As the coach does: a newer proposal replaces an older one still waiting for review.
        db.session.execute(
            update(Adaptation)
            .where(
                Adaptation.patient_id == patient_id,
                Adaptation.modality == modality,
                Adaptation.status == "pending",
            )
            .values(status="superseded")
        )
    db.session.add(row)
    db.session.commit()
    return row.id


def at_local(patient_tz: str, day: date, hour: int = 8) -> datetime:
    return datetime.combine(day, time(hour), ZoneInfo(patient_tz)).astimezone(UTC)


@dataclass
class Day:
    """One past day of a patient, written straight to the tables (fast and deterministic).

    session: None (app not opened) | planned (served, never logged = missed) | completed |
    partial | stopped | rest | blocked.
    """

    day: date
    fatigue: int | None = 2
    pain: int = 1
    check_in_status: str = "green"
    session: str | None = "completed"
    modalities: tuple[str, ...] = ("walking_aerobic",)
    levels: dict = field(default_factory=dict)
    rpe: float = 4.0
    rpe_scale: str = "cr10"
    minutes: float = 30
    substitutions: tuple = ()


@in_app
def record_days(patient_id: str, days: list[Day]) -> None:
    """Write past check-ins, sessions and logs for a patient in one transaction."""
    patient = db.session.get(Patient, patient_id)
    for d in days:
        if d.fatigue is not None:
            db.session.add(
                CheckIn(
                    patient_id=patient_id,
                    local_date=d.day,
                    at=at_local(patient.timezone, d.day, 8),
                    fatigue=d.fatigue,
                    pain=d.pain,
                    symptoms=[],
                    status=d.check_in_status,
                    reasons=[],
                    advice="",
                    rules_version="seed",
                )
            )
        if d.session is None:
            continue
        served = d.session not in ("rest", "blocked")
        session = ExerciseSession(
            patient_id=patient_id,
            local_date=d.day,
            status=d.session,
            verdict="red" if d.session == "blocked" else d.check_in_status,
            blocks=[],
            modalities=list(d.modalities) if served else [],
            substitutions=[list(pair) for pair in d.substitutions],
            levels=({m: d.levels.get(m, 1) for m in d.modalities} if served else {}),
            explanation="Seeded session.",
            planned_load=round(d.minutes * 4, 2) if served else 0.0,
            content_version="seed",
            rules_version="seed",
            created_at=at_local(patient.timezone, d.day, 8),
            updated_at=at_local(patient.timezone, d.day, 18),
        )
        db.session.add(session)
        if d.session in ("completed", "partial", "stopped"):
            db.session.flush()
            effort = d.rpe if d.rpe_scale == "cr10" else (d.rpe - 6) * 10 / 14
            db.session.add(
                SessionLog(
                    patient_id=patient_id,
                    session_id=session.id,
                    idempotency_key=f"seed-{next(_keys)}",
                    request_hash="seed",
                    performed_on=d.day,
                    received_at=at_local(patient.timezone, d.day, 18),
                    completed=d.session == "completed",
                    minutes=d.minutes,
                    session_rpe=d.rpe,
                    rpe_scale=d.rpe_scale,
                    session_load=round(d.minutes * effort, 2),
                    fatigue_after=d.fatigue,
                    pain_after=d.pain,
                    blocks=[],
                    stopped_early_reason="Felt dizzy" if d.session == "stopped" else None,
                )
            )
    db.session.commit()


def red_check_in(client, tokens: dict, symptoms=("chest_pain",)) -> dict:
    """This morning's red check-in through the real API: it opens the alert."""
    response = client.post(
        "/api/v1/me/check-ins",
        json={"fatigue": 5, "pain": 2, "symptoms": list(symptoms)},
        headers=bearer(tokens),
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["status"] == "red"
    return response.get_json()


def demo_clinic(client) -> dict:
    """A clinic as a physio finds it one morning (the frozen 'today', Thu 26 Nov 2026).

    Ann: 12 weeks of history, a red flag this morning, proposals walking 2->3 and band 2->4,
         and past decisions of every kind.
    Bob: four missed sessions this week.    Cara: one routine proposal (+1 inside the range).
    Fay: adherence falling.                 Dev: steady.   Eve: invite not used yet.
    Clinic B has its own physio and patient (for scoping).
    """
    a = clinic_with_staff("Riverside Clinic")
    b = clinic_with_staff("Hillside Clinic")
    physio = login(client, a["physio"])
    b_physio = login(client, b["physio"])
    rx = {
        "modalities": [
            {"modality": "walking_aerobic", "min_level": 1, "max_level": 6, "start_level": 1},
            {"modality": "resistance_band", "min_level": 1, "max_level": 5, "start_level": 1},
            {"modality": "tai_chi_qigong", "min_level": 1, "max_level": 5},
        ],
        "auto_approve_band": 1,
    }
    names = {
        "ann": "Ann Hughes",
        "bob": "Bob Price",
        "cara": "Cara Lim",
        "dev": "Dev Patel",
        "fay": "Fay Green",
        "eve": "Eve Stone",
    }
    ids, tokens = {}, {}
    for key, name in names.items():
        created = enrol(
            client, physio, display_name=name, prescription=rx, email=f"{key}@riverside.example"
        )
        ids[key] = created["id"]
        if key != "eve":
            tokens[key] = activate(client, created["invite_code"])
    other = enrol(client, b_physio, display_name="Zed Other", email="zed@hillside.example")
    today = clock.now().date()
    _ann(ids["ann"], a["physio_id"], today)
    steady = [
        Day(today - timedelta(days=n), rpe=3) for n in range(28, 0, -1) if n % 7 not in (2, 5)
    ]
    record_days(ids["dev"], steady)
    record_days(
        ids["cara"],
        [Day(d.day, session="partial" if d.day.day % 5 == 0 else "completed") for d in steady],
    )
    record_days(
        ids["bob"],
        [
            Day(d.day, session="planned" if (today - d.day).days <= 6 else "completed")
            for d in steady
        ],
    )
    record_days(
        ids["fay"],
        [
            Day(d.day, fatigue=4, session="planned" if (today - d.day).days % 2 else "completed")
            if (today - d.day).days <= 14
            else d
            for d in steady
        ],
    )
    red_check_in(client, tokens["ann"])
    proposals = {
        "walking": adaptation(ids["ann"], "walking_aerobic", 2, 3),
        "band": adaptation(ids["ann"], "resistance_band", 2, 4),
        "cara": adaptation(ids["cara"], "walking_aerobic", 1, 2),
    }
    return {
        "a": a,
        "b": b,
        "ids": ids,
        "tokens": tokens,
        "proposals": proposals,
        "other_patient": other["id"],
        "physio": physio,
        "b_physio_tokens": b_physio,
        "names": names,
    }


def _ann(patient_id: str, physio_id: str, today: date) -> None:
    """Twelve weeks: steady progress, one stopped session, a swap, fatigue rising lately."""
    tz = "Europe/London"
    level = {"walking_aerobic": 1, "resistance_band": 1, "tai_chi_qigong": 1}
    decisions = {
        56: ("walking_aerobic", 1, 2, "auto_applied", None),
        42: ("resistance_band", 1, 2, "approved", "Tolerating bands well."),
        30: ("walking_aerobic", 2, 4, "rejected", "Too big a jump during chemotherapy."),
        14: ("tai_chi_qigong", 1, 2, "auto_applied", None),
    }
    rotation = (
        ("walking_aerobic", "tai_chi_qigong"),
        ("resistance_band", "walking_aerobic"),
        ("tai_chi_qigong", "resistance_band"),
    )
    days = []
    for n in range(84, 0, -1):
        day = today - timedelta(days=n)
        if n in decisions:
            modality, current, proposed, status, note = decisions[n]
            adaptation(
                patient_id,
                modality,
                current,
                proposed,
                status,
                at_local(tz, day, 7),
                decided_by=physio_id if status != "auto_applied" else None,
                note=note,
            )
            if status in ("auto_applied", "approved"):
                level[modality] = proposed
        rising = max(0, 12 - n) // 3  # fatigue climbs over the last fortnight
        session = "completed"
        if n % 7 in (2, 5):
            session = "rest"
        elif n == 20:
            session = "stopped"
        elif n in (8, 4):
            session = "planned"  # served, never logged
        elif n % 11 == 0:
            session = "partial"
        elif n == 38:
            session = None  # did not open the app
        days.append(
            Day(
                day,
                fatigue=None if n % 9 == 0 else 2 + (n % 3 == 0) + rising,
                pain=1 + (n % 4 == 0),
                check_in_status="amber" if rising >= 2 else "green",
                session=session,
                modalities=rotation[n % 3],
                levels=dict(level),
                rpe=13 if n % 10 == 0 else 3 + (n % 5) * 0.5,
                rpe_scale="borg20" if n % 10 == 0 else "cr10",
                minutes=20 + (n % 4) * 5,
                substitutions=(
                    (("baduanjin-holding-up-the-sky", "seated-holding-up-the-sky"),)
                    if n == 17
                    else ()
                ),
            )
        )
    record_days(patient_id, days)
