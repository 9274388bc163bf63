"""Today's session: prescription + verdict + the week so far + catalog -> DailySession.

Pure and deterministic: the date is an argument, nothing reads a clock, and the only
"variety" comes from rotating through sorted exercise ids by the date's ordinal, so the same
inputs always give the same session.

Safety first: every exercise served (including seated swaps) passes `verdict.allows` and the
patient's equipment; amber days are strictly lighter than the green day would have been.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from backend.domain.records import (
    Block,
    Catalog,
    DailySession,
    Dose,
    DoseLadder,
    Exercise,
    Level,
    ModalityRange,
    PatientProfile,
    Prescription,
    Verdict,
)
from backend.domain.vocabulary import BAND_COLOURS, MAX_LEVEL, MIN_LEVEL, MODALITIES

MAX_MODALITIES_PER_DAY = 2
# Fewer modalities -> more exercises each, so a one-modality day is not a short one.
MAINS_PER_MODALITY = {1: 3, 2: 2}
# Resistance needs a day's recovery between sessions (domain §2.1: non-consecutive days).
NON_CONSECUTIVE = frozenset({"resistance_band"})
# Domain §2.1 "Resistance: 2-3x/wk": never more, whatever the prescription asks.
MAX_SESSIONS_PER_WEEK = {"resistance_band": 3}
# Domain §9 amber: "cut volume 30-50%"; 40% is the middle of that range, and an amber day
# never keeps more than 70% of the green day's load (measured on load, minutes x CR-10).
AMBER_VOLUME_FACTOR = 0.6
AMBER_MAX_LOAD_FRACTION = 0.7
AMBER_MAX_CUT = 0.5  # a block's volume is cut by at most half before everything is cut
MAX_REASONS_SHOWN = 2
MAX_SETS = 20  # the content schema's limit
# With dose ladders, a warm-up or cool-down is this load (AU): 3 minutes at CR-10 2.
SUPPORT_LOAD = 6.0
# The rules' supervised_only means the affected work is not done at home: its load tags are
# already excluded, so the session is served and the patient is told why it is missing.
SUPERVISED_TEXT = (
    "Work that loads the protected bone is left out: that is only done with your physio."
)

MODALITY_NAMES = {
    "tai_chi_qigong": "tai chi",
    "resistance_band": "resistance bands",
    "aquatic": "water exercise",
    "balance": "balance",
    "walking_aerobic": "walking",
    "mobility": "mobility",
}


@dataclass(frozen=True)
class WeekEntry:
    """What happened on an earlier day of this week."""

    on: date
    modalities: tuple[str, ...]
    completed: bool


@dataclass(frozen=True)
class CompletedSession:
    """A session the patient completed: its main work's planned load (AU) and its level, per
    modality."""

    on: date
    loads: Mapping[str, float]
    levels: Mapping[str, int] = field(default_factory=dict)


def weekly_load_ceilings(
    on: date, completed: Iterable[CompletedSession], max_rise: float
) -> dict[str, float]:
    """Per modality, the most main-work load one session of it may plan on ``on``: ``1 +
    max_rise`` times the mean session of it completed in the previous ISO week.

    Domain §10 "[derived] Caps: keep the week-on-week rise in sRPE load to ≤10%" (rules.yaml
    ``progression.weekly_load_cap``). Every session this week at most 10 % over last week's
    mean keeps the week's load within 10 % at the prescribed frequency. The mean, not the
    heaviest: with uneven sessions every one could otherwise rise to last week's peak. Weeks
    are calendar weeks, not the 7 days before each day: a rolling window lags by half a week
    and would hold a tolerated step to ~5 % a week. Main work only: the warm-up and cool-down
    are the same few minutes every day, and may come from another modality. A modality with
    no completed session last week has no ceiling (nothing to rise from).
    """
    monday = on - timedelta(days=on.weekday())
    last_monday = monday - timedelta(days=7)
    loads: dict[str, list[float]] = {}
    for session in completed:
        if last_monday <= session.on < monday:
            for modality, load in session.loads.items():
                if load > 0:
                    loads.setdefault(modality, []).append(load)
    return {m: (1 + max_rise) * sum(v) / len(v) for m, v in loads.items()}


def building_up(
    on: date,
    completed: Iterable[CompletedSession],
    max_rise: float,
    ladders: Mapping[str, DoseLadder],
    modality: str,
    level: int,
) -> bool:
    """Whether the level's dose (its ladder rung) is over ``1 + max_rise`` times the mean
    rung served last ISO week: the coach then waits before a further step.

    Judged on the levels, not the served loads that ``weekly_load_ceilings`` caps: a day's
    share of a modality depends on what else it serves, and an amber day is cut; neither says
    the level is still new to the patient, and on served load they would hold a patient who
    has amber days, or two-modality days, below the next step indefinitely.
    """
    ladder = ladders.get(modality)
    if ladder is None:
        return False
    monday = on - timedelta(days=on.weekday())
    rungs = [
        ladder.load_at(s.levels[modality])
        for s in completed
        if monday - timedelta(days=7) <= s.on < monday and s.levels.get(modality)
    ]
    return bool(rungs) and ladder.load_at(level) > (1 + max_rise) * sum(rungs) / len(rungs)


@dataclass(frozen=True)
class _Caps:
    """Today's ceilings from a SafetyVerdict (a plain Verdict has none)."""

    max_target_rpe: float | None = None
    max_minutes: float | None = None

    def fits(self, dose: Dose) -> bool:
        rpe_ok = self.max_target_rpe is None or dose.target_rpe <= self.max_target_rpe
        minutes_ok = (
            self.max_minutes is None or dose.minutes is None or dose.minutes <= self.max_minutes
        )
        return rpe_ok and minutes_ok

    def clamp(self, dose: Dose) -> Dose:
        rpe = dose.target_rpe
        if self.max_target_rpe is not None:
            rpe = min(rpe, self.max_target_rpe)
        minutes = dose.minutes
        if self.max_minutes is not None and minutes is not None:
            minutes = min(minutes, self.max_minutes)
        return replace(dose, target_rpe=rpe, minutes=minutes)


