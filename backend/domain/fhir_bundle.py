"""A patient's record as a FHIR R4 Bundle, after the HL7 Physical Activity IG: the prescription
as ServiceRequest and Goals, logged sessions as exercise-duration Observations with their
effort, red flags as Flags, and the wearable points of a recent window as the Observations
the ingestion endpoint reads. Every resource is built and validated with fhir.resources
(R4B models; docs/architecture.md, item 44)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from fhir.resources.R4B.bundle import Bundle

from backend.domain.observation_input import LOINC, LOINC_OF_KIND, UCUM
from backend.domain.observations import KINDS, Point

ONWARD = "https://onward.example/fhir/CodeSystem/onward"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
EXERCISE_DURATION = "55411-3"


@dataclass(frozen=True)
class LoggedSession:
    id: str
    on: date
    minutes: float
    completed: bool
    session_rpe: float
    rpe_scale: str  # cr10 | borg20
    session_load: float  # minutes x CR-10


@dataclass(frozen=True)
class RedFlag:
    id: str
    opened_at: datetime
    reasons: list[str]
    acknowledged_at: datetime | None


def _coding(system: str, code: str, display: str | None = None) -> dict:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding], **({"text": display} if display else {})}


def _quantity(value: float, code: str) -> dict:
    return {"value": value, "unit": code, "system": UCUM, "code": code}


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def prescription_resources(patient_ref: str, prescription: dict | None) -> list[dict]:
    """The programme as one ServiceRequest, and a Goal per modality (sessions a week)."""
    if not prescription:
        return []
    modalities = prescription.get("modalities", [])
    request = {
        "resourceType": "ServiceRequest",
        "id": "prescription",
        "status": "active",
        "intent": "order",
        "category": [_coding(ONWARD, "home-exercise", "Home exercise programme")],
        "code": _coding(ONWARD, "home-exercise", "Home exercise programme"),
        "subject": {"reference": patient_ref},
        "orderDetail": [
            {
                "text": f"{m['modality']}: levels {m['min_level']}–{m['max_level']}"
                + (f", {m['sessions_per_week']} a week" if m.get("sessions_per_week") else "")
            }
            for m in modalities
        ],
    }
    goals = []
    for m in modalities:
        goal = {
            "resourceType": "Goal",
            "id": f"goal-{m['modality'].replace('_', '-')}",
            "lifecycleStatus": "active",
            "description": {
                "text": f"{m['modality']} within levels {m['min_level']}–{m['max_level']}"
            },
            "subject": {"reference": patient_ref},
        }
        if m.get("sessions_per_week"):
            goal["target"] = [
                {
                    "measure": _coding(ONWARD, "sessions-per-week", "Sessions per week"),
                    "detailQuantity": _quantity(m["sessions_per_week"], "/wk"),
                }
            ]
        goals.append(goal)
    return [request, *goals]


def session_observation(patient_ref: str, session: LoggedSession) -> dict:
    """Exercise duration (LOINC 55411-3) with the effort rating and sRPE load as components."""
    return {
        "resourceType": "Observation",
        "id": f"session-{session.id}",
        "status": "final",
        "category": [
            _coding(CATEGORY, "activity", "Activity"),
        ],
        "code": _coding(LOINC, EXERCISE_DURATION, "Exercise duration"),
        "subject": {"reference": patient_ref},
        "effectiveDateTime": session.on.isoformat(),
        "valueQuantity": _quantity(session.minutes, "min"),
        "component": [
            {
                "code": _coding(ONWARD, f"session-rpe-{session.rpe_scale}", "Session effort"),
                "valueQuantity": {"value": session.session_rpe, "unit": session.rpe_scale},
            },
            {
                "code": _coding(ONWARD, "session-load", "Session load (minutes × CR-10)"),
                "valueQuantity": {"value": session.session_load, "unit": "AU"},
            },
            {
                "code": _coding(ONWARD, "completed", "Completed as planned"),
                "valueBoolean": session.completed,
            },
        ],
    }


def flag(patient_ref: str, red_flag: RedFlag) -> dict:
    period = {"start": _iso(red_flag.opened_at)}
    if red_flag.acknowledged_at:
        period["end"] = _iso(red_flag.acknowledged_at)
    return {
        "resourceType": "Flag",
        "id": f"alert-{red_flag.id}",
        "status": "inactive" if red_flag.acknowledged_at else "active",
        "category": [_coding(ONWARD, "red-flag", "Red flag")],
        "code": {"text": "; ".join(red_flag.reasons) or "Red flag"},
        "subject": {"reference": patient_ref},
        "period": period,
    }


def point_observation(patient_ref: str, point: Point) -> dict:
    """A wearable point as the Observation the ingestion endpoint reads back unchanged."""
    observation = {
        "resourceType": "Observation",
        "status": "final",
        "category": [
            _coding(CATEGORY, "activity" if KINDS[point.kind].interval else "vital-signs")
        ],
        "code": _coding(LOINC, LOINC_OF_KIND[point.kind]),
        "subject": {"reference": patient_ref},
        "valueQuantity": _quantity(point.value, KINDS[point.kind].stored_unit),
        "device": {"display": point.device},
    }
    if point.end is None:
        observation["effectiveDateTime"] = _iso(point.start)
    else:
        observation["effectivePeriod"] = {"start": _iso(point.start), "end": _iso(point.end)}
    return observation


def bundle(
    patient_id: str,
    generated_at: datetime,
    prescription: dict | None,
    sessions: list[LoggedSession],
    red_flags: list[RedFlag],
    points: list[Point],
) -> dict:
    """The validated Bundle (type collection) as JSON-ready data."""
    ref = f"Patient/{patient_id}"
    resources = [
        *prescription_resources(ref, prescription),
        *(session_observation(ref, s) for s in sessions),
        *(flag(ref, f) for f in red_flags),
        *(point_observation(ref, p) for p in points),
    ]
    raw = {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": _iso(generated_at),
        "entry": [{"resource": resource} for resource in resources],
    }
    validated = Bundle.model_validate(raw)  # raises if any resource is not valid R4
    return validated.model_dump(mode="json", by_alias=True, exclude_none=True)
