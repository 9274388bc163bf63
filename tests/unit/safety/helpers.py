"""Small builders so each safety test states only what it is about."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from backend.domain.records import (
    Baseline,
    CareTeamState,
    CheckIn,
    LabResult,
    Lesion,
    PatientProfile,
    TreatmentCalendar,
)
from backend.domain.safety import RuleSet, SafetyVerdict, evaluate

TODAY = date(2026, 11, 26)


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def lab(name: str, value: float, age_days: int = 1) -> LabResult:
    return LabResult(name=name, value=value, taken_on=days_ago(age_days))


# A clinic records the physician's clearance before a high-tier patient starts (rule
# medical_clearance_first); tests of other rules start from a cleared patient.
CLEARED = frozenset({"medical_clearance"})


def patient(*sites: str, precautions: Sequence[str] = (), **kwargs: object) -> PatientProfile:
    kwargs.setdefault("clearances", CLEARED)
    return PatientProfile(
        cancer_type="breast",
        lesions=tuple(Lesion(site=s) for s in sites),
        precautions=frozenset(precautions),
        **kwargs,  # type: ignore[arg-type]
    )


def check_in(
    fatigue: int = 2, pain: int = 1, symptoms: Sequence[str] = (), **kwargs: object
) -> CheckIn:
    return CheckIn(
        on=kwargs.pop("on", TODAY),  # type: ignore[arg-type]
        fatigue=fatigue,
        pain=pain,
        symptoms=frozenset(symptoms),
        **kwargs,  # type: ignore[arg-type]
    )


NO_CHECK_IN = None
CLEAN = "a clean check-in today"  # judge()'s default, so a test states only what it is about


def judge(
    rules: RuleSet,
    profile: PatientProfile | None = None,
    labs: Sequence[LabResult] = (),
    calendar: TreatmentCalendar | None = None,
    today_check_in: CheckIn | None | str = CLEAN,
    baseline: Baseline | None = None,
    care: CareTeamState | None = None,
) -> SafetyVerdict:
    """The verdict for TODAY; by default the patient checked in feeling fine (fatigue 2,
    pain 1); pass today_check_in=NO_CHECK_IN for a day without a check-in."""
    return evaluate(
        profile or patient(),
        labs,
        calendar or TreatmentCalendar(),
        check_in() if today_check_in == CLEAN else today_check_in,
        TODAY,
        baseline or Baseline(),
        rules,
        care or CareTeamState(),
    )


def codes(verdict: SafetyVerdict) -> set[str]:
    return {r.code for r in verdict.reasons}
