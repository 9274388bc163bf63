"""The programme summary a physio sends to the oncology team: one read, audited, in words.

Everything is read once, inside the clinician's scope (another clinic's patient is a 404);
reasons are the coach's clinical phrases (ml.phrases), never its internal codes.
"""

from __future__ import annotations

import math
from datetime import date

from sqlalchemy import func, select

from backend import clock
from backend.domain import vocabulary as v
from backend.extensions import db
from backend.models import Clinic, ExerciseSession
from backend.security import Actor
from backend.services import audit, history, patients, review, training, transactional, trends
from backend.services.adaptations import APPLIED

DECISION_WORDS = {
    "resume": "sessions resumed",
    "resume_lighter": "sessions resumed, lighter for a week",
    "pause": "sessions paused",
}


def _status_words(a: dict) -> str:
    if a["status"] == "auto_applied":
        return "applied by the coach"
    if a["status"] == "approved":
        return f"approved by {a.get('decided_by_name') or 'the physiotherapist'}"
    if a["status"] == "modified":
        return f"changed to level {a['applied_level']} by {a.get('decided_by_name') or 'the physiotherapist'}"
    if a["status"] == "rejected":
        return f"rejected by {a.get('decided_by_name') or 'the physiotherapist'}"
    return "waiting for the physiotherapist"


def _flares(patient, start, end) -> list[dict]:
    """Sessions the one flare definition (ml.labels) marks as not tolerated."""
    records = history.records([patient], start, end)
    if not records:
        return []
    _, feats = training.features_row(records)
    out = []
    for rec, label in zip(records, feats["label"].tolist(), strict=True):
        if rec.get("session_minutes") is None or label is None or math.isnan(label) or label < 1:
            continue
        out.append(
            {
                "date": date.fromisoformat(rec["date"]),
                "modality": rec.get("modality"),
                "level": rec.get("level"),
            }
        )
    return out


def _weeks(series: dict) -> list[dict]:
    """Per week: sessions done of those due, load, mean fatigue, and the ESAS-r total."""
    esas = {r["date"]: r for r in series["questionnaires"]}
    out = []
    for week in series["weekly_adherence"]:
        days = [d for d in series["days"] if week["week_start"] <= d["date"] <= week["week_end"]]
        fatigue = [d["fatigue"] for d in days if d["fatigue"] is not None]
        answered = [esas[d["date"]] for d in days if d["date"] in esas]
        out.append(
            {
                **week,
                "load": round(sum(d["session_load"] or 0 for d in days)),
                "fatigue": round(sum(fatigue) / len(fatigue), 1) if fatigue else None,
                "esas_total": answered[-1]["total"] if answered else None,
            }
        )
    return [w for w in out if w["due"] or w["load"] or w["fatigue"] is not None]


@transactional
def programme_summary(actor: Actor, patient_id: str) -> dict:
    """What the patient did, how it went and what the care team decided, over the programme."""
    patient = patients.load_patient(actor, patient_id)
    audit.record(actor, "summary.read", patient.id, "pdf")
    # The whole programme (at most a year), not only the dashboard's 12 weeks: from
    # enrolment, or the first session if history was carried over from before.
    first = db.session.scalar(
        select(func.min(ExerciseSession.local_date)).where(ExerciseSession.patient_id == patient.id)
    )
    start = min(d for d in (patient.created_at.date(), first) if d is not None)
    days = (clock.now().date() - start).days + 1
    weeks = max(1, min(trends.MAX_WEEKS, math.ceil(days / 7)))
    window = trends.load_window(patient, weeks)
    series = trends.series(window)
    sessions = trends.history(window)
    counts = {s: 0 for s in ("completed", "partial", "stopped", "missed")}
    for s in sessions:
        if s["status"] in counts:
            counts[s["status"]] += 1
    timeline, _ = review.timeline(patient.id, limit=200)
    changes = [
        {
            "date": a["date"],
            "modality": v.MODALITY_LABELS.get(a["modality"], a["modality"]),
            "from": a["current_level"],
            "to": a["applied_level"] if a["status"] in APPLIED else a["proposed_level"],
            "outcome": _status_words(a),
            "why": a["clinical_summary"],
            "note": a["note"],
        }
        for a in reversed(timeline)
        if a["date"] >= window.start
    ]
    alerts = review.alert_rows(actor.clinic_id, "open", patient.id, 50) + review.alert_rows(
        actor.clinic_id, "acknowledged", patient.id, 50
    )
    clinic = db.session.get(Clinic, patient.clinic_id)
    return {
        "patient": patients.to_dict(patient),
        "clinic": clinic.name,
        "clinic_timezone": clinic.timezone or "UTC",
        "generated_at": clock.now(),
        "from": window.start,
        "to": window.end,
        "levels": series["days"][-1]["levels"] if series["days"] else {},
        "counts": counts,
        "weeks": _weeks(series),
        "flares": [
            {**f, "modality": v.MODALITY_LABELS.get(f["modality"], f["modality"] or "")}
            for f in _flares(patient, window.start, window.end)
        ],
        "alerts": [
            {
                "date": a["date"],
                "reasons": [r["message"] for r in a["reasons"]],
                "outcome": DECISION_WORDS.get(a["decision"], "not yet acknowledged")
                if a["status"] == "acknowledged" or a["decision"]
                else "not yet acknowledged",
                "note": a["note"],
            }
            for a in sorted(alerts, key=lambda a: a["date"])
        ],
        "changes": changes,
        "questionnaires": series["questionnaires"],
    }
