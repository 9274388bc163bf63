"""The weekly load cap's inputs from the database (rules.yaml ``progression.weekly_load_cap``).

The rule itself is ``backend.domain.planner.weekly_load_ceilings``; the daily service passes
its ceilings to the planner, and the coach holds a step up while they still trim a level.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import select

from backend.domain.planner import CompletedSession, building_up, weekly_load_ceilings
from backend.extensions import db
from backend.models import ExerciseSession
from backend.services import content


def main_loads(blocks: list[dict] | None) -> dict[str, float]:
    """A stored session's main work's planned load (minutes x CR-10) per modality, as
    ``planner.main_loads`` reads a planned one."""
    loads: dict[str, float] = {}
    for block in blocks or []:
        if block["part"] == "main":
            dose = block["dose"]
            load = (dose.get("minutes") or 0.0) * dose["target_rpe"]
            loads[block["modality"]] = loads.get(block["modality"], 0.0) + load
    return loads


def completed(sessions: Iterable[ExerciseSession], on: date) -> list[CompletedSession]:
    """The stored sessions completed before ``on``, as the cap reads them."""
    return [
        CompletedSession(
            s.local_date,
            main_loads(s.blocks),
            {m: int(lv) for m, lv in (s.levels or {}).items() if lv is not None},
        )
        for s in sessions
        if s.status == "completed" and s.local_date < on
    ]


def ceilings(sessions: Iterable[ExerciseSession], on: date) -> dict[str, float]:
    """Today's load ceiling per modality from these stored sessions (any dates)."""
    max_rise = content.current().rules.weekly_load_cap.max_rise
    return weekly_load_ceilings(on, completed(sessions, on), max_rise)


def building_up_for(patient_id: str, on: date, modality: str, level: int) -> bool:
    """``planner.building_up`` for a patient's modality at a level."""
    current = content.current()
    return building_up(
        on,
        completed(_last_two_weeks(patient_id, on), on),
        current.rules.weekly_load_cap.max_rise,
        current.catalog.ladders,
        modality,
        level,
    )


def _last_two_weeks(patient_id: str, on: date):
    sessions = db.session.scalars(
        select(ExerciseSession).where(
            ExerciseSession.patient_id == patient_id,
            ExerciseSession.status == "completed",
            # weekly_load_ceilings reads the previous ISO week only
            ExerciseSession.local_date >= on - timedelta(days=on.weekday() + 7),
            ExerciseSession.local_date < on,
        )
    )
    return list(sessions)
