"""Load and validate content/safety/rules.yaml into a domain `RuleSet`.

Validation is strict (unknown fields are errors, numbers must be numbers, every code must be
in backend.domain.vocabulary) and reports every problem at once in `RulesError.problems`, so
a physio editing the file sees the whole list, not one error per run.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from backend.domain.safety import (
    Advice,
    Effects,
    FractureRiskRule,
    Gate,
    InfusionWindow,
    LabFloor,
    LesionModule,
    MultipleRegionsRule,
    PrecautionRule,
    RadiotherapyRule,
    RedFlag,
    Rule,
    RuleSet,
    ScoreRule,
    SessionRpeRule,
    SiteRule,
    SlowProgression,
    SurgeryRule,
    SymptomAtSiteRule,
    TemperatureRule,
    WeeklyLoadCap,
)
from backend.domain.vocabulary import (
    BONE_SITES,
    CLEARANCES,
    LABS,
    LESION_SITES,
    LOAD_TAGS,
    MODALITIES,
    PRECAUTIONS,
    VERDICTS,
    VITALS,
)

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "content" / "safety" / "rules.yaml"
ANY_BONE = "any_bone"  # shorthand in `sites` for every vocabulary.BONE_SITES code
EMERGENCY_TIER = "emergency"
SCORES = ("fatigue", "pain")
COMPARISON_KEYS = ("below", "at_or_below", "above", "at_or_above")
PER_LESION_CLEARANCES = ("resistance",)
CODE_PATTERN = r"^[a-z][a-z0-9_]*$"


class RulesError(ValueError):
    """rules.yaml is not valid; `problems` lists every problem found."""

    def __init__(self, problems: list[str]):
        super().__init__("invalid safety rules:\n  " + "\n  ".join(problems))
        self.problems = problems


# ---------- schemas ----------
class StrictFloat(fields.Float):
    """A YAML number only: "38.0" (a string) is a typo to report, not to coerce."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


def _code_of(vocabulary: tuple[str, ...], what: str) -> fields.String:
    return fields.String(validate=validate.OneOf(vocabulary, error=f"unknown {what} {{input!r}}"))


def _codes_of(vocabulary: tuple[str, ...], what: str) -> fields.List:
    return fields.List(_code_of(vocabulary, what), load_default=list)


def _strict_int(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, **kwargs)


def _flag() -> fields.Boolean:
    return fields.Boolean(truthy={True}, falsy={False}, load_default=False)


def _text() -> fields.String:
    return fields.String(required=True, validate=validate.Length(min=1))


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class _Described(_Strict):
    """Code, source, message and effects: what every rule has."""

    code = fields.String(required=True, validate=validate.Regexp(CODE_PATTERN))
    source = _text()
    # The exact sentence(s) of the source the rule encodes, so a reader can check it.
    quote = _text()
    message = _text()
    holds_until_cleared = _flag()
    standing = _flag()
    unless_cleared = fields.String(
        load_default=None,
        validate=validate.OneOf(CLEARANCES, error="unknown clearance {input!r}"),
    )
    exclude_tags = _codes_of(LOAD_TAGS, "load tag")
    exclude_modalities = _codes_of(MODALITIES, "modality")
    max_target_rpe = StrictFloat(validate=validate.Range(0, 10), load_default=None)
    max_minutes = StrictFloat(
        validate=validate.Range(min=0, min_inclusive=False), load_default=None
    )
    prefer_seated = _flag()
    supervised_only = _flag()


class _RuleSchema(_Described):
    severity = fields.String(required=True, validate=validate.OneOf(VERDICTS))


class _GateSchema(_RuleSchema):
    below = StrictFloat(load_default=None)
    at_or_below = StrictFloat(load_default=None)
    above = StrictFloat(load_default=None)
    at_or_above = StrictFloat(load_default=None)


class _LabBandSchema(_GateSchema):
    lab = fields.String(required=True, validate=validate.OneOf(LABS, error="unknown lab {input!r}"))


class _VitalGateSchema(_GateSchema):
    vital = fields.String(
        required=True, validate=validate.OneOf(VITALS, error="unknown vital sign {input!r}")
    )


