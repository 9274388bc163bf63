"""Weeks of plausible history for the demo clinic, lived through the real services.

So that a newcomer's first screen shows what the coach does (issue 16): for each demo
patient, every day of the last `days` days, in time order across patients, with the moved
clock: a morning check-in (sometimes skipped), today's session, and its log (sometimes
skipped, once stopped early with a flare the next morning); the physio reviews in the
evening (approves proposals a few days old, acknowledges red flags the next day) and leaves
the last days' proposals waiting. Symptoms follow a scripted, seeded pattern: the
patient's usual scores, a fatigue rise on days 2-5 after each infusion, day-to-day noise.
Nothing here is a model of physiology; it only has to look like a real caseload.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from backend import clock
from backend.extensions import db
from backend.models import Adaptation, Alert, Patient
from backend.security import Actor
from backend.services import adaptations, daily, questionnaires, review

HISTORY_DAYS = 49  # seven weeks
WAITING_DAYS = 8  # proposals of the last week stay in the review queue (a weekly review)


@dataclass(frozen=True)
class Script:
    """How one demo patient feels and behaves (seeded, deterministic)."""

    email: str
    usual_fatigue: int
    usual_pain: int
    adherence: float  # chance of doing a served session
    flare_day: int | None = None  # from this many days before today, the next session done
    # is too much: stopped early, worse the next morning
    red_flag_day: int | None = None  # days before today: a same-day red-flag symptom
    red_flag: str = "bone_pain"
    # From this many days before today the patient has settled into the programme: scores
    # at their usual, effort on target (the safety rules read a +1 over target, or with bone
    # lesions any rise in pain, as an amber day, and an amber day stops that week's
    # progression; day-to-day noise alone would keep every week amber and the coach silent).
    settled_day: int | None = None
    breathless: int = 0  # usual shortness of breath (0-10), for the weekly ESAS-r


SCRIPTS = {
    "ann@demo.onward.example": Script("ann@demo.onward.example", 3, 1, 0.85, flare_day=23),
    # Bob's band is 0: every step up waits for the physio. Settled once his bone pain did.
    "bob@demo.onward.example": Script(
        "bob@demo.onward.example", 2, 3, 0.9, red_flag_day=30, red_flag="bone_pain", settled_day=18
    ),
    "cara@demo.onward.example": Script(
        "cara@demo.onward.example", 4, 2, 0.7, flare_day=12, breathless=3
    ),
}


@dataclass
class Lived:
    """What the days so far left behind, for the days after."""

    esas_rng: random.Random  # its own stream: the questionnaire leaves the days' draws alone
    # patient -> days_left of the session that was too much
    flares: dict[str, int] = field(default_factory=dict)
    mornings: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # (fatigue, pain)


def live(patient_ids: list[str], physio: Actor, start: datetime, days: int) -> None:
    """Live `days` days from `start` for the given patients (clock is moved, then restored)."""
    people = [db.session.get(Patient, pid) for pid in patient_ids]
    scripts = {p.id: SCRIPTS[p.user.email] for p in people if p.user.email in SCRIPTS}
    rng = random.Random(20261203)
    lived = Lived(random.Random(20261204))
    with clock.frozen(start) as frozen:
        for n in range(days):
            day_start = (start + timedelta(days=n)).date()
            events = []
            for p in people:
                if p.id in scripts:
                    events += _patient_day(p, scripts[p.id], day_start, days - n, rng)
            events.append((_at(day_start, time(19), "UTC"), "review", None, days - n))
            for at, kind, patient, days_left in sorted(events, key=lambda e: e[0]):
                frozen.set(at)
                if kind == "review":
                    _review(physio, days_left)
                else:
                    kind(patient, scripts[patient.id], days_left, rng, lived)


def _at(day: date, hour: time, zone: str) -> datetime:
    return datetime.combine(day, hour, tzinfo=ZoneInfo(zone))


def _patient_day(p: Patient, script: Script, day: date, days_left: int, rng: random.Random):
    events = [
        (_at(day, time(8), p.timezone), _morning, p, days_left),
        (_at(day, time(11), p.timezone), _session, p, days_left),
    ]
    if day.weekday() == 0:  # the weekly questionnaire, on Monday after the check-in
        events.append((_at(day, time(8, 30), p.timezone), _questionnaire, p, days_left))
    return events


def _actor(p: Patient) -> Actor:
    return Actor(p.user_id, "patient", p.clinic_id, patient_id=p.id, remote_addr="demo")


def _after_infusion(p: Patient) -> int | None:
    today = daily.local_date(p)
    past = [
        (today - date.fromisoformat(d)).days
        for d in (p.clinical.get("calendar") or {}).get("infusions", [])
        if date.fromisoformat(d) <= today
    ]
    return min(past) if past else None


def _morning(p: Patient, script: Script, days_left: int, rng: random.Random, lived: Lived) -> None:
    if rng.random() < 0.1:  # some mornings nobody checks in
        return
    fatigue, pain = script.usual_fatigue, script.usual_pain
    since = _after_infusion(p)
    if since is not None and 2 <= since <= 5:
        fatigue += 2
    if lived.flares.get(p.id) == days_left + 1:
        fatigue, pain = fatigue + 3, pain + 2  # the morning after the session that was too much
    settled = _settled(script, days_left)
    fatigue += rng.choice((0, 0, 0, 1) if settled else (-1, 0, 0, 1))
    symptoms = [script.red_flag] if days_left == script.red_flag_day else []
    body = {
        "fatigue": max(0, min(10, fatigue)),
        "pain": max(0, min(10, pain + (0 if settled else rng.choice((0, 0, 1))))),
        "sleep_quality": rng.randint(4, 8),
        "symptoms": symptoms,
    }
    daily.check_in(_actor(p), body)
    lived.mornings.setdefault(p.id, []).append((body["fatigue"], body["pain"]))


def _session(p: Patient, script: Script, days_left: int, rng: random.Random, lived: Lived) -> None:
    session = daily.today(_actor(p))
    flare = (
        script.flare_day is not None and days_left <= script.flare_day and p.id not in lived.flares
    )
    if not session["blocks"] or (not flare and rng.random() > script.adherence):
        return
    if flare:
        lived.flares[p.id] = days_left
    minutes = sum(b["dose"].get("minutes") or 0 for b in session["blocks"])
    targets = [b["dose"]["target_rpe"] for b in session["blocks"] if b["part"] == "main"]
    effort = max(targets or [3])
    body = {
        "completed": not flare,
        "minutes": round(minutes * (0.5 if flare else 1.0), 1),
        "session_rpe": min(10, effort + (3 if flare else _effort_noise(script, days_left, rng))),
        "rpe_scale": "cr10",
        "fatigue_after": min(10, script.usual_fatigue + (4 if flare else 1)),
        "pain_after": min(10, script.usual_pain + (2 if flare else 0)),
        "stopped_early_reason": "Too tired to finish; legs felt heavy." if flare else None,
    }
    daily.log_session(_actor(p), session["id"], f"demo-{session['id']}", body)


def _questionnaire(
    p: Patient, script: Script, days_left: int, rng: random.Random, lived: Lived
) -> None:
    """The weekly ESAS-r, answered from how the past week felt (its mornings' scores)."""
    week = lived.mornings.get(p.id, [])[-7:] or [(script.usual_fatigue, script.usual_pain)]
    lived.mornings[p.id] = []
    tired = round(sum(f for f, _ in week) / len(week))
    pain = round(sum(q for _, q in week) / len(week))
    noise = lived.esas_rng.choice
    since = _after_infusion(p)
    sick = 2 if since is not None and since <= 5 else 0  # nausea, appetite after an infusion
    items = {
        "pain": pain,
        "tiredness": tired,
        "drowsiness": max(0, tired - 2 + noise((0, 1))),
        "nausea": sick + noise((0, 0, 1)),
        "lack_of_appetite": sick + noise((0, 1)),
        "shortness_of_breath": script.breathless + noise((0, 0, 1)),
        "depression": 1 + noise((0, 0, 1)),
        "anxiety": 1 + noise((0, 1)) + (2 if _near(script.red_flag_day, days_left) else 0),
        "wellbeing": max(2, round((tired + pain) / 2) + noise((0, 1))),
    }
    body = {"items": {k: max(0, min(10, v)) for k, v in items.items()}}
    questionnaires.submit_esas(_actor(p), body, None)


def _near(day: int | None, days_left: int) -> bool:
    """Within the week after a scripted day (a red flag leaves the patient anxious)."""
    return day is not None and 0 <= day - days_left <= 7


def _settled(script: Script, days_left: int) -> bool:
    return script.settled_day is not None and days_left <= script.settled_day


def _effort_noise(script: Script, days_left: int, rng: random.Random) -> int:
    """CR-10 points off target: settled, on target or a little under; otherwise either way."""
    return rng.choice((-1, 0, 0) if _settled(script, days_left) else (-1, 0, 0, 1))


def _review(physio: Actor, days_left: int) -> None:
    """The physio's evening: old enough proposals approved, yesterday's red flags decided."""
    now = clock.now()
    if days_left > WAITING_DAYS:
        pending = db.session.scalars(
            select(Adaptation).where(
                Adaptation.clinic_id == physio.clinic_id,
                Adaptation.status == "pending",
                Adaptation.created_at <= now - timedelta(days=2),
            )
        ).all()
        for a in pending:
            adaptations.decide(physio, a.id, "approve", None, "Reviewed at the weekly check.")
    open_flags = db.session.scalars(
        select(Alert).where(
            Alert.clinic_id == physio.clinic_id,
            Alert.acknowledged_at.is_(None),
            Alert.opened_at <= now - timedelta(hours=20),
        )
    ).all()
    for alert in open_flags:
        review.acknowledge(
            physio,
            alert.id,
            "Phoned the patient: pain settled with rest; X-ray clear. Restart gently.",
            "resume_lighter",
        )