NO_CAPS = _Caps()


@dataclass(frozen=True)
class _Slot:
    """One place in the session, chosen before any amber or seated change."""

    exercise: Exercise
    part: str  # warm_up | main | cool_down
    level: int  # the green-day modality level (warm-up and cool-down use 1)


@dataclass(frozen=True)
class _Week:
    """This ISO week so far, as the planner needs it."""

    done: dict[str, int]  # completed sessions per modality
    yesterday: frozenset[str]  # modalities served on the previous day


def plan_session(
    *,
    on: date,
    prescription: Prescription,
    verdict: Verdict,
    levels: Mapping[str, int],
    week: Sequence[WeekEntry],
    catalog: Catalog,
    profile: PatientProfile,
    check_in_summary: str | None = None,
    lighter: frozenset[str] = frozenset(),
    load_ceilings: Mapping[str, float] | None = None,
) -> DailySession:
    """Build today's session; red gives none, rest days give none, amber is lighter.

    ``lighter``: modalities the coach eases today at their level (``_eased``).
    ``load_ceilings``: the most load per modality (``weekly_load_ceilings``); the main work
    of a modality over it is shortened to fit, and the session lists it in ``capped``.
    """
    if verdict.status not in ("green", "amber", "red"):
        raise ValueError(f"unknown verdict status {verdict.status!r}")
    if verdict.status == "red":
        return DailySession(on=on, verdict="red", blocks=(), explanation=_red_text(verdict))

    so_far = _week_so_far(on, week)
    targets = {m.modality: _weekly_target(m) for m in prescription.modalities}
    progress = _progress(targets, so_far.done)
    if on.weekday() in prescription.rest_weekdays:
        return _rest(on, verdict, f"Rest day: recovery is part of your plan. {progress}")

    due = _due_modalities(prescription, so_far)
    if not due:
        return _rest(on, verdict, _nothing_due_text(targets, so_far))

    usable = _usable_exercises(catalog, verdict, profile)
    chosen, skipped = _choose_modalities(due, usable)
    if not chosen:
        return _rest(on, verdict, f"Rest day: {_paused_text(skipped)}")

    level_of = {m: _modality_level(m, levels, prescription) for m in chosen}
    slots = _slots(on, chosen, usable, level_of)
    blocks, substitutions = _build_blocks(slots, verdict, catalog, profile, lighter)
    blocks, capped = _within_ceilings(blocks, load_ceilings or {})
    count = sum(min(so_far.done.get(m, 0), n) for m, n in targets.items()) + len(chosen)
    explanation = _served_text(
        verdict, check_in_summary, chosen, skipped, count, sum(targets.values()), substitutions
    )
    return DailySession(
        on=on,
        verdict=verdict.status,
        blocks=blocks,
        explanation=explanation,
        modalities=chosen,
        substitutions=substitutions,
        capped=capped,
    )


def _within_ceilings(
    blocks: tuple[Block, ...], ceilings: Mapping[str, float]
) -> tuple[tuple[Block, ...], tuple[str, ...]]:
    """Shorten each modality's main work until its load fits its ceiling (the warm-up and
    cool-down stay: a few minutes of CR-10 2 that the session needs)."""
    capped = []
    for modality, ceiling in ceilings.items():
        main = main_loads(blocks).get(modality, 0.0)
        if main <= ceiling:
            continue
        blocks = tuple(
            replace(b, dose=_scaled(b.dose, ceiling / main))
            if b.modality == modality and b.part == "main"
            else b
            for b in blocks
        )
        capped.append(modality)
    return blocks, tuple(capped)