class _FeverSchema(_RuleSchema):
    at_or_above_c = StrictFloat(required=True)


class _LabGatesSchema(_Strict):
    bands = fields.List(fields.Nested(_LabBandSchema), required=True)
    out_of_date = fields.Nested(_RuleSchema, required=True)
    fever = fields.Nested(_FeverSchema, required=True)
    vitals = fields.List(fields.Nested(_VitalGateSchema), required=True)


class _SituationSchema(_RuleSchema):
    """Fires on `precaution`, on any of `precautions`, or (with `bone_lesions`) on a bone lesion."""

    precaution = fields.String(
        load_default=None,
        validate=validate.OneOf(PRECAUTIONS, error="unknown precaution {input!r}"),
    )
    precautions = _codes_of(PRECAUTIONS, "precaution")
    bone_lesions = _flag()
    section = fields.String(load_default="4.2", validate=validate.OneOf(("3", "4.1", "4.2")))

    @validates_schema
    def _names_a_condition(self, data: dict[str, Any], **_: Any) -> None:
        if not (data.get("precaution") or data.get("precautions") or data.get("bone_lesions")):
            raise ValidationError("a situation needs precaution, precautions or bone_lesions")


class _SurgerySchema(_RuleSchema):
    within_days = _strict_int(required=True, validate=validate.Range(min=0))
    wound_healing = fields.Nested(_RuleSchema, required=True)


def _sites() -> fields.List:
    return fields.List(
        _code_of((*LESION_SITES, ANY_BONE), "lesion site"),
        required=True,
        validate=validate.Length(min=1),
    )


class _SiteRuleSchema(_RuleSchema):
    sites = _sites()
    per_lesion_clearance = fields.String(
        load_default=None, validate=validate.OneOf(PER_LESION_CLEARANCES)
    )


class _LesionModuleSchema(_RuleSchema):
    sites = _sites()
    lifted_by_walking_setting = _codes_of(LOAD_TAGS, "load tag")


class _MultipleRegionsSchema(_RuleSchema):
    at_least = _strict_int(required=True, validate=validate.Range(min=2))


class _FractureRiskSchema(_RuleSchema):
    mirels_at_or_above = _strict_int(required=True, validate=validate.Range(4, 12))
    sins_at_or_above = _strict_int(required=True, validate=validate.Range(0, 18))
    region_tags = fields.Dict(
        keys=_code_of(BONE_SITES, "bone site"),
        values=fields.List(_code_of(LOAD_TAGS, "load tag")),
        required=True,
    )


class _LesionModulesSchema(_Strict):
    modules = fields.List(fields.Nested(_LesionModuleSchema), required=True)
    multiple_regions = fields.Nested(_MultipleRegionsSchema, required=True)
    fracture_risk = fields.Nested(_FractureRiskSchema, required=True)


class _RedFlagSchema(_Described):
    symptom = fields.String(required=True, validate=validate.Regexp(CODE_PATTERN))
    tier = fields.String(required=True)
    # The flag still counts this long after the check-in that reported it (e.g. 24 h).
    within_hours = _strict_int(load_default=None, validate=validate.Range(min=1))


class _SymptomAtSiteSchema(_RuleSchema):
    symptoms = fields.List(
        fields.String(validate=validate.Regexp(CODE_PATTERN)),
        required=True,
        validate=validate.Length(min=1),
    )
    sites = _sites()


class _RedFlagsSchema(_Strict):
    tiers = fields.Dict(
        keys=fields.String(validate=validate.Regexp(CODE_PATTERN)),
        values=fields.String(validate=validate.OneOf(VERDICTS)),
        required=True,
    )
    # §5 "Block sessions until the physio clears the patient": these tiers hold sessions.
    holding_tiers = fields.List(fields.String(), required=True)
    symptoms = fields.List(fields.Nested(_RedFlagSchema), required=True)
    at_lesion_sites = fields.List(fields.Nested(_SymptomAtSiteSchema), required=True)


