"""The coach in the service: after a morning check-in or a log, decide each modality's next level.

The pure policy (ml.policy) proposes and guards; this module gathers its inputs from the
database, stores every decision as an Adaptation record, and applies it (auto_applied) or
queues it for the physio (pending). Sessions always use the levels in force (services.levels).
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select, update

from backend import clock
from backend.domain.planner import session_ladders
from backend.domain.records import Catalog
from backend.extensions import db
from backend.models import Adaptation, CheckIn, ExerciseSession, Patient, SessionLog
from backend.services import content, history, levels, load_cap, patient_inputs, training

POLICIES = ("auto", "fixed", "rules", "model")
RECENT_SESSIONS = 10
NAMES = {
    "tai_chi_qigong": "tai chi",
    "resistance_band": "band work",
    "aquatic": "water exercise",
    "balance": "balance",
    "walking_aerobic": "walking",
    "mobility": "mobility",
}


def after_check_in(patient: Patient, check_in: CheckIn, verdict) -> None:
    """Decide today's levels from this morning's check-in (in the caller's transaction)."""
    modalities = [m["modality"] for m in (patient.prescription or {}).get("modalities", [])]
    _decide(patient, check_in.local_date, "check_in", verdict.status, check_in, modalities)


def after_log(patient: Patient, session: ExerciseSession, log: SessionLog) -> None:
    """Decide the next session's levels for the modalities just done."""
    # The next session's verdict is not known yet: judge it green here; the next morning's
    # check-in decides again with the real verdict (amber: no progression, red: no session).
    _decide(
        patient,
        session.local_date + timedelta(days=1),
        "log",
        "green",
        None,
        list(session.modalities),
    )


def _this_weeks_verdict(patient_id: str, on: date, verdict: str) -> str:
    """§9 AMBER: "no progression this week": an amber check-in earlier in the ISO week of
    `on` keeps a green day from progressing until the week is over."""
    if verdict != "green":
        return verdict
    monday = on - timedelta(days=on.weekday())
    amber = db.session.scalar(
        select(CheckIn.id)
        .where(
            CheckIn.patient_id == patient_id,
            CheckIn.local_date >= monday,
            CheckIn.local_date <= on,
            CheckIn.status == "amber",
        )
        .limit(1)
    )
    return "amber" if amber else verdict


def _decide(patient, on: date, trigger: str, verdict: str, check_in, modalities) -> None:
    prescribed = {m["modality"]: m for m in (patient.prescription or {}).get("modalities", [])}
    modalities = [m for m in modalities if m in prescribed]
    if not modalities:
        return
    verdict = _this_weeks_verdict(patient.id, on, verdict)
    policy = current_app.config["ADAPTATION_POLICY"]
    current = levels.current_levels(patient)
    start, _ = history.window(on)
    records = history.records([patient], start, on - timedelta(days=1))
    records.append(history.today_record(patient, on, check_in))
    today, feats = training.features_row(records)
    outcomes, last_tolerated = _outcomes(records, feats)
    active = training.active_model()
    model, meta, version = active if active else (None, {}, None)
    # Labels final by now: after a log (no check-in yet) the session's next morning is unknown.
    recalibration = training.patient_recalibration(
        active, feats, on if check_in is not None else on - timedelta(days=1)
    )
    past = _past_adaptations(patient.id)
    catalog = content.current().catalog
    profile, _, _ = patient_inputs.domain_inputs(patient)
    slow = content.current().rules.slow_progression_for(profile)
    for modality in modalities:
        item = prescribed[modality]
        loads = _level_loads(catalog, profile, modality)
        state = training.ModalityState(
            modality=modality,
            current=current[modality],
            range=training.LevelRange(
                item["min_level"], item["max_level"], item.get("locked_level")
            ),
            last_raise=_last_raise(past, modality),
            level_loads=loads,
            lighter_loads=_level_loads(catalog, profile, modality, lighter=True),
            building_up=load_cap.building_up_for(patient.id, on, modality, current[modality]),
            raise_every_days=slow.raise_every_days if slow else None,
            recent=tuple(outcomes[modality][-RECENT_SESSIONS:]),
            # Today's effort caps shape today's session (the planner applies them); they are
            # not a ceiling on the level history, or one amber day would become a regression.
            safety_max_level=None,
        )
        inp = training.DecisionInput(
            today=on,
            verdict=verdict,
            state=state,
            features={
                **today,
                "modality": modality,
                "last_tolerated_level": last_tolerated.get(modality),
            },
            reference=meta.get("reference_values") or {},
            model=model,
            model_version=version,
            patient_sessions=int(today.get("labelled_sessions") or 0),
            auto_approve_band=(patient.prescription or {}).get("auto_approve_band", 1),
            recalibration=recalibration,
        )
        decision = training.decide(inp, policy)
        snapshot = {
            "verdict": verdict,
            "trigger": trigger,
            "planned_load": {str(lv): state.level_loads.get(lv) for lv, _ in decision.candidates},
            "lighter": {
                "planned_load": state.lighter_loads.get(decision.chosen),
                "p_tolerated": _rounded(decision.lighter_p),
            },
            "features": _snapshot(inp.features),
        }
        _store(patient, on, trigger, decision, past, snapshot)


def _outcomes(records: list[dict], feats) -> tuple[dict, dict]:
    """Labelled past sessions per modality (oldest first) and the last tolerated level of each."""
    outcomes: dict[str, list] = defaultdict(list)
    last_tolerated: dict[str, int] = {}
    labels = feats["label"].tolist()
    for i, (rec, label) in enumerate(zip(records, labels, strict=True)):
        if rec.get("session_minutes") is None or label is None or math.isnan(label):
            continue
        modality, level = rec["modality"], rec["level"]
        if modality is None or level is None:
            continue
        target = rec.get("target_rpe")
        on_target = target is None or rec["session_rpe"] - target <= 1
        following = next((r for r in records[i + 1 :] if r.get("fatigue") is not None), None)
        small_rise = bool(
            following
            and rec.get("fatigue") is not None
            and label == 0
            and (
                following["fatigue"] - rec["fatigue"] >= 1
                or (following["pain"] or 0) - (rec.get("pain") or 0) >= 1
            )
        )
        on = date.fromisoformat(rec["date"])
        outcomes[modality].append(
            training.SessionOutcome(on, int(level), label == 0, on_target, small_rise)
        )
        if label == 0:
            last_tolerated[modality] = int(level)
    return outcomes, last_tolerated


def _past_adaptations(patient_id: str) -> list[Adaptation]:
    return list(
        db.session.scalars(
            select(Adaptation)
            .where(
                Adaptation.patient_id == patient_id,
                Adaptation.status.in_(levels.APPLIED + ("pending",)),
            )
            .order_by(Adaptation.created_at.desc(), Adaptation.local_date.desc())
            .limit(100)
        )
    )


def _last_raise(past: list[Adaptation], modality: str) -> date | None:
    for a in past:
        if (
            a.modality == modality
            and a.status in levels.APPLIED
            and (a.applied_level or 0) > a.current_level
        ):
            return a.local_date
    return None


_LADDERS: dict[tuple, dict[int, float]] = {}
_LADDERS_KEPT = 4096  # distinct (content, profile, modality) ladders; a few KB each


def _level_loads(
    catalog: Catalog, profile, modality: str, *, lighter: bool = False
) -> dict[int, float]:
    """Planned load (AU) of the patient's own green-day session of this modality at each level
    (``lighter``: the coach's lighter session): the dose a candidate means, whatever the last
    session happened to be (an amber day's is lighter, a two-modality day's is split).
    Cached: profiles repeat, plans are pure."""
    key = (catalog.version, profile, modality, lighter)
    if key not in _LADDERS:
        if len(_LADDERS) >= _LADDERS_KEPT:
            _LADDERS.clear()
        ladders = session_ladders(catalog, profile, (modality,), lighter=lighter)
        ladder = ladders.get(modality, {})
        _LADDERS[key] = {level: dose[1] for level, dose in ladder.items()}
    return _LADDERS[key]


def _snapshot(features) -> dict:
    """The feature row the decision saw, JSON-safe (the dose terms are per candidate)."""
    out = {}
    for name in training.FEATURES:
        value = features.get(name)
        if isinstance(value, float):
            value = _rounded(value)
        out[name] = value
    return out


def _rounded(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), 4)


