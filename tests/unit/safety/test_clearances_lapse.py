"""Second reader B1: a clearance speaks for the record as it was when it was given."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from backend.domain.clearances import lapsed_clearances
from backend.domain.records import Lesion, PatientProfile, TreatmentCalendar
from tests.unit.safety.test_rules_from_source_properties import real_rules as rules

ALL = frozenset(
    {"training_after_surgery", "pool_after_infusion", "medical_clearance", "resistance_with_ostomy"}
)
BEFORE = PatientProfile(
    "breast", clearances=ALL, surgery_date=date(2026, 9, 1), precautions=frozenset({"ostomy"})
)
CYCLES = TreatmentCalendar(infusions=(date(2026, 11, 2), date(2026, 11, 23)))


def lapsed(after: PatientProfile, calendar: TreatmentCalendar = CYCLES) -> dict[str, str]:
    return lapsed_clearances((BEFORE, CYCLES), (after, calendar), rules())


def test_training_after_surgery_lapses_with_a_new_surgery():
    # §4.2 "Early wound healing blocks training": the go-ahead was for the last wound.
    assert set(lapsed(replace(BEFORE, surgery_date=date(2026, 11, 30)))) == {
        "training_after_surgery"
    }


def test_pool_after_infusion_lapses_with_a_new_cycle():
    # §4.2 "Pool + cytotoxic drugs ... decide case by case".
    later = TreatmentCalendar(infusions=(*CYCLES.infusions, date(2026, 12, 14)))
    assert set(lapsed(BEFORE, later)) == {"pool_after_infusion"}


def test_medical_clearance_lapses_with_a_new_bone_lesion_or_high_tier_condition():
    # §3 "physician clearance first" for the NCCN high tier: a new finding needs a new answer.
    assert "medical_clearance" in lapsed(replace(BEFORE, lesions=(Lesion("spine_lumbar"),)))
    worse = replace(BEFORE, precautions=BEFORE.precautions | {"cardiopulmonary_toxicity"})
    assert "medical_clearance" in lapsed(worse)


def test_nothing_lapses_for_an_unrelated_change_or_a_clearance_given_in_the_same_change():
    assert lapsed(replace(BEFORE, bands_owned=("red",))) == {}
    fresh = lapsed_clearances(
        (replace(BEFORE, clearances=frozenset()), CYCLES),
        (replace(BEFORE, surgery_date=date(2026, 11, 30)), CYCLES),
        rules(),
    )
    assert fresh == {}
