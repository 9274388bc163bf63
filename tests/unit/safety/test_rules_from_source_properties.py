"""Second reader: properties written from the SOURCE text, not from rules.yaml.

Every threshold below is hard-coded from shared/domain/exercise-oncology.md (and the Chen 2025
review's site paragraph), with the source's sentence as a comment. Nothing here reads a
threshold from the rule file or from the verdict: the real evaluator (with the real rules)
and the real planner (with the real exercise library) must serve sessions that respect what
the source says, whatever the rule file encodes.

Where the source is ambiguous the conservative reading is taken (docs/safety-coverage.md,
column "Decision").
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from backend.catalog import DEFAULT_CONTENT_ROOT, load_catalog
from backend.catalog.rules import load_rules
from backend.domain.planner import WeekEntry, plan_session
from backend.domain.records import (
    Baseline,
    Catalog,
    CheckIn,
    DailySession,
    LabResult,
    Lesion,
    ModalityRange,
    PatientProfile,
    Prescription,
    TreatmentCalendar,
)
from backend.domain.safety import RuleSet, evaluate, red_flag_codes
from backend.domain.vocabulary import (
    BAND_COLOURS,
    CLEARANCES,
    LESION_SITES,
    MAX_LEVEL,
    MIN_LEVEL,
    MODALITIES,
    PRECAUTIONS,
)


@cache
def real_catalog() -> Catalog:
    return load_catalog(DEFAULT_CONTENT_ROOT)


@cache
def real_rules() -> RuleSet:
    return load_rules()


# ---------------------------------------------------------------- the source, hard-coded
# §1: "CR-10 3 ≈ moderate, 5 ≈ hard" -> "light" is below the moderate anchor, "moderate" below hard.
LIGHT_MAX_RPE = 2
# §3 NCCN high tier (beside bone metastases) and §4.1 Toolkit absolute contraindications.
HIGH_TIER_PRECAUTIONS = frozenset(
    {
        "cardiopulmonary_toxicity",
        "cardiopulmonary_disease",
        "ataxia",
        "extreme_fatigue",
        "ostomy",
        "lung_or_abdominal_surgery",
        "severe_malnutrition",
        "worsening_condition",
    }
)
ABSOLUTE_CONTRAINDICATIONS = frozenset(
    {
        "unstable_angina",
        "unstable_arrhythmia",
        "uncontrolled_hypertension",
        "unstable_heart_failure",
        "acute_embolism_or_infarct",
        "acute_systemic_infection",
        "dissecting_aneurysm",
        "acute_myocarditis_or_pericarditis",
    }
)
MODERATE_MAX_RPE = 4

SPINE = ("spine_cervical", "spine_thoracic", "spine_lumbar", "spine_sacral")
BONE = (*SPINE, "pelvis", "proximal_femur", "ribs", "humerus")
SPINAL_MOVEMENT = {"spinal_flexion", "spinal_extension", "spinal_rotation"}

# §5 STOP + emergency: "Chest pain or pressure; severe breathlessness; fainting or
# near-fainting; cyanosis or pallor; sudden one-sided weakness, confusion or speech trouble;
# new loss of bladder or bowel control, or numbness in the saddle area; a suddenly swollen,
# red, painful limb"
EMERGENCY = {
    "chest_pain",
    "severe_breathlessness",
    "fainting",
    "cyanosis_or_pallor",
    "stroke_signs",
    "bladder_bowel_or_saddle",
    "swollen_limb",
}
# §5 STOP + same-day contact: "Fever; new or worsening bone pain; pain on weight-bearing;
# spinal pain worse at night or spreading like a band; unsteadiness or progressive leg
# weakness; new bleeding or bruising; palpitations; dizziness; blurred vision" -> "Block
# sessions until the physio clears the patient"
SAME_DAY = {
    "fever",
    "bone_pain",
    "pain_on_weight_bearing",
    "spinal_pain",
    "unsteadiness_or_leg_weakness",
    "bleeding_or_bruising",
    "palpitations",
    "dizziness",
    "blurred_vision",
}
# §4.1 Gilchrist: "Entry to cardio-oncology rehab needs ... no vomiting within 24 h"
NO_ENTRY_SYMPTOMS = {"vomiting"}
# §5 sources: "cord-compression signs: back/neck or band-like pain, tingling in
# toes/fingers/buttocks, unsteadiness, leg weakness" (with a spinal lesion: STOP).
CORD_SIGNS = {"tingling", "unsteadiness_or_leg_weakness"}

# §6 Galvão table rows; cervical and sacral spine are not in the table and count as their own
# spinal regions (conservative). "Multiple regions" = lesions in two or more rows.
GALVAO_ROW = {
    "pelvis": "pelvis",
    "proximal_femur": "proximal_femur",
    "spine_lumbar": "lumbar",
    "spine_thoracic": "thoracic_ribs",
    "ribs": "thoracic_ribs",
    "humerus": "humerus",
    "spine_cervical": "cervical",
    "spine_sacral": "sacral",
}

# §6 "[derived] Gate: Mirels ≥8 or SINS ≥7 → no loading of that region". What loads a region,
# written independently (the minimum a reader would accept).
REGION_LOAD = {
    "spine_cervical": SPINAL_MOVEMENT | {"trunk_load", "impact", "hands_behind_head"},
    "spine_thoracic": SPINAL_MOVEMENT | {"trunk_load", "impact", "shoulder_loading"},
    "spine_lumbar": SPINAL_MOVEMENT | {"trunk_load", "impact", "weight_bearing", "hip_loading"},
    "spine_sacral": SPINAL_MOVEMENT | {"trunk_load", "impact", "weight_bearing", "hip_loading"},
    "pelvis": {"hip_loading", "lower_limb_load", "weight_bearing", "impact"},
    "proximal_femur": {"hip_loading", "lower_limb_load", "weight_bearing", "impact"},
    "ribs": {"trunk_load", "shoulder_loading", "upper_limb_load", "arm_weight_bearing", "impact"},
    "humerus": {"shoulder_loading", "upper_limb_load", "arm_weight_bearing", "overhead_reach"},
}
MIRELS_GATE = 8
SINS_GATE = 7

# ---------------------------------------------------------------- strategies
days = st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31))


def around(*edges: float, spread: float) -> st.SearchStrategy[float]:
    exact = st.sampled_from(
        [e + d for e in edges for d in (-spread, -spread / 10, 0, spread / 10, spread)]
    )
    return exact | st.one_of(*(st.floats(e - spread, e + spread) for e in edges))


LAB_VALUES = {
    # platelets 19-21, 29-31, 49-51 (and a normal count)
    "platelets": around(20, 30, 50, spread=1.0) | st.just(250.0),
    "neutrophils": around(0.5, 1.5, spread=0.1) | st.just(4.0),
    "haemoglobin": around(8.0, spread=0.1) | st.just(13.0),
    "wbc": around(2.0, spread=0.1) | st.just(6.0),
    "sodium": around(135, 145, spread=1.0) | st.just(140.0),
    "potassium": around(3.5, 5.0, spread=0.1) | st.just(4.2),
}


@st.composite
def lesions(draw: st.DrawFn) -> Lesion:
    return Lesion(
        site=draw(st.sampled_from(LESION_SITES)),
        side=draw(st.sampled_from([None, "left", "right"])),
        mirels=draw(st.none() | st.integers(4, 12)),
        sins=draw(st.none() | st.integers(0, 18)),
        cleared_by_clinician=draw(st.booleans()),
        resistance_cleared=draw(st.booleans()),
    )


@st.composite
def profiles(draw: st.DrawFn, today: date) -> PatientProfile:
    ordinary = sorted(set(PRECAUTIONS) - ABSOLUTE_CONTRAINDICATIONS)
    precautions = draw(st.frozensets(st.sampled_from(ordinary), max_size=4))
    if draw(st.integers(0, 7)) == 0:  # rarely: nothing is served, so keep most days open
        precautions |= {draw(st.sampled_from(sorted(ABSOLUTE_CONTRAINDICATIONS)))}
    return PatientProfile(
        cancer_type=draw(st.sampled_from(["breast", "prostate", "lung", "colorectal", "myeloma"])),
        lesions=tuple(draw(st.lists(lesions(), max_size=3))),
        precautions=precautions,
        surgery_date=draw(st.none() | st.just(today - timedelta(days=draw(st.integers(0, 120))))),
        bands_owned=BAND_COLOURS,
        pool_access=True,
        allow_walking_with_pelvic_lesion=draw(st.booleans()),
        clearances=draw(clearances()),
    )


@st.composite
def clearances(draw: st.DrawFn) -> frozenset[str]:
    """Mostly a patient cleared to start (as the clinic records at enrolment), sometimes not."""
    given = draw(st.frozensets(st.sampled_from(CLEARANCES)))
    if draw(st.integers(0, 4)) > 0:
        given |= {"medical_clearance", "training_after_surgery"}
    return given


@st.composite
def labs(draw: st.DrawFn, today: date) -> list[LabResult]:
    names = draw(st.lists(st.sampled_from(sorted(LAB_VALUES)), max_size=4))
    return [
        LabResult(name, draw(LAB_VALUES[name]), today - timedelta(days=draw(st.integers(0, 30))))
        for name in names
    ]


@st.composite
def calendars(draw: st.DrawFn, today: date) -> TreatmentCalendar:
    ago = draw(st.lists(st.integers(0, 20), max_size=2, unique=True))
    windows = []
    for start in draw(st.lists(st.integers(-30, 0), max_size=1)):
        windows.append(
            (
                today + timedelta(days=start),
                today + timedelta(days=start + draw(st.integers(0, 35))),
            )
        )
    return TreatmentCalendar(
        infusions=tuple(today - timedelta(days=a) for a in ago), radiotherapy=tuple(windows)
    )


@st.composite
def check_ins(draw: st.DrawFn, today: date) -> CheckIn | None:
    if draw(st.integers(0, 3)) == 0:
        return None
    codes = sorted(red_flag_codes(real_rules()))
    return CheckIn(
        on=today,
        fatigue=draw(st.integers(0, 10)),
        pain=draw(st.integers(0, 10)),
        symptoms=draw(st.just(frozenset()) | st.frozensets(st.sampled_from(codes), max_size=2)),
        temperature_c=draw(st.none() | st.sampled_from([36.8, 37.9, 38.0, 38.3])),
        pain_at_lesion=draw(st.integers(0, 4)) == 0,
        resting_hr=draw(st.none() | st.sampled_from([70.0, 120.0, 121.0])),
        systolic_bp=draw(st.none() | st.sampled_from([130.0, 200.0, 201.0])),
        diastolic_bp=draw(st.none() | st.sampled_from([80.0, 110.0, 111.0])),
        spo2=draw(st.none() | st.sampled_from([87.0, 88.0, 94.0, 97.0])),
    )


@st.composite
def baselines(draw: st.DrawFn) -> Baseline:
    return Baseline(
        fatigue=draw(st.none() | st.integers(0, 10)),
        pain=draw(st.none() | st.integers(0, 10)),
        last_session_rpe_over_target=draw(st.none() | st.floats(-2, 4)),
    )


@st.composite
def prescriptions(draw: st.DrawFn) -> Prescription:
    ranges = []
    for modality in MODALITIES:  # all six modalities
        low = draw(st.integers(MIN_LEVEL, MAX_LEVEL))
        high = draw(st.integers(low, MAX_LEVEL))
        ranges.append(
            ModalityRange(
                modality,
                low,
                high,
                draw(st.none() | st.integers(low, high)),
                draw(st.integers(1, 4)),
            )
        )
    return Prescription(modalities=tuple(ranges))


@st.composite
def weeks(draw: st.DrawFn, today: date) -> list[WeekEntry]:
    entries = []
    for back in range(today.weekday(), 0, -1):
        if draw(st.booleans()):
            done = draw(st.lists(st.sampled_from(MODALITIES), max_size=2, unique=True))
            entries.append(
                WeekEntry(today - timedelta(days=back), tuple(done), draw(st.booleans()))
            )
    return entries


@st.composite
def days_inputs(draw: st.DrawFn) -> dict:
    today = draw(days)
    return {
        "today": today,
        "profile": draw(profiles(today)),
        "labs": draw(labs(today)),
        "calendar": draw(calendars(today)),
        "check_in": draw(check_ins(today)),
        "baseline": draw(baselines()),
        "prescription": draw(prescriptions()),
        "levels": draw(
            st.dictionaries(st.sampled_from(MODALITIES), st.integers(MIN_LEVEL, MAX_LEVEL))
        ),
        "week": draw(weeks(today)),
    }


def serve(inputs: dict, check_in: CheckIn | None) -> DailySession:
    today = inputs["today"]
    verdict = evaluate(
        inputs["profile"],
        inputs["labs"],
        inputs["calendar"],
        check_in,
        today,
        inputs["baseline"],
        real_rules(),
    )
    note(f"verdict {verdict.status}: {sorted(r.code for r in verdict.reasons)}")
    return plan_session(
        on=today,
        prescription=inputs["prescription"],
        verdict=verdict,
        levels=inputs["levels"],
        week=inputs["week"],
        catalog=real_catalog(),
        profile=inputs["profile"],
    )


# ---------------------------------------------------------------- reading the inputs
def latest_on_latest_day(results: list[LabResult], name: str) -> list[float]:
    """Every result of the latest day for this lab, any age (several on one day: all count)."""
    mine = [r for r in results if r.name == name]
    if not mine:
        return []
    newest = max(r.taken_on for r in mine)
    return [r.value for r in mine if r.taken_on == newest]


def had_surgery(inputs: dict) -> bool:
    profile = inputs["profile"]
    if profile.surgery_date is None:
        return "recent_surgery" in profile.precautions
    return profile.surgery_date <= inputs["today"]


def recent_surgery(inputs: dict) -> bool:
    """Within the [derived] 42-day window; a flagged precaution without a date counts."""
    profile = inputs["profile"]
    if profile.surgery_date is None:
        return "recent_surgery" in profile.precautions
    return 0 <= (inputs["today"] - profile.surgery_date).days <= 42


def infusion_days(inputs: dict) -> list[int]:
    return [(inputs["today"] - d).days for d in inputs["calendar"].infusions]


def counts_known_fine_since(inputs: dict, opened: date) -> bool:
    """§11 nadir: "unless counts are known to be fine": a neutrophil count >=1.5 drawn in the
    window (the newest one, the lowest of that day)."""
    inside = [
        r
        for r in inputs["labs"]
        if r.name == "neutrophils" and opened <= r.taken_on <= inputs["today"]
    ]
    if not inside:
        return False
    newest = max(r.taken_on for r in inside)
    return min(r.value for r in inside if r.taken_on == newest) >= 1.5


def no_blocks_reasons(inputs: dict) -> list[str]:
    """Why the source says there is no session today (empty: the source allows one)."""
    why = []
    profile = inputs["profile"]
    # §3 "High tier: lung/abdominal surgery, ostomy, cardiopulmonary disease, ataxia, ...,
    # severe malnutrition, worsening condition, bone metastases → physician clearance first"
    high_tier = profile.precautions & HIGH_TIER_PRECAUTIONS or any(
        lesion.site in BONE for lesion in profile.lesions
    )
    if high_tier and "medical_clearance" not in profile.clearances:
        why.append("high tier without physician clearance")
    # §6 "Mirels ≥8 or SINS ≥7 → ... supervised sessions only until cleared": a home session
    # is not supervised.
    for lesion in profile.lesions:
        scored_high = (lesion.mirels is not None and lesion.mirels >= MIRELS_GATE) or (
            lesion.sins is not None and lesion.sins >= SINS_GATE
        )
        if scored_high and not lesion.cleared_by_clinician:
            why.append(f"fracture risk at {lesion.site}: supervised only")
        # §4.1 "Toolkit absolute contraindications: unstable angina, arrhythmia, ..."
    if profile.precautions & ABSOLUTE_CONTRAINDICATIONS:
        why.append("absolute contraindication")
    # §4.2 "Recent surgery: Early wound healing blocks training": until the team says the
    # wound has healed (no window can know it), whenever the surgery was.
    if had_surgery(inputs) and "training_after_surgery" not in profile.clearances:
        why.append("early wound healing")
    results = inputs["labs"]
    # §4.1 Maltser: "<20: walking and ADLs only"; ">20: light exercise" -> 20 itself is not >20.
    if any(v <= 20 for v in latest_on_latest_day(results, "platelets")):
        why.append("platelets<=20")
    # §4.1 Gilchrist: "ANC >500/mm³" needed; PM&R: "ANC <0.5 = severe neutropenia".
    if any(v <= 0.5 for v in latest_on_latest_day(results, "neutrophils")):
        why.append("anc<=0.5")
    # §4.2 Electrolytes: "No exercise while sodium or potassium is abnormal" (135-145, 3.5-5.0).
    if any(v < 135 or v > 145 for v in latest_on_latest_day(results, "sodium")):
        why.append("sodium abnormal")
    if any(v < 3.5 or v > 5.0 for v in latest_on_latest_day(results, "potassium")):
        why.append("potassium abnormal")
    c = inputs["check_in"]
    if c is None:
        return why
    sites = {lesion.site for lesion in inputs["profile"].lesions}
    if c.symptoms & (EMERGENCY | SAME_DAY | NO_ENTRY_SYMPTOMS):
        why.append("§5 stop symptom")
    if c.symptoms & CORD_SIGNS and sites & set(SPINE):
        why.append("cord-compression sign with a spinal lesion")
    # §9 RED: "fatigue or pain ≥9, or ≥7 with a jump of ≥3 from baseline"
    for score, usual in (
        (c.fatigue, inputs["baseline"].fatigue),
        (c.pain, inputs["baseline"].pain),
    ):
        if score >= 9 or (score >= 7 and usual is not None and score - usual >= 3):
            why.append("score red")
    # §9 RED: "new or worse pain at a known lesion"
    if c.pain_at_lesion and sites:
        why.append("pain at a known lesion")
    # §4.1 Fever: "Acute systemic infection with fever is an absolute contraindication";
    # call the team "at ≥38.0 °C" -> a reading of 38.0 stops exercise (conservative).
    if c.temperature_c is not None and c.temperature_c >= 38.0:
        why.append("fever")
    # §4.1 "Resting HR >120 bpm", "Resting BP >200/110" → medical review; "stop below ~88%".
    if c.resting_hr is not None and c.resting_hr > 120:
        why.append("hr")
    if (c.systolic_bp or 0) > 200 or (c.diastolic_bp or 0) > 110:
        why.append("bp")
    if c.spo2 is not None and c.spo2 < 88:
        why.append("spo2")
    return why


def forbidden(inputs: dict) -> tuple[dict[str, set[str]], dict[str, set[str]], dict[str, int]]:
    """(tag -> why, modality -> why, why -> max CR-10 target) the source forbids today."""
    tags: dict[str, set[str]] = {}
    modalities: dict[str, set[str]] = {}
    caps: dict[str, int] = {}

    def no_tags(why: str, *names: str) -> None:
        for name in names:
            tags.setdefault(name, set()).add(why)

    def no_modality(why: str, *names: str) -> None:
        for name in names:
            modalities.setdefault(name, set()).add(why)

    def no_water(why: str) -> None:
        no_tags(why, "immersion")
        no_modality(why, "aquatic")

    profile = inputs["profile"]
    sites = {lesion.site for lesion in profile.lesions}
    results = inputs["labs"]

    # ---- §4.1 labs (latest result, any age)
    platelets = latest_on_latest_day(results, "platelets")
    if any(v <= 50 for v in platelets):
        # ">50×10⁹/L: progressive aerobic + resistance" -> at 50 or below, no resistance.
        no_modality("platelets<=50", "resistance_band")
        # ">30: active ROM, moderate exercise"
        caps["platelets<=50 moderate"] = MODERATE_MAX_RPE
    if any(v <= 30 for v in platelets):
        # ">20: light exercise or walking, fall plan"
        caps["platelets<=30 light"] = LIGHT_MAX_RPE
    # "Haemoglobin <8 g/dL ... <80 g/L: low to moderate intensity only (Toolkit)"
    if any(v < 8.0 for v in latest_on_latest_day(results, "haemoglobin")):
        caps["hb<8"] = MODERATE_MAX_RPE
    # "WBC <2.0 and a second row <1.5×10⁹/L: no group exercise, light to moderate only";
    # §4.2 "Low white cells: Avoid public gyms and pools until counts recover"
    if any(v < 1.5 for v in latest_on_latest_day(results, "neutrophils")):
        no_water("neutrophils<1.5")
        caps["neutrophils<1.5"] = MODERATE_MAX_RPE
    if any(v < 2.0 for v in latest_on_latest_day(results, "wbc")):
        no_water("wbc<2.0")
        caps["wbc<2.0"] = MODERATE_MAX_RPE

    # ---- §4.2 situations
    p = profile.precautions
    for line in ("central_line", "picc", "feeding_tube"):
        # "Catheter, PICC or feeding tube: Avoid or take care with pool, lake and sea water"
        if line in p:
            no_water(line)
    if "hsct" in p:
        # "After a marrow transplant, usually avoid them [public gyms and pools] for about 1 year"
        no_water("hsct")
        # "Stem-cell transplant (HSCT): Avoid over-training" -> moderate at most
        caps["hsct no over-training"] = MODERATE_MAX_RPE
    if recent_surgery(inputs):
        # Pool, general: "No: ... large open wounds" -> a healing wound stays out of the water
        no_water("surgical wound")
    if "osteoporosis" in p:
        # §2.2 "Exclude impact work for anyone with bone metastases or high fracture risk"
        no_tags("osteoporosis", "impact")
    if "anticoagulants" in p:
        # "Anticoagulants: Avoid high-impact and contact activities"
        no_tags("anticoagulants", "impact")
    if "ostomy" in p:
        # "Ostomy: ... avoid high intra-abdominal pressure"
        no_tags("ostomy", "breath_holding_risk")
        if "resistance_with_ostomy" not in profile.clearances:
            # "Get physician permission before contact sport or weight training"
            no_modality("ostomy without permission", "resistance_band")
    if "breast_surgery" in p and "upper_body_after_breast_surgery" not in profile.clearances:
        # "Breast surgery: Resolve arm or shoulder problems before upper-body training"
        no_tags("breast surgery", "shoulder_loading")
    if "falls" in p:
        # §10 Falls prevention: "no brisk-walking programmes for people at high fall risk"
        no_tags("falls", "brisk_pace", "floor_transfer")

    # ---- §4.2 Bone disease and §6 Galvão modules
    if sites & set(BONE):
        # Macmillan: "Bone disease: No high impact; no forward bending at the waist"
        no_tags("bone disease", "impact", "spinal_flexion")
    if any(lesion.site in BONE and not lesion.resistance_cleared for lesion in profile.lesions):
        # Chen: "moderate strength training, conducted under professional supervision"
        no_modality("bone lesion, resistance not cleared", "resistance_band")
    if sites & set(SPINE):
        # Lumbar / thoracic rows: trunk "no"; "no spinal flexion, extension or rotation"
        no_tags("spinal lesion", *SPINAL_MOVEMENT, "trunk_load")
    if "spine_lumbar" in sites:
        no_tags("lumbar: weight-bearing aerobic no*", "weight_bearing")
    if sites & {"pelvis", "proximal_femur"}:
        # "knee only (no hip flexion/extension)"
        no_tags("pelvis/femur knee only", "hip_loading")
    if "proximal_femur" in sites or (
        "pelvis" in sites and not profile.allow_walking_with_pelvic_lesion
    ):
        # "Weight-bearing aerobic: no*" (*EFFECT may allow walking with pelvic lesions)
        no_tags("pelvis/femur no weight-bearing aerobic", "weight_bearing")
    if sites & {"spine_thoracic", "ribs"}:
        # "elbow only (no shoulder flexion, extension, abduction or adduction)"
        no_tags("thoracic/ribs elbow only", "shoulder_loading")
    if "humerus" in sites:
        # "Proximal humerus | restricted" -> the conservative reading: no shoulder loading
        no_tags("humerus restricted", "shoulder_loading")
    if len({GALVAO_ROW[s] for s in sites if s in GALVAO_ROW}) >= 2:
        # "Multiple regions | elbow only | no | knee only | no | yes | no spinal flexion..."
        no_tags(
            "multiple regions",
            "shoulder_loading",
            "trunk_load",
            "hip_loading",
            "weight_bearing",
            *SPINAL_MOVEMENT,
        )
    for lesion in profile.lesions:
        high = (lesion.mirels is not None and lesion.mirels >= MIRELS_GATE) or (
            lesion.sins is not None and lesion.sins >= SINS_GATE
        )
        if high and not lesion.cleared_by_clinician and lesion.site in REGION_LOAD:
            # "Mirels ≥8 or SINS ≥7 → no loading of that region ... until cleared"
            no_tags(f"fracture risk {lesion.site}", *REGION_LOAD[lesion.site])

    # ---- §7 / Chen 2025 sites
    if "brain" in sites:
        # §7 Brain: "[derived] Add fall and seizure precautions (no solo swimming)"
        no_tags("brain: falls", "brisk_pace", "floor_transfer")
        no_water("brain: no solo swimming")
        # Chen: "light cardiovascular workouts like stationary cycling"
        caps["brain light"] = LIGHT_MAX_RPE
    if "lung" in sites:
        # Chen: "consistent low-intensity aerobic exercise enhances pulmonary function"
        caps["lung low-intensity"] = LIGHT_MAX_RPE
    if "liver" in sites:
        # Chen: "low-intensity, brief-duration activities like yoga and tai chi"
        caps["liver low-intensity"] = LIGHT_MAX_RPE
    if "skin" in sites:
        # Chen: "weak skin that is susceptible to damage ... minimize friction or excessive
        # stretching"; §4.2 Pool general "No: ... large open wounds"
        no_water("skin")
        no_tags("skin", "skin_friction", "end_range_stretch")

    # ---- §11 calendar
    ago = infusion_days(inputs)
    if any(0 <= d <= 1 for d in ago):
        # "Day 0–1: optional light session."
        caps["infusion day 0-1 light"] = LIGHT_MAX_RPE
    if any(0 <= d <= 7 for d in ago) and "pool_after_infusion" not in profile.clearances:
        # §4.2 "Pool + cytotoxic drugs: ... decide case by case" (until decided: no pool)
        no_water("cytotoxic window")
    for d, infusion in zip(ago, inputs["calendar"].infusions, strict=True):
        if 7 <= d <= 14 and not counts_known_fine_since(inputs, infusion + timedelta(days=7)):
            # "Days 7–14: ... No public pool, gym or group unless counts are known to be fine."
            no_water("nadir")
    today = inputs["today"]
    if any(start <= today <= end for start, end in inputs["calendar"].radiotherapy):
        # "Radiotherapy: Keep irradiated skin out of chlorinated water"
        no_water("radiotherapy")

    # ---- §9 check-in
    c = inputs["check_in"]
    if c is not None and 7 <= c.fatigue <= 8:
        # §4.2 "Severe tiredness: Swap the session for about 10 min of light activity"
        caps["fatigue 7-8 light"] = LIGHT_MAX_RPE
    return tags, modalities, caps


def describe(session: DailySession) -> str:
    catalog = real_catalog()
    return "\n".join(
        f"{b.part} {b.exercise_id} [{b.modality}] tags={sorted(catalog.exercises[b.exercise_id].load_tags)} "
        f"{b.dose.minutes}min rpe{b.dose.target_rpe}"
        for b in session.blocks
    )


# ---------------------------------------------------------------- the properties
SOURCE_SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def test_hard_coded_symptom_lists_are_real_symptom_codes() -> None:
    assert EMERGENCY | SAME_DAY | NO_ENTRY_SYMPTOMS | CORD_SIGNS <= red_flag_codes(real_rules())


@SOURCE_SETTINGS
@given(days_inputs())
def test_served_session_respects_what_the_source_says(inputs: dict) -> None:
    session = serve(inputs, inputs["check_in"])
    note(f"session ({session.verdict}):\n{describe(session)}")
    catalog = real_catalog()

    stop = no_blocks_reasons(inputs)
    event("source: no session" if stop else "source: session allowed")
    event("served" if session.blocks else "not served")
    if stop:
        assert session.blocks == (), f"source says no session ({stop})"
        return

    tags, modalities, caps = forbidden(inputs)
    for block in session.blocks:
        exercise = catalog.exercises[block.exercise_id]
        if exercise.modality == "aquatic":
            event("aquatic served")
        for tag in exercise.load_tags:
            assert tag not in tags, f"{block.exercise_id} has {tag}: forbidden by {tags[tag]}"
        assert exercise.modality not in modalities, (
            f"{block.exercise_id} is {exercise.modality}: forbidden by {modalities[exercise.modality]}"
        )
        for why, cap in caps.items():
            assert block.dose.target_rpe <= cap, (
                f"{block.exercise_id} target CR-10 {block.dose.target_rpe} > {cap} ({why})"
            )

    # §9 AMBER: "pain 4–6 ...; days 2–5 after infusion" -> the day is not green.
    c = inputs["check_in"]
    if any(2 <= d <= 5 for d in infusion_days(inputs)) or (c is not None and 4 <= c.pain <= 6):
        assert session.verdict != "green"
    # §9 GREEN needs "Stable fatigue ≤6": a rise of 2 or more from the usual is not stable.
    usual = inputs["baseline"].fatigue
    if c is not None and usual is not None and c.fatigue - usual >= 2:
        assert session.verdict != "green"


@SOURCE_SETTINGS
@given(days_inputs())
def test_no_check_in_never_serves_more_than_a_clean_check_in(inputs: dict) -> None:
    # §9 GREEN needs "Stable fatigue ≤6, pain ≤3": without today's scores the day cannot be
    # heavier than the same day with a clean check-in (fatigue 2, pain 1).
    clean = CheckIn(on=inputs["today"], fatigue=2, pain=1)
    missing = serve(inputs, None)
    checked = serve(inputs, clean)
    note(f"missing:\n{describe(missing)}\nclean:\n{describe(checked)}")
    assert missing.planned_load <= checked.planned_load
    assert missing.verdict != "green"
