"""Plain dataclasses the domain functions take and return (no persistence, no framework)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


# ---------- content ----------
@dataclass(frozen=True)
class Dose:
    """A concrete dose at one level of an exercise's ladder."""

    target_rpe: float  # on the CR-10 scale (0-10), the scale sRPE uses
    minutes: float | None = None
    sets: int | None = None
    reps: int | None = None
    hold_seconds: int | None = None
    band: str | None = None  # a BAND_COLOURS entry

    @property
    def nominal_load(self) -> float:
        """Foster sRPE load (AU) this dose is expected to produce: minutes x CR-10."""
        return (self.minutes or 0.0) * self.target_rpe


@dataclass(frozen=True)
class Level:
    level: int  # 1-based, contiguous within an exercise
    dose: Dose
    description: str = ""


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    modality: str
    position: str
    equipment: tuple[str, ...]
    load_tags: frozenset[str]
    instructions: str
    safety_cues: tuple[str, ...]
    levels: tuple[Level, ...]
    roles: frozenset[str] = frozenset({"main"})
    regressions: tuple[str, ...] = ()
    progressions: tuple[str, ...] = ()
    seated_variant: str | None = None
    media: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    def dose_at(self, level: int) -> Level:
        """The ladder step for a modality level, clipped to this ladder's ends."""
        index = max(1, min(level, len(self.levels))) - 1
        return self.levels[index]


@dataclass(frozen=True)
class ModalityTemplate:
    modality: str
    sessions_per_week_min: int
    sessions_per_week_max: int
    non_consecutive_days: bool = False


@dataclass(frozen=True)
class ProgrammeTemplate:
    id: str
    title: str
    modalities: tuple[ModalityTemplate, ...]
    description: str = ""


@dataclass(frozen=True)
class Rung:
    """One level of a modality's dose ladder: the main work of one session of it."""

    level: int
    minutes: float
    target_rpe: float  # CR-10

    @property
    def load(self) -> float:
        """The level's planned sRPE load (AU): what every rotation day serves at it."""
        return self.minutes * self.target_rpe


@dataclass(frozen=True)
class FittTarget:
    """Where the ladder leads: this many minutes a week at this effort or more."""

    sessions_per_week: int
    minutes_per_week: float
    min_rpe: float


@dataclass(frozen=True)
class DoseLadder:
    """A modality's levels as doses, so a level means the same load whatever is rotated in."""

    modality: str
    rungs: tuple[Rung, ...]  # levels 1..n, contiguous
    fitt: FittTarget

    def load_at(self, level: int) -> float:
        """The level's load, clipped to the ladder's ends like ``Exercise.dose_at``."""
        return self.rungs[max(1, min(level, len(self.rungs))) - 1].load


@dataclass(frozen=True)
class Catalog:
    exercises: dict[str, Exercise]
    programmes: dict[str, ProgrammeTemplate]
    version: str  # content hash
    # Per modality; a modality without one serves its exercises' own doses.
    ladders: dict[str, DoseLadder] = field(default_factory=dict)


# ---------- the patient ----------
@dataclass(frozen=True)
class Lesion:
    site: str  # a LESION_SITES code
    side: str | None = None  # left | right | None
    mirels: int | None = None  # long bones, 4-12
    sins: int | None = None  # spine, 0-18
    cleared_by_clinician: bool = False  # a high fracture-risk gate lifted by the team
    resistance_cleared: bool = False  # the physio cleared resistance work with this lesion


@dataclass(frozen=True)
class LabResult:
    name: str  # a LABS code
    value: float
    taken_on: date


@dataclass(frozen=True)
class TreatmentCalendar:
    infusions: tuple[date, ...] = ()
    radiotherapy: tuple[tuple[date, date], ...] = ()  # inclusive windows
    # Infusions the team marked high-dose IV chemotherapy (also listed in ``infusions``).
    high_dose_infusions: tuple[date, ...] = ()


@dataclass(frozen=True)
class PatientProfile:
    cancer_type: str
    lesions: tuple[Lesion, ...] = ()
    precautions: frozenset[str] = frozenset()
    surgery_date: date | None = None
    bands_owned: tuple[str, ...] = ()
    pool_access: bool = False
    allow_walking_with_pelvic_lesion: bool = False  # physio setting (domain §6 footnote)
    clearances: frozenset[str] = frozenset()  # vocabulary.CLEARANCES the care team gave


