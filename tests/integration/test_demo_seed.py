"""`flask demo seed`: a demo clinic whose first screen shows what the coach does (issue 16)."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from backend.extensions import db
from backend.models import (
    Adaptation,
    Alert,
    CheckIn,
    ExerciseSession,
    Patient,
    QuestionnaireResponse,
    SessionLog,
)
from backend.services import demo
from ml import phrases
from tests.factories import enrol, in_app, login


@in_app
def seed():
    return demo.seed()


@in_app
def history() -> dict:
    def count(model, *where):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    people = db.session.scalars(select(Patient)).all()
    return {
        "patients": len(people),
        "check_ins": Counter(c.patient_id for c in db.session.scalars(select(CheckIn))),
        "logs": Counter(s.patient_id for s in db.session.scalars(select(SessionLog))),
        "stopped": count(ExerciseSession, ExerciseSession.status == "stopped"),
        "pending": count(Adaptation, Adaptation.status == "pending"),
        "decided": count(Adaptation, Adaptation.status != "pending"),
        "alerts_decided": count(Alert, Alert.decision.is_not(None)),
        "first_day": db.session.scalar(select(func.min(CheckIn.local_date))),
        "sessions": count(ExerciseSession),
        "esas": Counter(q.patient_id for q in db.session.scalars(select(QuestionnaireResponse))),
    }


@in_app
def pending_whys() -> list[tuple[list[str], str]]:
    from backend.services.adaptations import to_dict

    rows = db.session.scalars(select(Adaptation).where(Adaptation.status == "pending"))
    return [(a.reason_codes, to_dict(a)["clinical_summary"]) for a in rows]


def test_demo_seed_lives_weeks_of_history_once(client):
    lines = seed()
    first = history()
    assert first["patients"] == 3
    assert all(n >= 35 for n in first["check_ins"].values()), first["check_ins"]
    assert all(n >= 12 for n in first["logs"].values()), first["logs"]
    assert first["stopped"] >= 1  # a flare: a session stopped early
    assert first["decided"] >= 1  # the coach's adaptations, applied or approved
    assert first["alerts_decided"] >= 1  # a red flag the physio decided
    # Six or seven ISO weeks, one ESAS-r each (answered on Mondays).
    assert len(first["esas"]) == 3 and all(n >= 6 for n in first["esas"].values()), first["esas"]
    # Everyone listed can sign in with what is printed.
    for line in lines:
        if line.strip().startswith("patient"):
            _, email, _, password, *_ = line.split()
            login(client, email, password)
    # A second run creates nothing.
    assert seed() == lines
    assert history() == first


def test_demo_seed_lists_only_its_own_patients(client):
    lines = seed()
    physio = login(client, demo.PHYSIO[0], demo.PHYSIO[2])
    other = enrol(client, physio)
    again = seed()
    assert again == lines
    assert not any(other["id"] in line for line in again)
    assert sum(line.strip().startswith("patient") for line in again) == 3


def test_the_demo_leaves_a_step_up_waiting_for_the_physio_in_clinical_words(client):
    seed()
    waiting = pending_whys()
    assert waiting, "no proposal waiting for the physio in the demo clinic"
    for codes, why in waiting:
        assert all(code in phrases.REASONS for code in codes), codes
        assert not any(code in why for code in codes) and "_" not in why, why
