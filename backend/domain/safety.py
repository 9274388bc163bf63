"""Clinical safety rules: patient profile, labs, calendar and check-in -> a verdict with reasons.

Pure: the rule data arrives as a `RuleSet` (built by `backend.catalog.rules.load_rules` from
`content/safety/rules.yaml`); every threshold lives in that file, none in this module.
Domain reference: shared/domain/exercise-oncology.md, sections 4-11.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from backend.domain.records import (
    Baseline,
    CheckIn,
    LabResult,
    PatientProfile,
    Reason,
    TreatmentCalendar,
    Verdict,
)

SEVERITY_RANK = {"green": 0, "amber": 1, "red": 2}


# ---------- rule data ----------
@dataclass(frozen=True)
class Effects:
    """What a fired rule does to today's options (beyond its reason)."""

    excluded_tags: frozenset[str] = frozenset()
    excluded_modalities: frozenset[str] = frozenset()
    max_target_rpe: float | None = None  # CR-10, the scale Dose.target_rpe uses
    max_minutes: float | None = None  # per session
    prefer_seated: bool = False
    supervised_only: bool = False


@dataclass(frozen=True)
class Rule:
    """One rule: a stable code, where it comes from, what the patient reads, what it does."""

    code: str
    section: str  # domain-file section, e.g. "4.1"
    severity: str  # green (information) | amber | red
    source: str
    message: str
    effects: Effects = Effects()
    emergency: bool = False  # red-flag "emergency" tier: emergency advice, alert now


@dataclass(frozen=True)
class LabBand:
    """A lab value below (or at/below) `threshold`; the tightest matching band per lab fires."""

    rule: Rule
    lab: str
    threshold: float
    inclusive: bool  # True: value <= threshold; False: value < threshold

    def matches(self, value: float) -> bool:
        return value <= self.threshold if self.inclusive else value < self.threshold


@dataclass(frozen=True)
class TemperatureRule:
    rule: Rule
    at_or_above_c: float


@dataclass(frozen=True)
class PrecautionRule:
    rule: Rule
    precaution: str


@dataclass(frozen=True)
class SurgeryRule:
    rule: Rule
    within_days: int


@dataclass(frozen=True)
class SiteRule:
    """Fires when the patient has a lesion at any of `sites` (e.g. Chen 2025 rows)."""

    rule: Rule
    sites: frozenset[str]


@dataclass(frozen=True)
class LesionModule:
    """A Galvão lesion-site module; `lifted_by_walking_setting` tags return when the physio allows."""

    rule: Rule
    sites: frozenset[str]
    lifted_by_walking_setting: frozenset[str] = frozenset()


@dataclass(frozen=True)
class MultipleRegionsRule:
    rule: Rule
    at_least: int  # lesion modules (regions) that must fire


@dataclass(frozen=True)
class FractureRiskRule:
    """High Mirels/SINS on an uncleared lesion: no loading of its region, supervised only."""

    rule: Rule
    mirels_at_or_above: int
    sins_at_or_above: int
    region_tags: Mapping[str, frozenset[str]]  # bone site -> tags that load it


@dataclass(frozen=True)
class RedFlag:
    rule: Rule
    symptom: str
    tier: str


@dataclass(frozen=True)
class ScoreRule:
    """A check-in score (fatigue or pain) in a band, optionally risen from the baseline."""

    rule: Rule
    score: str  # "fatigue" | "pain"
    at_or_above: float | None = None
    below: float | None = None
    rise_from_baseline: float | None = None  # needs a baseline value when set


@dataclass(frozen=True)
class SessionRpeRule:
    rule: Rule
    over_target_at_or_above: float


@dataclass(frozen=True)
class LabFloor:
    lab: str
    at_or_above: float


@dataclass(frozen=True)
class InfusionWindow:
    """Days `from_day`..`to_day` (inclusive) after an infusion (day 0 = infusion day)."""

    rule: Rule
    from_day: int
    to_day: int
    unless_lab: LabFloor | None = None  # a current lab at/above this lifts the rule


@dataclass(frozen=True)
class RadiotherapyRule:
    rule: Rule
    days_after_end: int


@dataclass(frozen=True)
class Advice:
    emergency: str
    red: str
    amber: str
    green: str


@dataclass(frozen=True)
class RuleSet:
    """Every safety rule, as loaded from rules.yaml; `version` = yaml version + content hash."""

    version: str
    lab_staleness_days: int
    advice: Advice
    lab_bands: tuple[LabBand, ...]
    labs_out_of_date: Rule
    fever: TemperatureRule
    situations: tuple[PrecautionRule, ...]
    recent_surgery: SurgeryRule
    site_rules: tuple[SiteRule, ...]
    lesion_modules: tuple[LesionModule, ...]
    multiple_regions: MultipleRegionsRule
    fracture_risk: FractureRiskRule
    red_flags: tuple[RedFlag, ...]
    check_in_scores: tuple[ScoreRule, ...]
    pain_at_lesion: Rule
    session_rpe: SessionRpeRule
    infusion_windows: tuple[InfusionWindow, ...]
    radiotherapy: RadiotherapyRule

    def all_rules(self) -> tuple[Rule, ...]:
        """Every rule in file order."""
        return (
            *(b.rule for b in self.lab_bands),
            self.labs_out_of_date,
            self.fever.rule,
            *(s.rule for s in self.situations),
            self.recent_surgery.rule,
            *(s.rule for s in self.site_rules),
            *(m.rule for m in self.lesion_modules),
            self.multiple_regions.rule,
            self.fracture_risk.rule,
            *(f.rule for f in self.red_flags),
            *(s.rule for s in self.check_in_scores),
            self.pain_at_lesion,
            self.session_rpe.rule,
            *(w.rule for w in self.infusion_windows),
            self.radiotherapy.rule,
        )