def main_loads(blocks: Iterable[Block]) -> dict[str, float]:
    """The main work's planned load (minutes x CR-10) per modality."""
    loads: dict[str, float] = {}
    for b in blocks:
        if b.part == "main":
            loads[b.modality] = loads.get(b.modality, 0.0) + b.dose.nominal_load
    return loads


# ---------- the week ----------
def _week_so_far(on: date, week: Sequence[WeekEntry]) -> _Week:
    """Completed sessions per modality this ISO week, and what was served yesterday.

    Yesterday is read from every entry, whatever its calendar week: resistance on Sunday and
    again on Monday is two consecutive days (domain §2.1: non-consecutive days).
    """
    this_week = [e for e in week if e.on < on and e.on.isocalendar()[:2] == on.isocalendar()[:2]]
    done: dict[str, int] = {}
    for entry in this_week:
        if entry.completed:
            for modality in set(entry.modalities):
                done[modality] = done.get(modality, 0) + 1
    # Any entry counts for the rest-day rule, completed or not: a partly done band session
    # still loaded the muscles, and the entry does not say how much was done.
    yesterday = on - timedelta(days=1)
    served = frozenset(m for e in week if e.on == yesterday for m in e.modalities)
    return _Week(done=done, yesterday=served)


def _order(modality: str) -> int:
    return MODALITIES.index(modality) if modality in MODALITIES else len(MODALITIES)


def _weekly_target(m: ModalityRange) -> int:
    return min(m.sessions_per_week, MAX_SESSIONS_PER_WEEK.get(m.modality, m.sessions_per_week))


def _due_modalities(prescription: Prescription, so_far: _Week) -> tuple[str, ...]:
    """Modalities still short this week, largest deficit first, then the fixed order."""
    deficits = {
        m.modality: _weekly_target(m) - so_far.done.get(m.modality, 0)
        for m in prescription.modalities
        if not (m.modality in NON_CONSECUTIVE and m.modality in so_far.yesterday)
    }
    due = [m for m, deficit in deficits.items() if deficit > 0]
    return tuple(sorted(due, key=lambda m: (-deficits[m], _order(m), m)))


