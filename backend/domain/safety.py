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
    CareTeamState,
    CheckIn,
    LabResult,
    PatientProfile,
    Reason,
    TreatmentCalendar,
    Verdict,
)
from backend.domain.vocabulary import BONE_SITES

SEVERITY_RANK = {"green": 0, "amber": 1, "red": 2}
NO_DECISIONS = CareTeamState()


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
    quote: str = ""  # the exact sentence(s) of the source this rule encodes
    holds_until_cleared: bool = False  # red: every session held until a clinician decides
    unless_cleared: str | None = None  # a vocabulary.CLEARANCES code that lifts the rule
    # A standing state the care team recorded (a condition, a missing clearance), not a new
    # event: red without opening a new alert each day.
    standing: bool = False


COMPARISONS = {
    "below": lambda value, threshold: value < threshold,
    "at_or_below": lambda value, threshold: value <= threshold,
    "above": lambda value, threshold: value > threshold,
    "at_or_above": lambda value, threshold: value >= threshold,
}


@dataclass(frozen=True)
class Gate:
    """A measured value (a lab, a vital sign) on the wrong side of `threshold`.

    `comparison` is one of COMPARISONS, spelt as the source words it (">20" fit means
    "at_or_below: 20" fires). Per measure and direction only the tightest matching gate fires.
    """

    rule: Rule
    measure: str
    comparison: str
    threshold: float

    @property
    def low(self) -> bool:
        return self.comparison in ("below", "at_or_below")

    def matches(self, value: float) -> bool:
        return COMPARISONS[self.comparison](value, self.threshold)


LabBand = Gate  # a lab gate (§4.1)


@dataclass(frozen=True)
class TemperatureRule:
    rule: Rule
    at_or_above_c: float


@dataclass(frozen=True)
class PrecautionRule:
    """Fires when the patient has any of `precautions` (or, with `bone_lesions`, any lesion
    at a bone site: the NCCN high tier counts bone metastases)."""

    rule: Rule
    precautions: frozenset[str]
    bone_lesions: bool = False

    def fires(self, profile: PatientProfile) -> bool:
        if self.precautions & profile.precautions:
            return True
        return self.bone_lesions and any(lesion.site in BONE_SITES for lesion in profile.lesions)


@dataclass(frozen=True)
class SurgeryRule:
    """Within `within_days` of surgery: `rule` (amber, what strains a wound) and, until the
    surgical team clears training, `wound_healing` (red: early wound healing blocks training)."""

    rule: Rule
    within_days: int
    wound_healing: Rule


@dataclass(frozen=True)
class SiteRule:
    """Fires when the patient has a lesion at any of `sites` (e.g. Chen 2025 rows).

    With `per_lesion_clearance` ("resistance"), it fires while any such lesion lacks the
    physio's clearance for that work (Lesion.resistance_cleared).
    """

    rule: Rule
    sites: frozenset[str]
    per_lesion_clearance: str | None = None


@dataclass(frozen=True)
class SymptomAtSiteRule:
    """A symptom that is a red flag because of where the patient's lesions are (cord compression)."""

    rule: Rule
    symptoms: frozenset[str]
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
    within_hours: int | None = None  # still counts this long after an earlier check-in


@dataclass(frozen=True)
class ScoreRule:
    """A check-in score (fatigue or pain) in a band, optionally risen from the baseline."""

    rule: Rule
    score: str  # "fatigue" | "pain"
    at_or_above: float | None = None
    below: float | None = None
    rise_from_baseline: float | None = None  # needs a baseline value when set
    rise_from_pre_session: float | None = None  # vs the last session's pre-session score
    with_lesion_at: frozenset[str] = frozenset()  # only for patients with a lesion there


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
    # A lab at/above this lifts the rule, only when drawn inside the window it speaks for
    # (on or after infusion day + from_day): an earlier count says nothing about the nadir.
    unless_lab: LabFloor | None = None
    high_dose_only: bool = False  # only infusions the team marked high-dose


@dataclass(frozen=True)
class RadiotherapyRule:
    rule: Rule
    days_after_end: int


@dataclass(frozen=True)
class WeeklyLoadCap:
    """A session's load in a modality may be at most ``1 + max_rise`` times the heaviest
    session of it the patient completed the week before (``planner.weekly_load_ceilings``)."""

    rule: Rule
    max_rise: float