class _ScoreSchema(_RuleSchema):
    score = fields.String(required=True, validate=validate.OneOf(SCORES))
    at_or_above = StrictFloat(validate=validate.Range(0, 10), load_default=None)
    below = StrictFloat(validate=validate.Range(0, 10), load_default=None)
    rise_from_baseline = StrictFloat(
        validate=validate.Range(min=0, min_inclusive=False), load_default=None
    )
    rise_from_pre_session = StrictFloat(
        validate=validate.Range(min=0, min_inclusive=False), load_default=None
    )
    with_lesion_at = fields.List(
        _code_of((*LESION_SITES, ANY_BONE), "lesion site"), load_default=list
    )


class _SessionRpeSchema(_RuleSchema):
    over_target_at_or_above = StrictFloat(required=True, validate=validate.Range(0, 10))


class _CheckInSchema(_Strict):
    scores = fields.List(fields.Nested(_ScoreSchema), required=True)
    pain_at_lesion = fields.Nested(_RuleSchema, required=True)
    session_rpe = fields.Nested(_SessionRpeSchema, required=True)
    missing = fields.Nested(_RuleSchema, required=True)


class _ResumeLighterSchema(_RuleSchema):
    days = _strict_int(required=True, validate=validate.Range(min=1))


class _WeeklyLoadCapSchema(_RuleSchema):
    max_rise = StrictFloat(required=True, validate=validate.Range(min=0, max=1))


class _SlowProgressionSchema(_RuleSchema):
    precautions = _codes_of(PRECAUTIONS, "precaution")
    bone_lesions = _flag()
    raise_every_days = _strict_int(required=True, validate=validate.Range(min=7))


class _ProgressionSchema(_Strict):
    weekly_load_cap = fields.Nested(_WeeklyLoadCapSchema, required=True)
    slow = fields.List(fields.Nested(_SlowProgressionSchema), required=True)


class _CareTeamSchema(_Strict):
    hold = fields.Nested(_RuleSchema, required=True)
    resume_lighter = fields.Nested(_ResumeLighterSchema, required=True)


class _LabFloorSchema(_Strict):
    lab = fields.String(required=True, validate=validate.OneOf(LABS, error="unknown lab {input!r}"))
    at_or_above = StrictFloat(required=True)


class _InfusionWindowSchema(_RuleSchema):
    from_day = _strict_int(required=True, validate=validate.Range(min=0))
    to_day = _strict_int(required=True, validate=validate.Range(min=0))
    unless_lab = fields.Nested(_LabFloorSchema, load_default=None)
    high_dose_only = _flag()


class _RadiotherapySchema(_RuleSchema):
    days_after_end = _strict_int(required=True, validate=validate.Range(min=0))


class _CalendarSchema(_Strict):
    infusion_windows = fields.List(fields.Nested(_InfusionWindowSchema), required=True)
    radiotherapy = fields.Nested(_RadiotherapySchema, required=True)


class _SettingsSchema(_Strict):
    lab_staleness_days = _strict_int(required=True, validate=validate.Range(min=0))


class _AdviceSchema(_Strict):
    emergency = _text()
    red = _text()
    amber = _text()
    green = _text()


class RulesFileSchema(_Strict):
    """The whole of rules.yaml."""

    version = _text()
    settings = fields.Nested(_SettingsSchema, required=True)
    advice = fields.Nested(_AdviceSchema, required=True)
    lab_gates = fields.Nested(_LabGatesSchema, required=True)
    situations = fields.List(fields.Nested(_SituationSchema), required=True)
    recent_surgery = fields.Nested(_SurgerySchema, required=True)
    lesion_sites = fields.List(fields.Nested(_SiteRuleSchema), required=True)
    lesion_modules = fields.Nested(_LesionModulesSchema, required=True)
    red_flags = fields.Nested(_RedFlagsSchema, required=True)
    check_in = fields.Nested(_CheckInSchema, required=True)
    care_team = fields.Nested(_CareTeamSchema, required=True)
    calendar = fields.Nested(_CalendarSchema, required=True)
    progression = fields.Nested(_ProgressionSchema, required=True)


