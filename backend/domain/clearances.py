"""Which of the care team's clearances a change to the record makes stale.

A clearance is a clinician's answer about the patient as they were: the surgical team's
"the wound has healed" speaks for that surgery, a pool decision for that cycle ("decide case
by case"), a physician's clearance for the conditions known then. When the record changes
what the answer was about, the clearance lapses and the team must give it again (second
reader B1; docs/architecture.md item 42).
"""

from __future__ import annotations

from backend.domain.records import PatientProfile, TreatmentCalendar
from backend.domain.safety import RuleSet
from backend.domain.vocabulary import BONE_SITES


def lapsed_clearances(
    before: tuple[PatientProfile, TreatmentCalendar],
    after: tuple[PatientProfile, TreatmentCalendar],
    rules: RuleSet,
) -> dict[str, str]:
    """Clearance code -> why it no longer holds, for clearances given before this change and
    still listed. One given in the same change speaks for the new record, and stays."""
    (old, old_calendar), (new, new_calendar) = before, after
    why: dict[str, str] = {}
    if new.surgery_date and new.surgery_date != old.surgery_date:
        why["training_after_surgery"] = "a new surgery date was recorded"
    latest = max(new_calendar.infusions, default=None)
    if latest and latest > max(old_calendar.infusions, default=latest):
        why["pool_after_infusion"] = "a new infusion was recorded (pool use is decided per cycle)"
    high_tier = {
        p
        for s in rules.situations
        if s.rule.unless_cleared == "medical_clearance"
        for p in s.precautions
    }
    added = (new.precautions - old.precautions) & high_tier
    bone = {lesion.site for lesion in new.lesions} & set(BONE_SITES)
    new_bone = bone - {lesion.site for lesion in old.lesions}
    if added or new_bone:
        what = sorted(added) + [f"bone lesion at {site}" for site in sorted(new_bone)]
        why["medical_clearance"] = "new high-risk findings: " + ", ".join(what)
    if "ostomy" in new.precautions - old.precautions:
        why["resistance_with_ostomy"] = "a stoma was recorded after the permission"
    kept = new.clearances & old.clearances
    return {code: text for code, text in why.items() if code in kept}