@dataclass(frozen=True)
class SlowProgression:
    """Patients ``when`` fires for step a level up at most once in ``raise_every_days``."""

    when: PrecautionRule
    raise_every_days: int


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
    lab_bands: tuple[Gate, ...]
    labs_out_of_date: Rule
    fever: TemperatureRule
    vital_gates: tuple[Gate, ...]
    situations: tuple[PrecautionRule, ...]
    recent_surgery: SurgeryRule
    site_rules: tuple[SiteRule, ...]
    lesion_modules: tuple[LesionModule, ...]
    multiple_regions: MultipleRegionsRule
    fracture_risk: FractureRiskRule
    red_flags: tuple[RedFlag, ...]
    lesion_symptoms: tuple[SymptomAtSiteRule, ...]
    check_in_scores: tuple[ScoreRule, ...]
    pain_at_lesion: Rule
    session_rpe: SessionRpeRule
    check_in_missing: Rule
    care_team_hold: Rule
    resume_lighter: Rule
    resume_lighter_days: int
    infusion_windows: tuple[InfusionWindow, ...]
    radiotherapy: RadiotherapyRule
    weekly_load_cap: WeeklyLoadCap
    slow_progression: tuple[SlowProgression, ...]

    def all_rules(self) -> tuple[Rule, ...]:
        """Every rule in file order."""
        return (
            *(b.rule for b in self.lab_bands),
            self.labs_out_of_date,
            self.fever.rule,
            *(g.rule for g in self.vital_gates),
            *(s.rule for s in self.situations),
            self.recent_surgery.rule,
            self.recent_surgery.wound_healing,
            *(s.rule for s in self.site_rules),
            *(m.rule for m in self.lesion_modules),
            self.multiple_regions.rule,
            self.fracture_risk.rule,
            *(f.rule for f in self.red_flags),
            *(s.rule for s in self.lesion_symptoms),
            *(s.rule for s in self.check_in_scores),
            self.pain_at_lesion,
            self.session_rpe.rule,
            self.check_in_missing,
            self.care_team_hold,
            self.resume_lighter,
            *(w.rule for w in self.infusion_windows),
            self.radiotherapy.rule,
            self.weekly_load_cap.rule,
            *(s.when.rule for s in self.slow_progression),
        )

    def slow_progression_for(self, profile: PatientProfile) -> SlowProgression | None:
        """The slow-progression rule with the longest interval that applies, if any."""
        slow = [s for s in self.slow_progression if s.when.fires(profile)]
        return max(slow, key=lambda s: s.raise_every_days) if slow else None


# ---------- the verdict ----------
@dataclass(frozen=True)
class SafetyVerdict(Verdict):
    """records.Verdict plus the caps and flags the planner must respect."""

    max_target_rpe: float | None = None  # CR-10
    max_minutes: float | None = None
    prefer_seated: bool = False
    supervised_only: bool = False
    emergency: bool = False  # show emergency instructions and alert the team now
    held: bool = False  # a red flag holds sessions until a clinician decides
    check_in_missing: bool = False  # no check-in today: a check-in unlocks the full session
    new_red_flag: bool = False  # a red reason that is an event (not a standing state): alert


def red_flag_codes(rules: RuleSet) -> frozenset[str]:
    """The symptom codes a check-in may carry."""
    return frozenset(f.symptom for f in rules.red_flags) | frozenset(
        s for r in rules.lesion_symptoms for s in r.symptoms
    )


def holding_codes(rules: RuleSet) -> frozenset[str]:
    """Rule codes whose red verdict holds every session until a clinician decides."""
    return frozenset(r.code for r in rules.all_rules() if r.holds_until_cleared)