# ---------- loading ----------
def load_rules(path: Path | None = None) -> RuleSet:
    """Read, validate and build the rule set; raise RulesError listing every problem."""
    path = path or DEFAULT_PATH
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise RulesError([f"cannot read {path}: {error}"]) from error
    try:
        document = yaml.safe_load(raw)
    except yaml.YAMLError as error:
        raise RulesError([f"not valid YAML: {error}"]) from error
    try:
        data = RulesFileSchema().load(document if document is not None else {})
    except ValidationError as error:
        raise RulesError(_flatten(error.messages)) from error
    problems = _cross_check(data)
    if problems:
        raise RulesError(problems)
    return _build(data, f"{data['version']}+{hashlib.sha256(raw).hexdigest()[:12]}")


def _flatten(messages: Any, path: str = "") -> list[str]:
    """marshmallow's nested error dict -> ["lab_gates.bands.0.lab: unknown lab 'x'", ...]."""
    if isinstance(messages, dict):
        out: list[str] = []
        for key, value in messages.items():
            out += _flatten(value, f"{path}.{key}" if path else str(key))
        return out
    if isinstance(messages, list):
        return [f"{path}: {m}" if path else str(m) for m in messages]
    return [f"{path}: {messages}"]


def _cross_check(data: dict[str, Any]) -> list[str]:
    """Checks that span fields or sections, run once every field is valid."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    for where, rule in _all_rule_dicts(data):
        if rule["code"] in seen:
            problems.append(
                f"{where}.code: duplicate code {rule['code']!r} (also {seen[rule['code']]})"
            )
        seen.setdefault(rule["code"], where)

    gates = [("bands", g) for g in data["lab_gates"]["bands"]]
    gates += [("vitals", g) for g in data["lab_gates"]["vitals"]]
    counters: dict[str, int] = {}
    for group, gate in gates:
        i = counters[group] = counters.get(group, -1) + 1
        if sum(gate[k] is not None for k in COMPARISON_KEYS) != 1:
            problems.append(
                f"lab_gates.{group}.{i}: give exactly one of {' / '.join(COMPARISON_KEYS)}"
            )

    module_of: dict[str, str] = {}
    for i, module in enumerate(data["lesion_modules"]["modules"]):
        for site in _expand_sites(module["sites"]):
            if site in module_of:
                problems.append(
                    f"lesion_modules.modules.{i}.sites: {site!r} is already in {module_of[site]}"
                )
            module_of.setdefault(site, module["code"])
    missing = sorted(
        set(BONE_SITES) - data["lesion_modules"]["fracture_risk"]["region_tags"].keys()
    )
    if missing:
        problems.append(
            f"lesion_modules.fracture_risk.region_tags: no row for {', '.join(missing)}"
        )

    tiers = data["red_flags"]["tiers"]
    if EMERGENCY_TIER not in tiers:
        problems.append(f"red_flags.tiers: the {EMERGENCY_TIER!r} tier is required")
    symptoms: set[str] = set()
    for i, flag in enumerate(data["red_flags"]["symptoms"]):
        if flag["tier"] not in tiers:
            problems.append(f"red_flags.symptoms.{i}.tier: unknown tier {flag['tier']!r}")
        if flag["symptom"] in symptoms:
            problems.append(f"red_flags.symptoms.{i}.symptom: duplicate {flag['symptom']!r}")
        symptoms.add(flag["symptom"])
    for tier in data["red_flags"]["holding_tiers"]:
        if tier not in tiers:
            problems.append(f"red_flags.holding_tiers: unknown tier {tier!r}")

    for i, score in enumerate(data["check_in"]["scores"]):
        if all(
            score[k] is None for k in ("at_or_above", "rise_from_baseline", "rise_from_pre_session")
        ):
            problems.append(
                f"check_in.scores.{i}: give at_or_above, rise_from_baseline "
                "and/or rise_from_pre_session"
            )
        low, high = score["at_or_above"], score["below"]
        if low is not None and high is not None and high <= low:
            problems.append(f"check_in.scores.{i}: below must be greater than at_or_above")

    for i, window in enumerate(data["calendar"]["infusion_windows"]):
        if window["from_day"] > window["to_day"]:
            problems.append(f"calendar.infusion_windows.{i}: from_day is after to_day")
    return problems


def _all_rule_dicts(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(path, rule) for every rule in the file, in file order."""
    labs, modules, check_in = data["lab_gates"], data["lesion_modules"], data["check_in"]
    return [
        *((f"lab_gates.bands.{i}", r) for i, r in enumerate(labs["bands"])),
        ("lab_gates.out_of_date", labs["out_of_date"]),
        ("lab_gates.fever", labs["fever"]),
        *((f"lab_gates.vitals.{i}", r) for i, r in enumerate(labs["vitals"])),
        *((f"situations.{i}", r) for i, r in enumerate(data["situations"])),
        ("recent_surgery", data["recent_surgery"]),
        ("recent_surgery.wound_healing", data["recent_surgery"]["wound_healing"]),
        *((f"lesion_sites.{i}", r) for i, r in enumerate(data["lesion_sites"])),
        *((f"lesion_modules.modules.{i}", r) for i, r in enumerate(modules["modules"])),
        ("lesion_modules.multiple_regions", modules["multiple_regions"]),
        ("lesion_modules.fracture_risk", modules["fracture_risk"]),
        *((f"red_flags.symptoms.{i}", r) for i, r in enumerate(data["red_flags"]["symptoms"])),
        *(
            (f"red_flags.at_lesion_sites.{i}", r)
            for i, r in enumerate(data["red_flags"]["at_lesion_sites"])
        ),
        *((f"check_in.scores.{i}", r) for i, r in enumerate(check_in["scores"])),
        ("check_in.pain_at_lesion", check_in["pain_at_lesion"]),
        ("check_in.session_rpe", check_in["session_rpe"]),
        ("check_in.missing", check_in["missing"]),
        ("care_team.hold", data["care_team"]["hold"]),
        ("care_team.resume_lighter", data["care_team"]["resume_lighter"]),
        *(
            (f"calendar.infusion_windows.{i}", r)
            for i, r in enumerate(data["calendar"]["infusion_windows"])
        ),
        ("calendar.radiotherapy", data["calendar"]["radiotherapy"]),
        ("progression.weekly_load_cap", data["progression"]["weekly_load_cap"]),
        *((f"progression.slow.{i}", r) for i, r in enumerate(data["progression"]["slow"])),
    ]