@dataclass(frozen=True)
class CheckIn:
    on: date
    fatigue: int  # 0-10, higher = worse
    pain: int  # 0-10, higher = worse
    sleep_quality: int | None = None  # 0-10, higher = better
    symptoms: frozenset[str] = frozenset()
    temperature_c: float | None = None
    pain_at_lesion: bool = False  # new or worse pain at a known lesion
    # Resting vital signs when the patient measured them (vocabulary.VITALS, their units).
    resting_hr: float | None = None  # beats per minute
    systolic_bp: float | None = None  # mmHg
    diastolic_bp: float | None = None  # mmHg
    spo2: float | None = None  # %
    glucose: float | None = None  # mmol/L

    def vitals(self) -> dict[str, float | None]:
        return {
            "resting_hr": self.resting_hr,
            "systolic_bp": self.systolic_bp,
            "diastolic_bp": self.diastolic_bp,
            "spo2": self.spo2,
            "glucose": self.glucose,
        }


@dataclass(frozen=True)
class Baseline:
    """The patient's own recent state (median of the last 14 days' check-ins)."""

    fatigue: float | None = None
    pain: float | None = None
    last_session_rpe_over_target: float | None = None  # CR-10 points above target
    # The pre-session scores of the last session done before today (next-day response, §9).
    pre_session_fatigue: float | None = None
    pre_session_pain: float | None = None
    # Earlier days' check-ins: (hours since it was sent, symptoms reported), for red flags that
    # count for a while after they were reported (rules.yaml red flag ``within_hours``).
    recent_symptoms: tuple[tuple[float, frozenset[str]], ...] = ()


@dataclass(frozen=True)
class CareTeamState:
    """What the care team has decided about earlier red flags (§5: held until cleared)."""

    held_since: date | None = None  # a holding red flag awaits a decision (or "pause")
    resumed_lighter_on: date | None = None  # the latest decision was "resume lighter"


# ---------- safety ----------
@dataclass(frozen=True)
class Reason:
    code: str
    message: str  # plain language for the patient
    source: str  # where the rule comes from
    severity: str  # green | amber | red
    quote: str = ""  # the source's own sentence the rule encodes


@dataclass(frozen=True)
class Verdict:
    status: str  # green | amber | red
    reasons: tuple[Reason, ...] = ()
    excluded_tags: frozenset[str] = frozenset()
    excluded_exercises: frozenset[str] = frozenset()
    excluded_modalities: frozenset[str] = frozenset()
    advice: str = ""
    rules_version: str = ""

    def allows(self, exercise: Exercise) -> bool:
        """True when nothing in this verdict excludes the exercise."""
        return not (
            exercise.id in self.excluded_exercises
            or exercise.modality in self.excluded_modalities
            or exercise.load_tags & self.excluded_tags
        )


# ---------- prescription and the day's session ----------
@dataclass(frozen=True)
class ModalityRange:
    modality: str
    min_level: int
    max_level: int
    locked_level: int | None = None
    sessions_per_week: int = 2


@dataclass(frozen=True)
class Prescription:
    modalities: tuple[ModalityRange, ...]
    auto_approve_band: int = 1  # steps up to this size apply without review
    rest_weekdays: frozenset[int] = frozenset()  # 0=Monday

    def range_for(self, modality: str) -> ModalityRange | None:
        return next((m for m in self.modalities if m.modality == modality), None)


@dataclass(frozen=True)
class Block:
    exercise_id: str
    title: str
    modality: str
    part: str  # warm_up | main | cool_down
    level: int
    dose: Dose
    substituted_for: str | None = None  # set when an amber day swapped the exercise


@dataclass(frozen=True)
class DailySession:
    on: date
    verdict: str
    blocks: tuple[Block, ...]
    explanation: str
    modalities: tuple[str, ...] = ()
    rest_day: bool = False
    substitutions: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (from, to)
    capped: tuple[str, ...] = ()  # modalities shortened to the weekly load cap

    @property
    def planned_load(self) -> float:
        return sum(b.dose.nominal_load for b in self.blocks)