def describe(rules: RuleSet) -> list[dict[str, str]]:
    """Every rule's code, section, severity, source and message (docs and physio review)."""
    return [
        {
            "code": r.code,
            "section": r.section,
            "severity": r.severity,
            "source": r.source,
            "quote": r.quote,
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
    care: CareTeamState = NO_DECISIONS,
) -> SafetyVerdict:
    """Apply every rule for one patient on one day; green when nothing fires.

    A check-in dated another day counts as no check-in: the day is then amber (the traffic
    light needs a check-in, §9) and profile, labs, calendar and history are judged.
    `care`: the care team's open holds and decisions on earlier red flags.
    """
    latest, stale = _latest_labs(labs, today, rules.lab_staleness_days)
    fired: list[Rule] = [
        *_lab_rules(latest, stale, rules),
        *_situation_rules(profile, today, rules),
        *_lesion_rules(profile, rules),
        *_calendar_rules(calendar, labs, today, rules),
        *_care_team_rules(care, today, rules),
    ]
    # The last session's effort is history, not today's check-in, so it always counts.
    over = baseline.last_session_rpe_over_target
    if over is not None and over >= rules.session_rpe.over_target_at_or_above:
        fired.append(rules.session_rpe.rule)
    checked_in = check_in is not None and check_in.on == today
    if checked_in:
        fired.extend(_check_in_rules(check_in, baseline, profile, rules))
    else:
        fired.append(rules.check_in_missing)
    reported = {r.code for r in fired}
    fired.extend(r for r in _lingering_flags(baseline, rules) if r.code not in reported)
    fired = [
        r for r in fired if r.unless_cleared is None or r.unless_cleared not in profile.clearances
    ]
    return _verdict(fired, rules, check_in_missing=not checked_in)


# ---------- labs (§4.1) ----------
def _latest_labs(
    labs: Sequence[LabResult], today: date, staleness_days: int
) -> tuple[dict[str, list[float]], frozenset[str]]:
    """Every value of each lab's latest day (several results on one day all count: the
    lowest for a low gate, the highest for a high one), and which labs are out of date."""
    newest: dict[str, date] = {}
    for lab in labs:
        if lab.taken_on <= today:  # a result dated later is not yet valid on the day judged
            newest[lab.name] = max(newest.get(lab.name, lab.taken_on), lab.taken_on)
    latest: dict[str, list[float]] = {}
    for lab in labs:
        if newest.get(lab.name) == lab.taken_on:
            latest.setdefault(lab.name, []).append(lab.value)
    oldest_current = today - timedelta(days=staleness_days)
    stale = frozenset(n for n, d in newest.items() if d < oldest_current)
    return latest, stale


def _tightest(gates: Sequence[Gate], measure: str, *values: float) -> list[Gate]:
    """Per direction, the tightest gate any value matches: the lowest low one, the highest
    high one."""
    matching = [g for g in gates if g.measure == measure and any(g.matches(v) for v in values)]
    low = [g for g in matching if g.low]
    high = [g for g in matching if not g.low]
    out = [min(low, key=lambda g: g.threshold)] if low else []
    return out + ([max(high, key=lambda g: g.threshold)] if high else [])


def _lab_rules(latest: dict[str, list[float]], stale: frozenset[str], rules: RuleSet) -> list[Rule]:
    """Every latest result's gate, however old: an abnormal result keeps its limits until a
    newer result replaces it; being out of date only adds caution."""
    fired: list[Rule] = []
    for name, values in latest.items():
        gates = _tightest(rules.lab_bands, name, *values)
        fired += [g.rule for g in gates]
        if gates and name in stale:
            fired.append(rules.labs_out_of_date)
    return fired


# ---------- the patient's situation (§4.2) ----------
def _situation_rules(profile: PatientProfile, today: date, rules: RuleSet) -> list[Rule]:
    fired = [s.rule for s in rules.situations if s.fires(profile)]
    if _surgery_is_recent(profile, today, rules.recent_surgery.within_days):
        fired.append(rules.recent_surgery.rule)
    # The window cannot know when a wound has healed: only the surgical team's go-ahead
    # (the rule's unless_cleared) lifts the block, however long ago the surgery was.
    if _surgery_is_recent(profile, today, None):
        fired.append(rules.recent_surgery.wound_healing)
    return fired


def _surgery_is_recent(profile: PatientProfile, today: date, within_days: int | None) -> bool:
    """The surgery date decides (None: any date up to today); a flagged precaution without
    a date counts as recent."""
    if profile.surgery_date is None:
        return "recent_surgery" in profile.precautions
    days = (today - profile.surgery_date).days
    return 0 <= days and (within_days is None or days <= within_days)


# ---------- lesions (§4.2 bone disease, §6, §7) ----------
def _site_rule_fires(rule: SiteRule, profile: PatientProfile) -> bool:
    at_sites = [lesion for lesion in profile.lesions if lesion.site in rule.sites]
    if rule.per_lesion_clearance == "resistance":
        return any(not lesion.resistance_cleared for lesion in at_sites)
    return bool(at_sites)


def _lesion_rules(profile: PatientProfile, rules: RuleSet) -> list[Rule]:
    sites = {lesion.site for lesion in profile.lesions}
    fired = [s.rule for s in rules.site_rules if _site_rule_fires(s, profile)]

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
def _lifted_by_lab(
    window: InfusionWindow, infusion: date, labs: Sequence[LabResult], today: date
) -> bool:
    """A count drawn inside this window (after the infusion's day + from_day) shows it is fine."""
    floor = window.unless_lab
    if floor is None:
        return False
    opens = infusion + timedelta(days=window.from_day)
    inside = [lab for lab in labs if lab.name == floor.lab and opens <= lab.taken_on <= today]
    if not inside:
        return False
    newest = max(lab.taken_on for lab in inside)
    # Two results on the newest day: the lower one counts.
    return min(lab.value for lab in inside if lab.taken_on == newest) >= floor.at_or_above


def _calendar_rules(
    calendar: TreatmentCalendar, labs: Sequence[LabResult], today: date, rules: RuleSet
) -> list[Rule]:
    fired: list[Rule] = []
    for window in rules.infusion_windows:
        infusions = calendar.high_dose_infusions if window.high_dose_only else calendar.infusions
        for infusion in (d for d in infusions if d <= today):
            day = (today - infusion).days
            if window.from_day <= day <= window.to_day and not _lifted_by_lab(
                window, infusion, labs, today
            ):
                fired.append(window.rule)
                break
    extra = timedelta(days=rules.radiotherapy.days_after_end)
    if any(start <= today <= end + extra for start, end in calendar.radiotherapy):
        fired.append(rules.radiotherapy.rule)
    return fired


# ---------- the care team's decisions on earlier red flags (§5) ----------
def _care_team_rules(care: CareTeamState, today: date, rules: RuleSet) -> list[Rule]:
    if care.held_since is not None:
        return [rules.care_team_hold]
    if care.resumed_lighter_on is not None and (
        0 <= (today - care.resumed_lighter_on).days < rules.resume_lighter_days
    ):
        return [rules.resume_lighter]
    return []


# ---------- today's check-in (§4.1 fever and vitals, §5, §9) ----------
def _lingering_flags(baseline: Baseline, rules: RuleSet) -> list[Rule]:
    """Red flags with ``within_hours`` reported in an earlier check-in that recently: "no
    vomiting within 24 h" (§4.1) reaches past midnight, and past a day with no check-in."""
    # Standing here: the team was alerted when it was reported; a new alert waits for a new report.
    return [
        replace(flag.rule, standing=True)
        for flag in rules.red_flags
        if flag.within_hours
        and any(
            flag.symptom in symptoms and hours <= flag.within_hours
            for hours, symptoms in baseline.recent_symptoms
        )
    ]


def _check_in_rules(
    check_in: CheckIn, baseline: Baseline, profile: PatientProfile, rules: RuleSet
) -> list[Rule]:
    known = {f.symptom: f for f in rules.red_flags}
    unknown = sorted(check_in.symptoms - red_flag_codes(rules))
    if unknown:
        # Never drop a symptom silently: the API validates against red_flag_codes().
        raise ValueError(f"unknown symptom codes: {', '.join(unknown)}")
    fired = [known[s].rule for s in check_in.symptoms if s in known]
    sites = {lesion.site for lesion in profile.lesions}
    fired += [
        r.rule for r in rules.lesion_symptoms if r.symptoms & check_in.symptoms and r.sites & sites
    ]

    temp = check_in.temperature_c
    if temp is not None and temp >= rules.fever.at_or_above_c:
        fired.append(rules.fever.rule)
    for vital, value in check_in.vitals().items():
        if value is not None:
            fired += [g.rule for g in _tightest(rules.vital_gates, vital, value)]
    if check_in.pain_at_lesion:
        fired.append(rules.pain_at_lesion)

    scores = {
        "fatigue": (check_in.fatigue, baseline.fatigue, baseline.pre_session_fatigue),
        "pain": (check_in.pain, baseline.pain, baseline.pre_session_pain),
    }
    for rule in rules.check_in_scores:
        value, usual, before_session = scores[rule.score]
        if rule.with_lesion_at and not rule.with_lesion_at & sites:
            continue
        if rule.at_or_above is not None and value < rule.at_or_above:
            continue
        if rule.below is not None and value >= rule.below:
            continue
        if rule.rise_from_baseline is not None and (
            usual is None or value - usual < rule.rise_from_baseline
        ):
            continue
        if rule.rise_from_pre_session is not None and (
            before_session is None or value - before_session < rule.rise_from_pre_session
        ):
            continue
        fired.append(rule.rule)
    return fired


# ---------- assembling the verdict ----------
def _verdict(fired: Sequence[Rule], rules: RuleSet, *, check_in_missing: bool) -> SafetyVerdict:
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
        reasons=tuple(Reason(r.code, r.message, r.source, r.severity, r.quote) for r in ordered),
        excluded_tags=frozenset().union(*(e.excluded_tags for e in effects)),
        excluded_modalities=frozenset().union(*(e.excluded_modalities for e in effects)),
        advice=rules.advice.emergency if emergency else getattr(rules.advice, status),
        rules_version=rules.version,
        max_target_rpe=_lowest(e.max_target_rpe for e in effects),
        max_minutes=_lowest(e.max_minutes for e in effects),
        prefer_seated=any(e.prefer_seated for e in effects),
        supervised_only=any(e.supervised_only for e in effects),
        emergency=emergency,
        held=rules.care_team_hold.code in by_code,
        check_in_missing=check_in_missing,
        new_red_flag=any(r.severity == "red" and not r.standing for r in ordered),
    )


def _lowest(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None