def _expand_sites(sites: list[str]) -> frozenset[str]:
    return frozenset(s for code in sites for s in (BONE_SITES if code == ANY_BONE else (code,)))


# ---------- building the domain RuleSet ----------
def _rule(
    d: dict[str, Any],
    section: str,
    severity: str | None = None,
    emergency: bool = False,
    holds: bool = False,
) -> Rule:
    return Rule(
        code=d["code"],
        section=section,
        severity=severity or d["severity"],
        source=" ".join(d["source"].split()),
        quote=" ".join(d["quote"].split()),
        message=" ".join(d["message"].split()),
        holds_until_cleared=holds or d["holds_until_cleared"],
        unless_cleared=d["unless_cleared"],
        standing=d["standing"],
        effects=Effects(
            excluded_tags=frozenset(d["exclude_tags"]),
            excluded_modalities=frozenset(d["exclude_modalities"]),
            max_target_rpe=d["max_target_rpe"],
            max_minutes=d["max_minutes"],
            prefer_seated=d["prefer_seated"],
            supervised_only=d["supervised_only"],
        ),
        emergency=emergency,
    )


def _gate(d: dict[str, Any], measure: str) -> Gate:
    comparison = next(k for k in COMPARISON_KEYS if d[k] is not None)
    return Gate(_rule(d, "4.1"), measure, comparison, d[comparison])