def _store(
    patient: Patient, on: date, trigger: str, decision, past: list[Adaptation], inputs: dict
) -> None:
    pending = decision.needs_review and decision.chosen != decision.current
    if pending:
        # A newer proposal replaces an older one still waiting for the physio.
        db.session.execute(
            update(Adaptation)
            .where(
                Adaptation.patient_id == patient.id,
                Adaptation.modality == decision.modality,
                Adaptation.status == "pending",
            )
            .values(status="superseded")
        )
    db.session.add(
        Adaptation(
            patient_id=patient.id,
            clinic_id=patient.clinic_id,
            modality=decision.modality,
            local_date=on,
            created_at=clock.now(),
            trigger=trigger,
            policy=decision.policy,
            model_version=decision.model_version,
            current_level=decision.current,
            proposed_level=decision.chosen,
            candidates=[
                {"level": lv, "p_tolerated": None if p is None else round(p, 4)}
                for lv, p in decision.candidates
            ],
            reason_codes=list(decision.reason_codes),
            top_features=[{"name": n, "contribution": c} for n, c in decision.top_features],
            inputs=inputs,
            explanation=explain(decision, pending),
            status="pending" if pending else "auto_applied",
            applied_level=None if pending else decision.chosen,
            lighter=decision.lighter and not pending,
        )
    )


def explain(decision, pending: bool) -> str:
    """One plain sentence for the patient (and the physio's timeline)."""
    name = NAMES.get(decision.modality, decision.modality)
    if decision.no_session:
        return f"No {name} today: rest and let your team know how you are."
    if decision.lighter:
        return (
            f"A shorter {name} session at level {decision.chosen} today: your recent days "
            "suggest your body needs a lighter dose for now."
        )
    if pending:
        return (
            f"Your physiotherapist will check a step up in {name} to level {decision.chosen} first."
        )
    if decision.chosen > decision.current:
        return f"Stepping up {name} to level {decision.chosen}: your recent sessions went well."
    if decision.chosen < decision.current:
        return f"Easing {name} to level {decision.chosen} so your body can recover."
    if "amber_no_progression" in decision.reason_codes:
        return f"Staying at level {decision.chosen} in {name}: no step up on a lighter day."
    return f"Staying at level {decision.chosen} in {name}."