# ---------- the verdict ----------
@dataclass(frozen=True)
class SafetyVerdict(Verdict):
    """records.Verdict plus the caps and flags the planner must respect."""

    max_target_rpe: float | None = None  # CR-10
    max_minutes: float | None = None
    prefer_seated: bool = False
    supervised_only: bool = False
    emergency: bool = False  # show emergency instructions and alert the team now


def red_flag_codes(rules: RuleSet) -> frozenset[str]:
    """The symptom codes a check-in may carry."""
    return frozenset(f.symptom for f in rules.red_flags)


def describe(rules: RuleSet) -> list[dict[str, str]]:
    """Every rule's code, section, severity, source and message (docs and physio review)."""
    return [
        {
            "code": r.code,
            "section": r.section,
            "severity": r.severity,
            "source": r.source,
            "message": r.message,
        }
        for r in rules.all_rules()
    ]


def evaluate(
    profile: PatientProfile,
    labs: Sequence[LabResult],
    calendar: TreatmentCalendar,
    check_in: CheckIn | None,
    today: date,
    baseline: Baseline,
    rules: RuleSet,
) -> SafetyVerdict:
    """Apply every rule for one patient on one day; green when nothing fires.

    A check-in dated another day counts as no check-in: only profile, labs, calendar and the
    last session's effort are judged then (the planner decides what to serve).
    """
    current, stale = _split_labs(labs, today, rules.lab_staleness_days)
    fired: list[Rule] = [
        *_lab_rules(current, stale, rules),
        *_situation_rules(profile, today, rules),
        *_lesion_rules(profile, rules),
        *_calendar_rules(calendar, current, today, rules),
    ]
    # The last session's effort is history, not today's check-in, so it always counts.
    over = baseline.last_session_rpe_over_target
    if over is not None and over >= rules.session_rpe.over_target_at_or_above:
        fired.append(rules.session_rpe.rule)
    if check_in is not None and check_in.on == today:
        fired.extend(_check_in_rules(check_in, baseline, rules))
    return _verdict(fired, rules)