def _choose_modalities(
    due: tuple[str, ...], usable: dict[str, Exercise]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Up to two due modalities that have a usable main exercise; the rest reached are skipped."""
    chosen: list[str] = []
    skipped: list[str] = []
    for modality in due:
        if len(chosen) == MAX_MODALITIES_PER_DAY:
            break
        if _mains(usable, modality):
            chosen.append(modality)
        else:
            skipped.append(modality)
    return tuple(chosen), tuple(skipped)


# ---------- which exercises may be served ----------
def _band_index(colour: str | None) -> int | None:
    return BAND_COLOURS.index(colour) if colour in BAND_COLOURS else None


def _owned_bands(profile: PatientProfile) -> list[int]:
    return sorted({i for c in profile.bands_owned if (i := _band_index(c)) is not None})


def _needs_band(exercise: Exercise) -> bool:
    return "band" in exercise.equipment or any(lv.dose.band for lv in exercise.levels)


def _needs_pool(exercise: Exercise) -> bool:
    return (
        "pool" in exercise.equipment
        or exercise.position == "in_water"
        or exercise.modality == "aquatic"
    )


def _has_equipment(exercise: Exercise, profile: PatientProfile) -> bool:
    """Pool access for water work; a band no heavier than the ladder's lightest for band work."""
    if _needs_pool(exercise) and not profile.pool_access:
        return False
    if not _needs_band(exercise):
        return True
    owned = _owned_bands(profile)
    ladder = [i for lv in exercise.levels if (i := _band_index(lv.dose.band)) is not None]
    # Judged on the whole ladder, not today's step, so eligibility never depends on the
    # level (amber and green days then choose the same exercises) and a band no heavier
    # than prescribed always exists at every step.
    return bool(owned) and (not ladder or owned[0] <= min(ladder))


def _usable(exercise: Exercise, verdict: Verdict, profile: PatientProfile) -> bool:
    return verdict.allows(exercise) and _has_equipment(exercise, profile)


def _usable_exercises(
    catalog: Catalog, verdict: Verdict, profile: PatientProfile
) -> dict[str, Exercise]:
    return {i: e for i, e in catalog.exercises.items() if _usable(e, verdict, profile)}


def _mains(usable: dict[str, Exercise], modality: str) -> list[str]:
    return sorted(i for i, e in usable.items() if e.modality == modality and "main" in e.roles)


# ---------- choosing exercises ----------
def _rotate(ids: Sequence[str], on: date, count: int) -> list[str]:
    """`count` consecutive ids starting at a day-dependent offset: varied but reproducible."""
    if not ids:
        return []
    start = on.toordinal() % len(ids)
    return [ids[(start + k) % len(ids)] for k in range(min(count, len(ids)))]


def _support(
    usable: dict[str, Exercise], role: str, chosen: tuple[str, ...], taken: set[str], on: date
) -> Exercise | None:
    """A warm-up or cool-down, preferring today's modalities; no pool unless it is a pool day."""
    candidates = {
        i: e
        for i, e in usable.items()
        if role in e.roles and i not in taken and ("aquatic" in chosen or not _needs_pool(e))
    }
    same = sorted(i for i, e in candidates.items() if e.modality in chosen)
    picked = _rotate(same or sorted(candidates), on, 1)
    return candidates[picked[0]] if picked else None


def _slots(
    on: date, chosen: tuple[str, ...], usable: dict[str, Exercise], level_of: Mapping[str, int]
) -> list[_Slot]:
    """Warm-up, 2-3 main exercises per chosen modality, cool-down (each part if available)."""
    per_modality = MAINS_PER_MODALITY[len(chosen)]
    mains = [
        usable[i]
        for modality in chosen
        for i in _rotate(_mains(usable, modality), on, per_modality)
    ]
    taken = {e.id for e in mains}
    warm_up = _support(usable, "warm_up", chosen, taken, on)
    taken |= {warm_up.id} if warm_up else set()
    cool_down = _support(usable, "cool_down", chosen, taken, on)
    slots = [_Slot(warm_up, "warm_up", MIN_LEVEL)] if warm_up else []
    slots += [_Slot(e, "main", level_of[e.modality]) for e in mains]
    slots += [_Slot(cool_down, "cool_down", MIN_LEVEL)] if cool_down else []
    return slots


def _modality_level(modality: str, levels: Mapping[str, int], prescription: Prescription) -> int:
    """The locked level, else the current level clipped to the physio's range."""
    allowed = prescription.range_for(modality)
    if allowed is None:
        return MIN_LEVEL
    if allowed.locked_level is not None:
        level = allowed.locked_level
    else:
        level = min(
            max(levels.get(modality, allowed.min_level), allowed.min_level), allowed.max_level
        )
    return min(max(level, MIN_LEVEL), MAX_LEVEL)


# ---------- doses ----------
def _capped_step(exercise: Exercise, level: int, caps: _Caps) -> Level:
    """Lower the level until the dose fits today's caps; below level 1, clamp the dose."""
    for step in range(exercise.dose_at(level).level, 0, -1):
        candidate = exercise.dose_at(step)
        if caps.fits(candidate.dose):
            return candidate
    lowest = exercise.dose_at(MIN_LEVEL)
    return replace(lowest, dose=caps.clamp(lowest.dose))


def _with_owned_band(dose: Dose, profile: PatientProfile) -> Dose:
    """The heaviest band the patient owns that is not heavier than prescribed."""
    if dose.band is None:
        return dose
    prescribed = _band_index(dose.band)
    owned = _owned_bands(profile)
    fitting = [i for i in owned if prescribed is not None and i <= prescribed]
    # An unknown colour cannot be compared: the lightest band owned is the safe choice.
    index = fitting[-1] if fitting else owned[0]
    return replace(dose, band=BAND_COLOURS[index])


def _floor_minutes(minutes: float) -> float:
    """Round down to half minutes (easy to read), to tenths only when that would give 0."""
    half = math.floor(minutes * 2) / 2
    return half if half > 0 else math.floor(minutes * 10) / 10


def _lighter_than(dose: Dose, reference_load: float) -> Dose:
    """Cut minutes (domain §9: volume 30-50%) so the dose is strictly below the reference."""
    if reference_load <= 0 or dose.nominal_load < reference_load:
        return dose
    # nominal_load >= reference_load > 0, so minutes and target_rpe are both positive.
    target = AMBER_VOLUME_FACTOR * reference_load / dose.target_rpe
    for minutes in (round(target * 2) / 2, math.floor(target * 10) / 10):
        if 0 < minutes * dose.target_rpe < reference_load:
            return replace(dose, minutes=minutes)
    return replace(dose, minutes=math.floor(target * 10) / 10)


def _no_heavier_than(dose: Dose, reference_load: float) -> Dose:
    """Shorten a dose so its load does not exceed the reference."""
    if dose.nominal_load <= reference_load:
        return dose
    # nominal_load > reference_load >= 0, so minutes and target_rpe are both positive.
    return replace(dose, minutes=_floor_minutes(reference_load / dose.target_rpe))


def _variant(
    exercise: Exercise, catalog: Catalog, verdict: Verdict, profile: PatientProfile, taken: set[str]
) -> Exercise | None:
    """The seated/lying/in-water variant, when it exists, is safe and is not already served."""
    variant = catalog.exercises.get(exercise.seated_variant or "")
    if variant is None or variant.id in taken or not _usable(variant, verdict, profile):
        return None
    return variant


def _swaps(
    slots: Sequence[_Slot],
    catalog: Catalog,
    verdict: Verdict,
    profile: PatientProfile,
    amber: bool = False,
) -> dict[str, Exercise]:
    """Slot exercise id -> its safe seated variant; one exercise is never served twice.

    On an amber day (domain §9: "switch to seated, non-weight-bearing or mobility work"), main
    work on the feet without a seated variant is swapped for off-feet work of the same
    modality, or else for mobility work.
    """
    taken = {s.exercise.id for s in slots}
    swaps: dict[str, Exercise] = {}
    for slot in slots:
        variant = _variant(slot.exercise, catalog, verdict, profile, taken)
        if variant is None and amber and _on_feet_main(slot):
            variant = _off_feet(slot.exercise, catalog, verdict, profile, taken)
        if variant is not None:
            swaps[slot.exercise.id] = variant
            taken.add(variant.id)
    return swaps


def _on_feet_main(slot: _Slot) -> bool:
    exercise = slot.exercise
    return (
        slot.part == "main"
        and exercise.modality != "mobility"
        and "weight_bearing" in exercise.load_tags
    )


def _off_feet(
    exercise: Exercise,
    catalog: Catalog,
    verdict: Verdict,
    profile: PatientProfile,
    taken: set[str],
) -> Exercise | None:
    """A safe main exercise off the feet, of the same modality if there is one, else mobility."""
    for modality in (exercise.modality, "mobility"):
        for candidate_id in sorted(catalog.exercises):
            candidate = catalog.exercises[candidate_id]
            if (
                candidate.modality == modality
                and "main" in candidate.roles
                and "weight_bearing" not in candidate.load_tags
                and candidate.id not in taken
                and _usable(candidate, verdict, profile)
            ):
                return candidate
    return None


@dataclass(frozen=True)
class _Draft:
    """A slot with the exercise actually served and its ladder step."""

    slot: _Slot
    exercise: Exercise
    step: Level
    factor: float | None = None  # the level's dose over the exercises' own (main work only)

    @property
    def minutes(self) -> float:
        return self.step.dose.minutes or 0.0

    @property
    def load(self) -> float:
        return self.step.dose.nominal_load

    def with_dose(self, dose: Dose) -> _Draft:
        return replace(self, step=replace(self.step, dose=dose))


def _drafts(
    slots: Sequence[_Slot],
    swaps: Mapping[str, Exercise],
    *,
    step_down: bool,
    caps: _Caps,
    ladders: Mapping[str, DoseLadder] | None = None,
) -> list[_Draft]:
    """One dose per slot: swapped variant, one ladder step down if asked, the level's dose
    (``_level_factors``), then today's caps."""
    picked = []
    for slot in slots:
        exercise = swaps.get(slot.exercise.id, slot.exercise)
        level = exercise.dose_at(slot.level).level
        if step_down:
            # A step of the ladder in use (not the modality level), so the dose really drops.
            level = max(MIN_LEVEL, level - 1)
        picked.append((slot, exercise, level))
    factors = _level_factors(picked, ladders or {}, step_down)
    drafts = []
    for slot, exercise, level in picked:
        if slot.part == "main":
            factor = factors.get(exercise.modality)
        else:  # warm-up and cool-down: the same few easy minutes whichever is rotated in
            load = exercise.dose_at(level).dose.nominal_load
            factor = SUPPORT_LOAD / load if ladders and load > 0 else None
        drafts.append(_Draft(slot, exercise, _dosed_step(exercise, level, caps, factor), factor))
    return _within_session_minutes(drafts, caps)


def _level_factors(
    picked: Sequence[tuple[_Slot, Exercise, int]],
    ladders: Mapping[str, DoseLadder],
    step_down: bool,
) -> dict[str, float]:
    """Per modality: the factor that makes today's main work the level's dose.

    A level means a load (the content's dose ladder), whichever exercises the rotation
    brings: their own doses at that level only share the load out. Computed on the
    uncapped doses, so a capped block stays lighter than its green-day self.
    """
    natural: dict[str, float] = {}
    level_of: dict[str, int] = {}
    for slot, exercise, level in picked:
        if slot.part != "main" or exercise.modality not in ladders:
            continue
        natural[exercise.modality] = (
            natural.get(exercise.modality, 0.0) + exercise.dose_at(level).dose.nominal_load
        )
        level_of[exercise.modality] = max(MIN_LEVEL, slot.level - 1) if step_down else slot.level
    return {m: ladders[m].load_at(level_of[m]) / load for m, load in natural.items() if load > 0}


def _dosed_step(exercise: Exercise, level: int, caps: _Caps, factor: float | None) -> Level:
    """The step that fits today's caps, its volume times ``factor``, then capped again."""
    step = _capped_step(exercise, level, caps)
    if factor is None:
        return step
    return replace(step, dose=caps.clamp(_times(step.dose, factor)))


def _times(dose: Dose, factor: float) -> Dose:
    """Minutes (to the half minute, tenths under 2) and sets times ``factor``."""
    minutes = (dose.minutes or 0.0) * factor
    minutes = round(minutes * 2) / 2 if minutes >= 2 else max(round(minutes, 1), 0.1)
    sets = None if dose.sets is None else min(MAX_SETS, max(1, round(dose.sets * factor)))
    return replace(dose, minutes=minutes, sets=sets)


def _within_session_minutes(drafts: list[_Draft], caps: _Caps) -> list[_Draft]:
    """Fit the session's total minutes under the cap: lower levels first, then shorten."""
    if caps.max_minutes is None:
        return drafts
    drafts = list(drafts)
    while sum(d.minutes for d in drafts) > caps.max_minutes:
        lowerable = [i for i, d in enumerate(drafts) if d.step.level > MIN_LEVEL]
        if not lowerable:
            break
        # The longest block gives up a level first; ties go to the earlier block.
        i = max(lowerable, key=lambda k: (drafts[k].minutes, -k))
        lower = _dosed_step(drafts[i].exercise, drafts[i].step.level - 1, caps, drafts[i].factor)
        if lower.dose.nominal_load <= drafts[i].load:  # a lower step never adds load
            drafts[i] = replace(drafts[i], step=lower)
        else:
            drafts[i] = drafts[i].with_dose(_no_heavier_than(lower.dose, drafts[i].load))
    total = sum(d.minutes for d in drafts)
    if total <= caps.max_minutes:
        return drafts
    factor = caps.max_minutes / total
    return [
        d.with_dose(replace(d.step.dose, minutes=_floor_minutes(d.minutes * factor)))
        if d.step.dose.minutes
        else d
        for d in drafts
    ]


def _trimmed_for_minutes(slots: Sequence[_Slot], caps: _Caps) -> list[_Slot]:
    """Under a session-length cap, serve fewer main exercises before shortening each one.

    A 10-minute day reads better as three short blocks than as six one-minute ones. Each
    chosen modality keeps at least one main exercise; the cap is then met by _drafts.
    """
    kept = list(slots)
    if caps.max_minutes is None:
        return kept

    def shortest(items: Sequence[_Slot]) -> float:
        return sum(s.exercise.dose_at(MIN_LEVEL).dose.minutes or 0.0 for s in items)

    while shortest(kept) > caps.max_minutes:
        counts: dict[str, int] = {}
        for s in kept:
            if s.part == "main":
                counts[s.exercise.modality] = counts.get(s.exercise.modality, 0) + 1
        crowded = [m for m, n in counts.items() if n > 1]
        if not crowded:
            break
        # The modality with the most mains gives one up; its last one goes.
        modality = max(crowded, key=lambda m: (counts[m], -_order(m)))
        last = max(
            i for i, s in enumerate(kept) if s.part == "main" and s.exercise.modality == modality
        )
        del kept[last]
    return kept


def _lighter_day(
    slots: Sequence[_Slot],
    swaps: Mapping[str, Exercise],
    caps: _Caps,
    green_swaps: Mapping[str, Exercise],
    ladders: Mapping[str, DoseLadder],
) -> list[_Draft]:
    """Amber: seated swaps and one step down; strictly lighter than the green day in total.

    "The green day" is the lighter of two readings per block, so amber is lighter under both:
    a plain green verdict (all slots, no caps, no swaps), or a green verdict keeping today's
    caps and seated flag (the same trimmed slots as amber).
    """
    kept = _trimmed_for_minutes(slots, caps)
    plain = {
        d.slot.exercise.id: d
        for d in _drafts(slots, {}, step_down=False, caps=NO_CAPS, ladders=ladders)
    }
    capped = _drafts(kept, green_swaps, step_down=False, caps=caps, ladders=ladders)
    references = [min(plain[g.slot.exercise.id].load, g.load) for g in capped]
    green_load = sum(references)
    # No block may end up heavier than on the green day (a seated variant can be longer).
    drafts = [
        d.with_dose(_no_heavier_than(d.step.dose, r))
        for d, r in zip(
            _drafts(kept, swaps, step_down=True, caps=caps, ladders=ladders),
            references,
            strict=True,
        )
    ]
    # Until the day keeps at most 70% of the green day's load (§9: cut 30-50%), cut the
    # volume of the main work by up to half, then of everything if that is not enough.
    ceiling = AMBER_MAX_LOAD_FRACTION * green_load
    for parts, floor in (({"main"}, 1 - AMBER_MAX_CUT), ({"warm_up", "main", "cool_down"}, 0.0)):
        total = sum(d.load for d in drafts)
        if total <= ceiling:
            break
        cut = sum(d.load for d in drafts if d.slot.part in parts)
        keep = total - cut  # the load of the parts left alone
        if cut <= 0:
            continue
        factor = max(floor, (AMBER_VOLUME_FACTOR * green_load - keep) / cut)
        drafts = [
            d.with_dose(_scaled(d.step.dose, factor)) if d.slot.part in parts else d for d in drafts
        ]
    return drafts


def _scaled(dose: Dose, factor: float) -> Dose:
    """The dose with its minutes cut by `factor`, rounded down (never up) to tenths."""
    if not dose.minutes or factor >= 1:
        return dose
    minutes = math.floor(dose.minutes * factor * 10) / 10
    return replace(dose, minutes=max(minutes, 0.1))


def _eased(drafts: list[_Draft], lighter: frozenset[str]) -> list[_Draft]:
    """The coach's lighter session: the main work of these modalities at the same level, its
    volume cut as on an amber day (domain §9: 30-50%), when even the lowest level it may
    choose adds flare risk (docs/architecture.md, item 20)."""
    return [
        d.with_dose(_lighter_than(d.step.dose, d.load))
        if d.slot.part == "main" and d.exercise.modality in lighter
        else d
        for d in drafts
    ]


def _build_blocks(
    slots: Sequence[_Slot],
    verdict: Verdict,
    catalog: Catalog,
    profile: PatientProfile,
    lighter: frozenset[str] = frozenset(),
) -> tuple[tuple[Block, ...], tuple[tuple[str, str], ...]]:
    """Turn slots into blocks: seated swaps, amber lightening, caps, the patient's own band."""
    caps = _Caps(getattr(verdict, "max_target_rpe", None), getattr(verdict, "max_minutes", None))
    prefer_seated = bool(getattr(verdict, "prefer_seated", False))
    amber = verdict.status == "amber"
    # The green day's own swaps (seated variants when the verdict prefers them), and amber's:
    # those and, off the feet, the §9 switch away from weight-bearing work.
    green_swaps = _swaps(slots, catalog, verdict, profile) if prefer_seated else {}
    swaps = _swaps(slots, catalog, verdict, profile, amber=True) if amber else green_swaps
    if amber:
        drafts = _lighter_day(slots, swaps, caps, green_swaps, catalog.ladders)
    else:
        kept = _trimmed_for_minutes(slots, caps)
        drafts = _drafts(kept, swaps, step_down=False, caps=caps, ladders=catalog.ladders)
        drafts = _eased(drafts, lighter)  # amber days are lighter already
    blocks = tuple(
        Block(
            exercise_id=d.exercise.id,
            title=d.exercise.title,
            modality=d.exercise.modality,
            part=d.slot.part,
            level=d.step.level,
            dose=_with_owned_band(d.step.dose, profile),
            substituted_for=d.slot.exercise.id if d.exercise is not d.slot.exercise else None,
        )
        for d in drafts
    )
    substitutions = tuple((b.substituted_for, b.exercise_id) for b in blocks if b.substituted_for)
    return blocks, substitutions


# ---------- words ----------
def _names(modalities: Iterable[str]) -> str:
    words = [MODALITY_NAMES.get(m, m.replace("_", " ")) for m in modalities]
    text = " and ".join(words) if len(words) <= 2 else ", ".join(words[:-1]) + " and " + words[-1]
    return text[:1].upper() + text[1:]


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    text = text[:1].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def _messages(verdict: Verdict, severity: str) -> list[str]:
    """Distinct patient messages of one severity, in the verdict's order."""
    seen: list[str] = []
    for reason in verdict.reasons:
        if reason.severity == severity and reason.message and reason.message not in seen:
            seen.append(reason.message)
    return seen[:MAX_REASONS_SHOWN]


def _red_text(verdict: Verdict) -> str:
    """Rest, the main reason, the verdict's advice, and that the physio knows."""
    # An emergency's advice starts with "Stop now"; "rest today" would undersell it.
    parts = [] if getattr(verdict, "emergency", False) else ["Rest today, no exercise."]
    parts += [_sentence(m) for m in _messages(verdict, "red")[:1]]
    parts.append(
        _sentence(verdict.advice) if verdict.advice else "If you feel worse, call your care team."
    )
    text = " ".join(parts)
    # Rule messages may already say it; once is enough for a tired reader.
    told = "physio has been told"
    return text if told in text.lower() else f"{text} Your {told}."


def _progress(targets: Mapping[str, int], done: Mapping[str, int]) -> str:
    total = sum(targets.values())
    count = sum(min(done.get(m, 0), n) for m, n in targets.items())
    return f"You've done {count} of your {total} sessions this week."


def _nothing_due_text(targets: Mapping[str, int], so_far: _Week) -> str:
    total = sum(targets.values())
    if total == 0:
        return "Rest day: no sessions are planned this week."
    if all(so_far.done.get(m, 0) >= n for m, n in targets.items()):
        return f"Rest day: you've done all {total} sessions this week. Well done!"
    # Only a consecutive-day rule stands between the patient and a session.
    return "Rest day: your muscles need a day off between band sessions."


def _paused_text(skipped: Sequence[str]) -> str:
    verb = "is" if len(skipped) == 1 else "are"
    return f"{_names(skipped)} {verb} paused today to keep you safe."


def _lighter_text(verdict: Verdict, check_in_summary: str | None) -> str:
    why = [check_in_summary] if check_in_summary else []
    why += [m for m in _messages(verdict, "amber") if m != check_in_summary]
    if not why:
        return "Lighter today."
    return "Lighter today: " + " ".join(_sentence(w) for w in why[:MAX_REASONS_SHOWN])


def _served_text(
    verdict: Verdict,
    check_in_summary: str | None,
    chosen: Sequence[str],
    skipped: Sequence[str],
    count: int,
    total: int,
    substitutions: Sequence[tuple[str, str]],
) -> str:
    parts = [_lighter_text(verdict, check_in_summary)] if verdict.status == "amber" else []
    if getattr(verdict, "supervised_only", False):
        # Domain §6 gate: high fracture risk -> supervised sessions only until cleared.
        parts.append(SUPERVISED_TEXT)
    parts.append(f"{_names(chosen)} today: {count} of your {total} sessions this week.")
    if substitutions:
        parts.append("Seated or supported versions where we could.")
    if skipped:
        parts.append(_paused_text(skipped))
    return " ".join(parts)


def _rest(on: date, verdict: Verdict, explanation: str) -> DailySession:
    return DailySession(
        on=on, verdict=verdict.status, blocks=(), explanation=explanation, rest_day=True
    )


# ---------- the library's doses at every level ----------
def session_ladders(
    catalog: Catalog,
    profile: PatientProfile | None = None,
    modalities: Iterable[str] = MODALITIES,
    on: date = date(2024, 1, 1),
    *,
    lighter: bool = False,
) -> dict[str, dict[int, tuple[float, float, float]]]:
    """Per modality and level: (minutes, planned load, main-part target CR-10) of a
    green-day, one-modality session, planned exactly as the patient's would be and averaged
    over a week of dates so the exercise rotation evens out.

    ``profile`` defaults to a patient with every band and a pool. The target is the mean of
    the main blocks' targets, which is what a logged session records. The coach scores its
    candidate levels at these doses, and the day-one model is trained on simulated logs at
    them. Levels at which this profile gets no session (equipment, a lesion) are left out.
    ``lighter``: the coach's lighter session at each level instead (``_eased``).
    """
    profile = profile or PatientProfile("other", bands_owned=BAND_COLOURS, pool_access=True)
    ladders: dict[str, dict] = {}
    for modality in modalities:
        prescription = Prescription((ModalityRange(modality, MIN_LEVEL, MAX_LEVEL, None, 7),))
        ladder = {}
        for level in range(MIN_LEVEL, MAX_LEVEL + 1):
            week = [
                plan_session(
                    on=on + timedelta(days=d),
                    prescription=prescription,
                    verdict=Verdict("green"),
                    levels={modality: level},
                    week=(),
                    catalog=catalog,
                    profile=profile,
                    lighter=frozenset({modality}) if lighter else frozenset(),
                )
                for d in range(7)
            ]
            blocks = [b for s in week for b in s.blocks]
            served = sum(1 for s in week if s.blocks)
            if not served:
                continue
            mains = [b.dose.target_rpe for b in blocks if b.part == "main"]
            minutes = sum(b.dose.minutes or 0.0 for b in blocks) / served
            load = sum(b.dose.nominal_load for b in blocks) / served
            target = sum(mains) / max(len(mains), 1)
            ladder[level] = (round(minutes, 1), round(load, 1), round(target, 2))
        if ladder:
            ladders[modality] = ladder
    return ladders