def _build(data: dict[str, Any], version: str) -> RuleSet:
    labs, modules, flags, check_in, calendar = (
        data["lab_gates"],
        data["lesion_modules"],
        data["red_flags"],
        data["check_in"],
        data["calendar"],
    )
    fracture = modules["fracture_risk"]
    return RuleSet(
        version=version,
        lab_staleness_days=data["settings"]["lab_staleness_days"],
        advice=Advice(**{k: " ".join(v.split()) for k, v in data["advice"].items()}),
        lab_bands=tuple(_gate(b, b["lab"]) for b in labs["bands"]),
        labs_out_of_date=_rule(labs["out_of_date"], "4.1"),
        fever=TemperatureRule(_rule(labs["fever"], "4.1"), labs["fever"]["at_or_above_c"]),
        vital_gates=tuple(_gate(g, g["vital"]) for g in labs["vitals"]),
        situations=tuple(
            PrecautionRule(
                _rule(s, s["section"]),
                frozenset(s["precautions"]) | ({s["precaution"]} if s["precaution"] else set()),
                s["bone_lesions"],
            )
            for s in data["situations"]
        ),
        recent_surgery=SurgeryRule(
            _rule(data["recent_surgery"], "4.2"),
            data["recent_surgery"]["within_days"],
            _rule(data["recent_surgery"]["wound_healing"], "4.2"),
        ),
        site_rules=tuple(
            SiteRule(_rule(s, "4.2/7"), _expand_sites(s["sites"]), s["per_lesion_clearance"])
            for s in data["lesion_sites"]
        ),
        lesion_modules=tuple(
            LesionModule(
                _rule(m, "6"),
                _expand_sites(m["sites"]),
                frozenset(m["lifted_by_walking_setting"]),
            )
            for m in modules["modules"]
        ),
        multiple_regions=MultipleRegionsRule(
            _rule(modules["multiple_regions"], "6"), modules["multiple_regions"]["at_least"]
        ),
        fracture_risk=FractureRiskRule(
            rule=_rule(fracture, "6"),
            mirels_at_or_above=fracture["mirels_at_or_above"],
            sins_at_or_above=fracture["sins_at_or_above"],
            region_tags=MappingProxyType(
                {site: frozenset(tags) for site, tags in fracture["region_tags"].items()}
            ),
        ),
        red_flags=tuple(
            RedFlag(
                _rule(
                    f,
                    "5",
                    flags["tiers"][f["tier"]],
                    f["tier"] == EMERGENCY_TIER,
                    f["tier"] in flags["holding_tiers"],
                ),
                f["symptom"],
                f["tier"],
                f["within_hours"],
            )
            for f in flags["symptoms"]
        ),
        lesion_symptoms=tuple(
            SymptomAtSiteRule(_rule(r, "5"), frozenset(r["symptoms"]), _expand_sites(r["sites"]))
            for r in flags["at_lesion_sites"]
        ),
        check_in_scores=tuple(
            ScoreRule(
                _rule(s, "9"),
                s["score"],
                s["at_or_above"],
                s["below"],
                s["rise_from_baseline"],
                s["rise_from_pre_session"],
                _expand_sites(s["with_lesion_at"]),
            )
            for s in check_in["scores"]
        ),
        pain_at_lesion=_rule(check_in["pain_at_lesion"], "9"),
        session_rpe=SessionRpeRule(
            _rule(check_in["session_rpe"], "9"),
            check_in["session_rpe"]["over_target_at_or_above"],
        ),
        check_in_missing=_rule(check_in["missing"], "9"),
        care_team_hold=_rule(data["care_team"]["hold"], "5"),
        resume_lighter=_rule(data["care_team"]["resume_lighter"], "5"),
        resume_lighter_days=data["care_team"]["resume_lighter"]["days"],
        infusion_windows=tuple(
            InfusionWindow(
                _rule(w, "11"),
                w["from_day"],
                w["to_day"],
                LabFloor(**w["unless_lab"]) if w["unless_lab"] else None,
                w["high_dose_only"],
            )
            for w in calendar["infusion_windows"]
        ),
        radiotherapy=RadiotherapyRule(
            _rule(calendar["radiotherapy"], "11"), calendar["radiotherapy"]["days_after_end"]
        ),
        weekly_load_cap=WeeklyLoadCap(
            _rule(data["progression"]["weekly_load_cap"], "10"),
            data["progression"]["weekly_load_cap"]["max_rise"],
        ),
        slow_progression=tuple(
            SlowProgression(
                PrecautionRule(_rule(r, "10"), frozenset(r["precautions"]), r["bone_lesions"]),
                r["raise_every_days"],
            )
            for r in data["progression"]["slow"]
        ),
    )
