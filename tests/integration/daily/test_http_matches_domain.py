"""The HTTP path and the pure domain path agree: same verdict, reasons, exercises and doses.

The domain path is built here from the patient's stored record, the rules and the catalog,
calling backend.domain.safety.evaluate and backend.domain.planner.plan_session directly.
"""

from __future__ import annotations

import pytest

from backend.domain import records
from backend.domain.planner import plan_session
from backend.domain.safety import evaluate
from backend.extensions import db
from backend.models import Patient
from backend.services import content, levels
from backend.services.daily import local_date
from backend.services.patient_inputs import domain_inputs, domain_prescription
from tests.factories import activate, bearer, enrol, in_app

ALL_MODALITIES = [
    {"modality": m, "min_level": 1, "max_level": 6, "start_level": 2, "sessions_per_week": 2}
    for m in ("walking_aerobic", "resistance_band", "balance", "aquatic", "tai_chi_qigong", "mobility")
]
EQUIPMENT = {"bands": ["yellow", "red", "green"], "pool_access": True}
PROFILES = [
    {"lesions": [], "precautions": []},
    {"lesions": [{"site": "spine_lumbar", "sins": 8}], "precautions": ["falls"]},
    {"lesions": [{"site": "humerus", "mirels": 9}], "precautions": ["picc"]},
    {"lesions": [{"site": "brain"}, {"site": "skin"}], "precautions": ["ataxia"]},
    {
        "lesions": [{"site": "pelvis", "resistance_cleared": True}],
        "precautions": ["ostomy", "breast_surgery"],
        "clearances": ["resistance_with_ostomy"],
        "labs": [{"name": "platelets", "value": 45, "taken_on": "2026-11-01"}],
    },
    {"lesions": [{"site": "liver"}], "precautions": [], "calendar": {"infusions": ["2026-11-25"]}},
]
CHECK_INS = [None, {"fatigue": 2, "pain": 1}, {"fatigue": 7, "pain": 2}, {"fatigue": 3, "pain": 5}]


@in_app
def domain_session(patient_id: str, check_in: dict | None):
    patient = db.session.get(Patient, patient_id)
    profile, labs, calendar = domain_inputs(patient)
    rules, catalog = content.current().rules, content.current().catalog
    today = local_date(patient)
    ci = records.CheckIn(on=today, **check_in) if check_in else None
    verdict = evaluate(profile, labs, calendar, ci, today, records.Baseline(), rules)
    current = levels.levels_in_force(patient).levels
    plan = plan_session(
        on=today,
        prescription=domain_prescription(patient),
        verdict=verdict,
        levels=current,
        week=(),
        catalog=catalog,
        profile=profile,
    )
    return verdict, plan


@pytest.mark.parametrize("profile", range(len(PROFILES)))
@pytest.mark.parametrize("check_in", range(len(CHECK_INS)))
def test_http_path_and_domain_path_agree(client, physio, profile, check_in):
    clinical = {**PROFILES[profile], "equipment": EQUIPMENT}
    created = enrol(client, physio, clinical=clinical, prescription={"modalities": ALL_MODALITIES})
    headers = bearer(activate(client, created["invite_code"]))
    body = CHECK_INS[check_in]
    if body:
        client.post("/api/v1/me/check-ins", json=body, headers=headers)
    served = client.get("/api/v1/me/sessions/today", headers=headers).get_json()
    verdict, plan = domain_session(created["id"], body)
    assert served["verdict"] == verdict.status == plan.verdict
    assert [r["code"] for r in served["reasons"]] == [r.code for r in verdict.reasons]
    assert [(b["exercise_id"], b["level"]) for b in served["blocks"]] == [
        (b.exercise_id, b.level) for b in plan.blocks
    ]
    for http, dom in zip(served["blocks"], plan.blocks, strict=True):
        assert http["dose"]["minutes"] == dom.dose.minutes
        assert http["dose"]["target_rpe"] == dom.dose.target_rpe
        assert http["dose"]["band"] == dom.dose.band