# ---------- labs (§4.1) ----------
def _split_labs(
    labs: Sequence[LabResult], today: date, staleness_days: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Latest value per lab: current (taken within the window) and stale (older) ones."""
    latest: dict[str, LabResult] = {}
    for lab in labs:
        if lab.taken_on > today:  # not yet valid on the day judged
            continue
        best = latest.get(lab.name)
        # Two results on the same day: keep the lower, as low counts are the risk here.
        if (
            best is None
            or lab.taken_on > best.taken_on
            or (lab.taken_on == best.taken_on and lab.value < best.value)
        ):
            latest[lab.name] = lab
    oldest_current = today - timedelta(days=staleness_days)
    current = {n: r.value for n, r in latest.items() if r.taken_on >= oldest_current}
    stale = {n: r.value for n, r in latest.items() if r.taken_on < oldest_current}
    return current, stale


def _band_for(lab: str, value: float, rules: RuleSet) -> LabBand | None:
    """The tightest (lowest-threshold) band the value falls in, if any."""
    matching = [b for b in rules.lab_bands if b.lab == lab and b.matches(value)]
    return min(matching, key=lambda b: b.threshold, default=None)


def _lab_rules(current: dict[str, float], stale: dict[str, float], rules: RuleSet) -> list[Rule]:
    fired = [band.rule for n, v in current.items() if (band := _band_for(n, v, rules))]
    # A stale result only matters when it was out of range: we cannot assume it recovered.
    if any(_band_for(n, v, rules) for n, v in stale.items()):
        fired.append(rules.labs_out_of_date)
    return fired


# ---------- the patient's situation (§4.2) ----------
def _situation_rules(profile: PatientProfile, today: date, rules: RuleSet) -> list[Rule]:
    fired = [s.rule for s in rules.situations if s.precaution in profile.precautions]
    if _surgery_is_recent(profile, today, rules.recent_surgery.within_days):
        fired.append(rules.recent_surgery.rule)
    return fired


def _surgery_is_recent(profile: PatientProfile, today: date, within_days: int) -> bool:
    """The surgery date decides; a flagged precaution without a date counts as recent."""
    if profile.surgery_date is None:
        return "recent_surgery" in profile.precautions
    return 0 <= (today - profile.surgery_date).days <= within_days


# ---------- lesions (§4.2 bone disease, §6, §7) ----------
def _lesion_rules(profile: PatientProfile, rules: RuleSet) -> list[Rule]:
    sites = {lesion.site for lesion in profile.lesions}
    fired = [s.rule for s in rules.site_rules if s.sites & sites]

    modules = [m for m in rules.lesion_modules if m.sites & sites]
    for module in modules:
        rule = module.rule
        if profile.allow_walking_with_pelvic_lesion and module.lifted_by_walking_setting:
            rule = _without_tags(rule, module.lifted_by_walking_setting)
        fired.append(rule)
    if len(modules) >= rules.multiple_regions.at_least:
        fired.append(rules.multiple_regions.rule)

    gate = rules.fracture_risk
    high_risk = [
        lesion
        for lesion in profile.lesions
        if not lesion.cleared_by_clinician
        and (
            (lesion.mirels is not None and lesion.mirels >= gate.mirels_at_or_above)
            or (lesion.sins is not None and lesion.sins >= gate.sins_at_or_above)
        )
    ]
    if high_risk:
        region = frozenset().union(*(gate.region_tags.get(h.site, frozenset()) for h in high_risk))
        fired.append(_with_tags(gate.rule, region))
    return fired


def _without_tags(rule: Rule, tags: frozenset[str]) -> Rule:
    effects = replace(rule.effects, excluded_tags=rule.effects.excluded_tags - tags)
    return replace(rule, effects=effects)


def _with_tags(rule: Rule, tags: frozenset[str]) -> Rule:
    effects = replace(rule.effects, excluded_tags=rule.effects.excluded_tags | tags)
    return replace(rule, effects=effects)


# ---------- treatment calendar (§11) ----------
def _calendar_rules(
    calendar: TreatmentCalendar, current: dict[str, float], today: date, rules: RuleSet
) -> list[Rule]:
    fired: list[Rule] = []
    days_since = [(today - d).days for d in calendar.infusions if d <= today]
    for window in rules.infusion_windows:
        if not any(window.from_day <= day <= window.to_day for day in days_since):
            continue
        floor = window.unless_lab
        if floor and current.get(floor.lab, float("-inf")) >= floor.at_or_above:
            continue  # counts are known to be fine
        fired.append(window.rule)
    extra = timedelta(days=rules.radiotherapy.days_after_end)
    if any(start <= today <= end + extra for start, end in calendar.radiotherapy):
        fired.append(rules.radiotherapy.rule)
    return fired


# ---------- today's check-in (§4.1 fever, §5, §9) ----------
def _check_in_rules(check_in: CheckIn, baseline: Baseline, rules: RuleSet) -> list[Rule]:
    known = {f.symptom: f for f in rules.red_flags}
    unknown = sorted(check_in.symptoms - known.keys())
    if unknown:
        # Never drop a symptom silently: the API validates against red_flag_codes().
        raise ValueError(f"unknown symptom codes: {', '.join(unknown)}")
    fired = [known[s].rule for s in check_in.symptoms]

    temp = check_in.temperature_c
    if temp is not None and temp >= rules.fever.at_or_above_c:
        fired.append(rules.fever.rule)
    if check_in.pain_at_lesion:
        fired.append(rules.pain_at_lesion)

    scores = {
        "fatigue": (check_in.fatigue, baseline.fatigue),
        "pain": (check_in.pain, baseline.pain),
    }
    for rule in rules.check_in_scores:
        value, usual = scores[rule.score]
        if rule.at_or_above is not None and value < rule.at_or_above:
            continue
        if rule.below is not None and value >= rule.below:
            continue
        if rule.rise_from_baseline is not None and (
            usual is None or value - usual < rule.rise_from_baseline
        ):
            continue
        fired.append(rule.rule)
    return fired


# ---------- assembling the verdict ----------
def _verdict(fired: Sequence[Rule], rules: RuleSet) -> SafetyVerdict:
    by_code: dict[str, Rule] = {}
    for rule in fired:
        by_code.setdefault(rule.code, rule)
    ordered = sorted(by_code.values(), key=lambda r: (-SEVERITY_RANK[r.severity], r.code))
    status = ordered[0].severity if ordered else "green"
    # Effects combine from every firing (not only the first per code): exclusions add up.
    effects = [r.effects for r in fired]
    emergency = any(r.emergency for r in ordered)
    return SafetyVerdict(
        status=status,
        reasons=tuple(Reason(r.code, r.message, r.source, r.severity) for r in ordered),
        excluded_tags=frozenset().union(*(e.excluded_tags for e in effects)),
        excluded_modalities=frozenset().union(*(e.excluded_modalities for e in effects)),
        advice=rules.advice.emergency if emergency else getattr(rules.advice, status),
        rules_version=rules.version,
        max_target_rpe=_lowest(e.max_target_rpe for e in effects),
        max_minutes=_lowest(e.max_minutes for e in effects),
        prefer_seated=any(e.prefer_seated for e in effects),
        supervised_only=any(e.supervised_only for e in effects),
        emergency=emergency,
    )


def _lowest(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None
