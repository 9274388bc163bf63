"""The exercise content library: strict YAML loader, cross-checks and content hash.

The safety rules exclude exercises by their load tags, so a typo in a content file is a
safety problem, not a cosmetic one. The loader therefore refuses anything it does not
understand and reports every problem it finds in one go, so a physiotherapist can fix a
whole batch of edits in one pass.
"""

from __future__ import annotations

import hashlib
import pathlib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from backend.domain import records
from backend.domain import vocabulary as vocab

DEFAULT_CONTENT_ROOT = pathlib.Path(__file__).resolve().parents[2] / "content"

ROLES = ("warm_up", "main", "cool_down")
MIN_LADDER_LEVELS = 3
MIN_MAIN_PER_MODALITY = 3
# "Start low, go slow": one level up adds at most this factor of load.
MAX_RUNG_STEP = 1.35
# A weekly pattern repeats, so "never two days in a row" allows at most 3 sessions in 7 days.
MAX_NON_CONSECUTIVE_SESSIONS = 3
SEATED_POSITIONS = ("seated", "lying")
DOSE_STEP_FIELDS = ("minutes", "sets", "reps", "hold_seconds", "target_rpe")
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
MEDIA_PATTERN = r"^media/[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*$"


class ContentError(Exception):
    """The content library is invalid; `.problems` lists every problem found."""

    def __init__(self, problems: Iterable[str]):
        self.problems = list(problems)
        lines = "\n".join(f"- {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} content problem(s):\n{lines}")


# ---------- schemas: one file's shape and vocabulary ----------
class StrictFloat(fields.Float):
    """A number written as a number: "5" in quotes is a typo, not five."""

    def _validated(self, value: Any) -> float:
        if isinstance(value, str):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


class StrictBoolean(fields.Boolean):
    """Only `true` or `false`; YAML's yes/no/1/0 are too easy to write by accident."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def _one_of(choices: Iterable[str], what: str) -> validate.OneOf:
    return validate.OneOf(
        tuple(choices), error=f"'{{input}}' is not a known {what}; use one of: {{choices}}."
    )


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Must not be blank.")


def _no_repeats(items: list[Any]) -> None:
    if len(set(items)) != len(items):
        raise ValidationError("Items must not repeat.")


def _text(**kwargs: Any) -> fields.String:
    return fields.String(validate=_not_blank, **kwargs)


def _ref_list() -> fields.List:
    return fields.List(
        fields.String(validate=validate.Regexp(ID_PATTERN, error="Not a kebab-case exercise id.")),
        load_default=list,
        validate=_no_repeats,
    )


def _code_list(choices: Iterable[str], what: str, min_items: int) -> fields.List:
    return fields.List(
        fields.String(validate=_one_of(choices, what)),
        required=True,
        validate=[validate.Length(min=min_items), _no_repeats],
    )


def _texts(min_items: int) -> fields.List:
    return fields.List(_text(), required=True, validate=validate.Length(min=min_items))


class _StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class DoseSchema(_StrictSchema):
    target_rpe = StrictFloat(
        required=True, validate=validate.Range(0, 10), metadata={"description": "CR-10 effort"}
    )
    minutes = StrictFloat(
        required=True,
        validate=validate.Range(min=0, max=180, min_inclusive=False),
        metadata={"description": "how long the block takes; sRPE load = minutes x target_rpe"},
    )
    sets = fields.Integer(strict=True, validate=validate.Range(min=1, max=20))
    reps = fields.Integer(strict=True, validate=validate.Range(min=1, max=100))
    hold_seconds = fields.Integer(strict=True, validate=validate.Range(min=1, max=600))
    band = fields.String(validate=_one_of(vocab.BAND_COLOURS, "band colour"))


class LevelSchema(_StrictSchema):
    level = fields.Integer(
        strict=True, required=True, validate=validate.Range(vocab.MIN_LEVEL, vocab.MAX_LEVEL)
    )
    description = _text(required=True)
    dose = fields.Nested(DoseSchema, required=True)


class ExerciseSchema(_StrictSchema):
    id = fields.String(required=True, validate=validate.Regexp(ID_PATTERN, error="Not kebab-case."))
    title = _text(required=True)
    modality = fields.String(required=True, validate=_one_of(vocab.MODALITIES, "modality"))
    position = fields.String(required=True, validate=_one_of(vocab.POSITIONS, "position"))
    equipment = _code_list(vocab.EQUIPMENT, "equipment", min_items=1)
    roles = _code_list(ROLES, "role", min_items=1)
    load_tags = _code_list(vocab.LOAD_TAGS, "load tag", min_items=0)
    instructions = _text(required=True)
    safety_cues = _texts(min_items=1)
    levels = fields.List(
        fields.Nested(LevelSchema),
        required=True,
        validate=validate.Length(min=MIN_LADDER_LEVELS, max=vocab.MAX_LEVEL),
    )
    regressions = _ref_list()
    progressions = _ref_list()
    seated_variant = fields.String(
        validate=validate.Regexp(ID_PATTERN, error="Not a kebab-case exercise id.")
    )
    media = fields.List(
        fields.String(validate=validate.Regexp(MEDIA_PATTERN, error="Must look like media/x.mp4.")),
        load_default=list,
    )
    sources = _texts(min_items=1)


class ModalityTemplateSchema(_StrictSchema):
    modality = fields.String(required=True, validate=_one_of(vocab.MODALITIES, "modality"))
    sessions_per_week_min = fields.Integer(
        strict=True, required=True, validate=validate.Range(min=0, max=7)
    )
    sessions_per_week_max = fields.Integer(
        strict=True, required=True, validate=validate.Range(min=1, max=7)
    )
    non_consecutive_days = StrictBoolean(load_default=False)


class RungSchema(_StrictSchema):
    level = fields.Integer(
        strict=True, required=True, validate=validate.Range(vocab.MIN_LEVEL, vocab.MAX_LEVEL)
    )
    minutes = StrictFloat(
        required=True, validate=validate.Range(min=0, max=120, min_inclusive=False)
    )
    target_rpe = StrictFloat(
        required=True, validate=validate.Range(min=0, max=10, min_inclusive=False)
    )


class FittSchema(_StrictSchema):
    sessions_per_week = fields.Integer(strict=True, required=True, validate=validate.Range(1, 7))
    minutes_per_week = StrictFloat(
        required=True, validate=validate.Range(min=0, min_inclusive=False)
    )
    min_rpe = StrictFloat(required=True, validate=validate.Range(min=0, max=10))


class LadderSchema(_StrictSchema):
    modality = fields.String(required=True, validate=_one_of(vocab.MODALITIES, "modality"))
    sources = _texts(min_items=1)
    fitt = fields.Nested(FittSchema, required=True)
    levels = fields.List(fields.Nested(RungSchema), required=True)


class ProgrammeSchema(_StrictSchema):
    id = fields.String(required=True, validate=validate.Regexp(ID_PATTERN, error="Not kebab-case."))
    title = _text(required=True)
    description = _text(required=True)
    sources = _texts(min_items=1)
    modalities = fields.List(
        fields.Nested(ModalityTemplateSchema), required=True, validate=validate.Length(min=1)
    )


# ---------- reading files ----------
# The libyaml parser is ~10x faster; the constructor (and so the safety) is SafeLoader's.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_SafeLoader):
    """SafeLoader that refuses duplicate keys (a second `load_tags:` would replace the first)."""


def _construct_unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict:
    loader.flatten_mapping(node)
    seen: set[str] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if not isinstance(key, str):
            continue  # the schema reports non-text keys as unknown fields
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}'", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping
)


def _content_files(root: pathlib.Path) -> list[tuple[str, pathlib.Path]]:
    """(relative posix path, path) of every file the loader reads, in a stable order."""
    paths = [*root.glob("exercises/**/*.yaml"), *root.glob("programmes/*.yaml")]
    paths += root.glob("ladders/*.yaml")
    return sorted((p.relative_to(root).as_posix(), p) for p in paths if p.is_file())


def _stray_files(root: pathlib.Path) -> list[str]:
    """.yml files would be silently skipped; say so instead."""
    folders = ("exercises/**", "programmes", "ladders")
    paths = [p for folder in folders for p in root.glob(f"{folder}/*.yml")]
    return sorted(p.relative_to(root).as_posix() for p in paths)


def _read_yaml(path: pathlib.Path, rel: str, problems: list[str]) -> dict | None:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except (OSError, UnicodeDecodeError) as error:
        problems.append(f"{rel}: cannot read the file ({error})")
        return None
    except yaml.YAMLError as error:
        problems.append(f"{rel}: not valid YAML ({' '.join(str(error).split())})")
        return None
    if not isinstance(data, dict):
        problems.append(f"{rel}: must be a mapping of `field: value` lines")
        return None
    return data


def _flatten(messages: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Turn marshmallow's nested error dict into (field path, message) pairs."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from _flatten(value, _join(path, key))
    elif isinstance(messages, list):
        for message in messages:
            yield from _flatten(message, path)
    else:
        yield path, str(messages)


def _join(path: str, key: Any) -> str:
    if isinstance(key, int):  # list items are shown counting from 1, like the level numbers
        return f"{path}[{key + 1}]"
    if key == "_schema":
        return path
    return f"{path}.{key}" if path else str(key)


def _load_with(schema: Schema, data: dict, rel: str, problems: list[str]) -> dict | None:
    try:
        return schema.load(data)
    except ValidationError as error:
        problems.extend(f"{rel}: {field}: {message}" for field, message in _flatten(error.messages))
        return None


# ---------- building records ----------
def _build_exercise(d: dict) -> records.Exercise:
    levels = tuple(
        records.Level(
            level=lv["level"], dose=records.Dose(**lv["dose"]), description=lv["description"]
        )
        for lv in d["levels"]
    )
    return records.Exercise(
        id=d["id"],
        title=d["title"].strip(),
        modality=d["modality"],
        position=d["position"],
        equipment=tuple(d["equipment"]),
        load_tags=frozenset(d["load_tags"]),
        instructions=d["instructions"].strip(),
        safety_cues=tuple(d["safety_cues"]),
        levels=levels,
        roles=frozenset(d["roles"]),
        regressions=tuple(d["regressions"]),
        progressions=tuple(d["progressions"]),
        seated_variant=d.get("seated_variant"),
        media=tuple(d["media"]),
        sources=tuple(d["sources"]),
    )


def _build_ladder(d: dict) -> records.DoseLadder:
    return records.DoseLadder(
        modality=d["modality"],
        rungs=tuple(records.Rung(**r) for r in d["levels"]),
        fitt=records.FittTarget(**d["fitt"]),
    )


def _build_programme(d: dict) -> records.ProgrammeTemplate:
    return records.ProgrammeTemplate(
        id=d["id"],
        title=d["title"].strip(),
        description=d["description"].strip(),
        modalities=tuple(records.ModalityTemplate(**m) for m in d["modalities"]),
    )


# ---------- checks on one exercise ----------
def _ladder_problems(ex: records.Exercise) -> list[str]:
    numbers = [lv.level for lv in ex.levels]
    if numbers != list(range(1, len(numbers) + 1)):
        return [
            f"levels: level numbers must run 1, 2, 3 ... with no gaps or repeats, got {numbers}"
        ]
    bands = [lv.dose.band for lv in ex.levels]
    if any(bands) and not all(bands):
        return ["levels: state a band colour at every level or at none"]
    problems: list[str] = []
    for lower, upper in zip(ex.levels, ex.levels[1:], strict=False):
        problems.extend(_step_problems(lower, upper))
    return problems


def _step_problems(lower: records.Level, upper: records.Level) -> list[str]:
    a, b = lower.dose, upper.dose
    where = f"levels: level {lower.level} -> {upper.level}"
    problems = []
    if b.nominal_load < a.nominal_load:
        problems.append(
            f"{where}: nominal load (minutes x target_rpe) drops from "
            f"{a.nominal_load:g} to {b.nominal_load:g}"
        )
    if a.band and b.band and _band_rank(b.band) < _band_rank(a.band):
        problems.append(f"{where}: band gets lighter ({a.band} -> {b.band})")
    if not _is_harder(a, b):
        problems.append(
            f"{where}: nothing gets harder; raise at least one of "
            "minutes, sets, reps, hold_seconds, band or target_rpe"
        )
    return problems


def _band_rank(band: str | None) -> int:
    return vocab.BAND_COLOURS.index(band) if band else -1


def _is_harder(a: records.Dose, b: records.Dose) -> bool:
    # A field first stated at the higher level counts as an increase (None is "zero").
    if _band_rank(b.band) > _band_rank(a.band):
        return True
    return any((getattr(b, name) or 0) > (getattr(a, name) or 0) for name in DOSE_STEP_FIELDS)


def _required_tags(ex: records.Exercise) -> dict[str, bool]:
    """Tags the position, modality, equipment or other tags imply (tag -> needed here)."""
    tags = ex.load_tags
    return {
        "weight_bearing": ex.position == "standing",
        "immersion": ex.position == "in_water" or ex.modality == "aquatic",
        "upper_limb_load": "shoulder_loading" in tags,
        "lower_limb_load": "hip_loading" in tags,
        "balance_challenge": ex.modality == "balance" and ex.position == "standing",
        "skin_friction": bool({"band", "pool_noodle", "flotation_belt"} & set(ex.equipment)),
        "floor_transfer": "mat" in ex.equipment,
    }


def _tag_problems(ex: records.Exercise) -> list[str]:
    """Tag rules the safety engine relies on; missing tags would let an exercise slip through."""
    tags, problems = ex.load_tags, []
    for tag, needed in _required_tags(ex).items():
        if needed and tag not in tags:
            problems.append(f"load_tags: must include '{tag}' ({_why(tag)})")
    if ex.modality == "aquatic" and ex.position != "in_water":
        problems.append("position: aquatic exercises are done 'in_water'")
    if "immersion" in tags and ex.position != "in_water":
        problems.append("position: an exercise tagged 'immersion' must be 'in_water'")
    if ex.position == "in_water" and "pool" not in ex.equipment:
        problems.append("equipment: an in-water exercise needs 'pool'")
    return problems


# ---------- words in the text that require a tag ----------
# The safety rules never read the text, so a movement the text describes must be in the tags.
# Tag -> the words and phrases that require it. Matched case-insensitively on whole words
# and phrases in the title, the instructions, every level description and every safety cue.
# Keep this table and the "second reader's checklist" in content/README.md in step (a test
# checks that the README lists every phrase).
TAG_KEYWORDS: dict[str, tuple[str, ...]] = {
    # hip_loading: squats, lunges, step-ups, sit-to-stand, tai chi stances
    "hip_loading": (
        "lunge", "lunges", "lunging", "squat", "squats", "squatting", "step up", "step-up",
        "step-ups", "steps up", "stepping up", "bow stance", "horse stance",
        "sitting on a tall horse", "sit to stand", "sit-to-stand", "bend your knees slightly",
        "weight moves forwards", "shift your weight onto it", "weight on the back leg",
        "weight on your back leg", "leg press", "knees apart", "leg out to the side",
        "leg swings", "swing your leg", "swing your outside leg",
    ),
    # spinal_flexion: forward bending, rounding, side bending, knee to chest
    "spinal_flexion": (
        "bend forward", "bend forwards", "bending forward", "bending forwards", "bent forward",
        "bent forwards", "bend far forward", "bend far forwards", "bend over", "bending over",
        "toe touch", "toe touches", "toe-touch", "toe-touches", "touch your toes",
        "touch your feet", "reach for your toes", "reach for your feet", "round your back",
        "rounding your back", "round your spine", "past your knee", "past your knees",
        "past the knee", "past the front knee", "hinge", "hinges", "hinging", "sit-up",
        "sit-ups", "curl up", "crunch", "crunches", "knee to chest", "knee to your chest",
        "knees to your chest", "knee towards your chest", "knees towards your chest",
        "slide your hands down", "hands slide down", "tuck your chin", "tucking your chin",
        "side bend", "side-bend", "bend to the side", "bend sideways", "tip one ear",
        "ear towards the shoulder", "back of that leg", "back of your leg",
        "back of your thigh", "behind the thigh", "hamstring stretch",
        "lean your upper body",
    ),
    # spinal_rotation: twisting the trunk, turning the head
    "spinal_rotation": (
        "twist", "twists", "twisting", "turn your head", "turning your head", "turn your waist",
        "turning your waist", "turn your upper body", "turning your upper body",
        "turn your chest", "turning your chest", "turn your trunk", "turn your shoulders",
        "look over one shoulder", "look over your shoulder", "rotate", "rotating", "rotation",
        "knee rolls",
    ),
    # spinal_extension: arching, leaning back
    "spinal_extension": (
        "arch", "arches", "arching", "arched", "back arch", "lean back", "leaning back",
        "lean backwards", "leaning backwards", "bend backwards", "bending backwards",
        "tip your head back", "look up at the ceiling",
        "lift your chest",
    ),
    # trunk_load: the named trunk-resistance exercises
    "trunk_load": (
        "woodchop", "pallof", "anti-twist", "brace your tummy", "brace your core",
        "push-down", "push down",
    ),
    # arm_weight_bearing: pushing up, leaning or bearing weight through the arms
    "arm_weight_bearing": (
        "push up with your hands", "pushing up with your hands", "push up with your arms",
        "pushing up with your arms", "push up through your arms", "push through your arms",
        "pushing through your arms", "push through your hands", "hands on the chair arms",
        "on the chair arms", "hands on the armrests", "on the armrests", "hands on the wall",
        "lean on", "leaning on", "push-up", "push-ups", "press-up", "press-ups", "wall push",
        "wall press", "all fours", "hands and knees", "weight through your arms",
        "weight through your hands", "bear weight",
    ),
    # overhead_reach: a hand or arm above shoulder height
    "overhead_reach": (
        "overhead", "above your head", "over your head", "above head height",
        "above shoulder height", "above your shoulders", "above the shoulders",
        "hold up the sky", "towards the sky", "to the sky", "face height", "forehead height",
        "head height", "eye level", "eye height", "past your ear", "reach up", "reaching up",
        "push one palm up", "arms forwards and up",
    ),
    # hands_behind_head: hands behind the head or neck
    "hands_behind_head": (
        "behind your head", "behind the head", "behind your neck", "behind the neck",
        "back of your head", "back of the head", "back of your neck", "back of the neck",
    ),
    # floor_transfer: down to or up from the floor, lying on a mat
    "floor_transfer": (
        "on the floor", "get down to the floor", "down to the floor", "down onto the floor",
        "get up from the floor", "up from the floor", "up off the floor", "lie on the floor",
        "lying on the floor", "sit on the floor", "sitting on the floor", "lie on a mat",
        "lying on a mat", "mat", "mats", "kneel", "kneels", "kneeling",
    ),
    # brisk_pace: brisk walking, fast stepping, jogging or running
    "brisk_pace": (
        "brisk", "briskly", "brisker", "fast pace", "faster pace", "quick pace", "quicker pace",
        "fast walking", "walk fast", "walk faster", "walk a little faster", "walking faster",
        "fast stepping", "step quickly", "quick steps", "fast steps", "at pace", "speed up",
        "power walking", "jog", "jogs", "jogging", "run", "runs", "running",
    ),
    # impact: hops, jumps, bounces, heel drops, jogging or running (on land)
    "impact": (
        "jog", "jogs", "jogging", "run", "runs", "running", "jump", "jumps", "jumping", "hop",
        "hops", "hopping", "skipping", "bounce", "bounces", "bouncing", "heel drop",
        "heel drops", "drop your heels", "drop the heels", "stamp", "stamping", "leap",
        "leaping",
    ),
    # breath_holding_risk: straining, holding the breath, hard pushing
    "breath_holding_risk": (
        "hold your breath", "holding your breath", "hold their breath", "holding their breath",
        "hold the breath", "push down hard", "pushing down hard", "push hard", "pushing hard",
        "press hard", "pressing hard", "squeeze hard", "squeezing hard", "bear down",
        "bearing down", "straining",
        "push-down", "push down",
    ),
    # skin_friction: bands, noodles, straps or belts on the skin
    "skin_friction": (
        "band", "bands", "noodle", "noodles", "strap", "straps", "belt", "belts", "grip hard",
        "grip tightly",
    ),
    # end_range_stretch: a stretch held at the end of range
    "end_range_stretch": (
        "feel a stretch", "to stretch", "each stretch", "hold the stretch",
        "holding the stretch", "stretches", "hamstring stretch", "calf stretch",
        "chest stretch", "chest opener",
    ),
}  # fmt: skip

# The same table read the other way: keyword -> every tag it requires ("jog" -> brisk_pace
# and impact).
TEXT_TAG_KEYWORDS: dict[str, tuple[str, ...]] = {
    keyword: tuple(tag for tag, phrases in TAG_KEYWORDS.items() if keyword in phrases)
    for keyword in dict.fromkeys(k for phrases in TAG_KEYWORDS.values() for k in phrases)
}

# Longer phrases that contain a keyword but are not the movement: a keyword inside one of
# these is not counted ("feet flat on the floor" is sitting, not a floor transfer).
KEYWORD_EXCEPTIONS: dict[str, tuple[str, ...]] = {
    "on the floor": (
        "feet flat on the floor", "feet on the floor", "foot on the floor",
        "foot flat on the floor", "heel on the floor", "heels on the floor",
        "heel flat on the floor", "heel resting on the floor", "toes on the floor",
    ),
}  # fmt: skip

# Water carries the body, so these tags are not required by words in in-water exercises
# ("deep-water running" lands on nothing); brisk_pace still is (write "at pace").
LAND_ONLY_TAGS = frozenset({"impact"})
LAND_ONLY_KEYWORDS = frozenset({"run", "runs", "running"})

# A keyword is skipped when one of these words is among the NEGATION_WINDOW words just
# before it, in the same part of a sentence (parts end at . ! ? ; : or a line break):
# "Don't hold your breath" forbids the movement, it does not describe it.
NEGATION_WORDS = ("don't", "dont", "do not", "never", "avoid", "no", "not", "without")
NEGATION_WINDOW = 6

_CLAUSE_END = re.compile(r"[.!?;:\n]")
_NEGATION = re.compile(
    r"\b(?:" + "|".join(re.escape(w) for w in NEGATION_WORDS) + r")\b", re.IGNORECASE
)


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    words = (re.escape(word) for word in phrase.split())
    return re.compile(r"(?<![\w-])" + r"\s+".join(words) + r"(?![\w-])", re.IGNORECASE)


_KEYWORD_PATTERNS = tuple(
    (keyword, _phrase_pattern(keyword), tags) for keyword, tags in TEXT_TAG_KEYWORDS.items()
)
# The first word of each keyword, case-folded: a keyword whose first word is not in the text
# cannot match, and a substring test is far cheaper than the pattern (every process start
# checks the whole library, so this is start-up time).
_FIRST_WORDS = tuple(keyword.split()[0].casefold() for keyword, _, _ in _KEYWORD_PATTERNS)
_EXCEPTION_PATTERNS = {
    keyword: tuple(_phrase_pattern(p) for p in phrases)
    for keyword, phrases in KEYWORD_EXCEPTIONS.items()
}


def _texts_of(ex: records.Exercise) -> Iterator[tuple[str, str]]:
    """(field path, text) of everything the patient reads, in file order."""
    yield "title", ex.title
    yield "instructions", ex.instructions
    for number, lv in enumerate(ex.levels, start=1):
        yield f"levels[{number}].description", lv.description
    for number, cue in enumerate(ex.safety_cues, start=1):
        yield f"safety_cues[{number}]", cue


def _is_negated(text: str, start: int) -> bool:
    clause_start = max((m.end() for m in _CLAUSE_END.finditer(text, 0, start)), default=0)
    words_before = text[clause_start:start].split()[-NEGATION_WINDOW:]
    return bool(_NEGATION.search(" ".join(words_before)))


def _is_exception(keyword: str, text: str, start: int, end: int) -> bool:
    return any(
        m.start() <= start and end <= m.end()
        for pattern in _EXCEPTION_PATTERNS.get(keyword, ())
        for m in pattern.finditer(text)
    )


def keyword_mentions(text: str, *, in_water: bool = False) -> list[tuple[str, str]]:
    """(keyword, tag) for every movement keyword in `text` that the text does not forbid.

    In reading order; where two keywords start at the same place, the longer comes first.
    """
    text = text.replace("\u2019", "'")
    folded = text.casefold()
    found = []
    for (keyword, pattern, tags), first_word in zip(_KEYWORD_PATTERNS, _FIRST_WORDS, strict=True):
        if first_word not in folded or (in_water and keyword in LAND_ONLY_KEYWORDS):
            continue
        for match in pattern.finditer(text):
            start, end = match.span()
            if _is_negated(text, start) or _is_exception(keyword, text, start, end):
                continue
            found.extend(
                (start, -len(keyword), keyword, tag)
                for tag in tags
                if not (in_water and tag in LAND_ONLY_TAGS)
            )
    return [(keyword, tag) for _, _, keyword, tag in sorted(found)]


def _text_tag_problems(ex: records.Exercise) -> list[str]:
    """A movement the text describes but the tags do not: one line per missing tag."""
    first: dict[str, tuple[str, str]] = {}
    # A tag the equipment or position already requires is reported once, by _tag_problems.
    reported = {tag for tag, needed in _required_tags(ex).items() if needed}
    in_water = ex.position == "in_water"
    for where, text in _texts_of(ex):
        for keyword, tag in keyword_mentions(text, in_water=in_water):
            if tag not in ex.load_tags and tag not in reported and tag not in first:
                first[tag] = (where, keyword)
    return [
        f"{where}: mentions '{keyword}', so load_tags must include '{tag}' "
        "(the safety rules read only the tags)"
        for tag, (where, keyword) in first.items()
    ]


def _why(tag: str) -> str:
    return {
        "weight_bearing": "every standing exercise is weight-bearing",
        "immersion": "every in-water exercise is immersion",
        "upper_limb_load": "shoulder_loading is resisted arm work",
        "lower_limb_load": "hip_loading is resisted leg work",
        "balance_challenge": "standing balance work challenges balance",
        "skin_friction": "a band, pool noodle or flotation belt presses or rubs on the skin",
        "floor_transfer": "a mat means getting down to and up from the floor",
    }[tag]


def _equipment_problems(ex: records.Exercise) -> list[str]:
    problems = []
    if "none" in ex.equipment and len(ex.equipment) > 1:
        problems.append("equipment: 'none' must stand alone")
    has_band_doses = any(lv.dose.band for lv in ex.levels)
    if ("band" in ex.equipment) != has_band_doses:
        # The planner matches a level's band colour against the bands a patient owns.
        problems.append("equipment: list 'band' exactly when the levels state band colours")
    if ex.modality == "resistance_band" and not has_band_doses:
        problems.append("levels: resistance-band exercises state a band colour at every level")
    return problems


def _exercise_problems(ex: records.Exercise, path: pathlib.Path) -> list[str]:
    problems = []
    if ex.id != path.stem:
        problems.append(f"id: '{ex.id}' must equal the file name '{path.stem}'")
    if path.parent.name != ex.modality:
        problems.append(
            f"modality: '{ex.modality}' must match the folder 'exercises/{path.parent.name}/'"
        )
    refs = [*ex.regressions, *ex.progressions, *filter(None, [ex.seated_variant])]
    if ex.id in refs:
        problems.append("regressions/progressions/seated_variant: must not point to itself")
    return (
        problems
        + _ladder_problems(ex)
        + _tag_problems(ex)
        + _text_tag_problems(ex)
        + _equipment_problems(ex)
    )


# ---------- checks across files ----------
def _reference_problems(
    exercises: dict[str, records.Exercise], rel_of: dict[str, str], known_ids: set[str]
) -> list[str]:
    problems = []
    for ex in exercises.values():
        for field_name in ("regressions", "progressions"):
            problems.extend(
                f"{rel_of[ex.id]}: {field_name}: '{ref}' is not an exercise id"
                for ref in getattr(ex, field_name)
                if ref not in known_ids
            )
        if ex.seated_variant:
            problems.extend(_seated_variant_problems(ex, exercises, rel_of[ex.id], known_ids))
    return problems


def _seated_variant_problems(
    ex: records.Exercise, exercises: dict[str, records.Exercise], rel: str, known_ids: set[str]
) -> list[str]:
    target = exercises.get(ex.seated_variant or "")
    if target is None:
        if ex.seated_variant in known_ids:
            return []  # the target file is invalid and already reported on its own
        return [f"{rel}: seated_variant: '{ex.seated_variant}' is not an exercise id"]
    problems = []
    if target.position not in SEATED_POSITIONS:
        problems.append(
            f"{rel}: seated_variant: '{target.id}' is '{target.position}', not seated or lying"
        )
    if target.modality != ex.modality:
        problems.append(
            f"{rel}: seated_variant: '{target.id}' is {target.modality}, not {ex.modality}"
        )
    return problems


def _main_count_problems(main_counts: dict[str, int]) -> list[str]:
    return [
        f"exercises/{modality}/: needs at least {MIN_MAIN_PER_MODALITY} exercises with role "
        f"'main', has {main_counts.get(modality, 0)}"
        for modality in vocab.MODALITIES
        if main_counts.get(modality, 0) < MIN_MAIN_PER_MODALITY
    ]


def _programme_problems(programme: records.ProgrammeTemplate, path: pathlib.Path) -> list[str]:
    problems = []
    if programme.id != path.stem:
        problems.append(f"id: '{programme.id}' must equal the file name '{path.stem}'")
    seen: set[str] = set()
    for number, m in enumerate(programme.modalities, start=1):
        where = f"modalities[{number}]"
        if m.modality in seen:
            problems.append(f"{where}.modality: '{m.modality}' is listed twice")
        seen.add(m.modality)
        if m.sessions_per_week_min > m.sessions_per_week_max:
            problems.append(
                f"{where}: sessions_per_week_min ({m.sessions_per_week_min}) is more than "
                f"sessions_per_week_max ({m.sessions_per_week_max})"
            )
        if m.non_consecutive_days and m.sessions_per_week_max > MAX_NON_CONSECUTIVE_SESSIONS:
            problems.append(
                f"{where}: at most {MAX_NON_CONSECUTIVE_SESSIONS} sessions a week fit on "
                "non-consecutive days"
            )
    return problems


# ---------- checks on one dose ladder ----------
def _ladder_file_problems(ladder: records.DoseLadder, path: pathlib.Path) -> list[str]:
    """Every level has a dose, each heavier than the last by small steps, up to FITT."""
    problems = []
    if ladder.modality != path.stem:
        problems.append(f"modality: '{ladder.modality}' must equal the file name '{path.stem}'")
    numbers = [r.level for r in ladder.rungs]
    if numbers != list(range(vocab.MIN_LEVEL, vocab.MAX_LEVEL + 1)):
        problems.append(
            f"levels: must be levels {vocab.MIN_LEVEL} to {vocab.MAX_LEVEL} in order, got {numbers}"
        )
        return problems
    for lower, upper in zip(ladder.rungs, ladder.rungs[1:], strict=False):
        if not lower.load < upper.load <= MAX_RUNG_STEP * lower.load:
            problems.append(
                f"levels[{upper.level}]: load {upper.load:g} must be above level {lower.level}'s "
                f"{lower.load:g} by at most {round(100 * (MAX_RUNG_STEP - 1))} %"
            )
    top, fitt = ladder.rungs[-1], ladder.fitt
    if (
        top.minutes * fitt.sessions_per_week < fitt.minutes_per_week
        or top.target_rpe < fitt.min_rpe
    ):
        problems.append(
            f"levels[{top.level}]: the top level ({top.minutes:g} min at CR-10 {top.target_rpe:g}) "
            f"x {fitt.sessions_per_week} sessions does not reach the FITT target "
            f"({fitt.minutes_per_week:g} min/week at CR-10 {fitt.min_rpe:g} or more)"
        )
    return problems


def _loaded(
    files: list[tuple[str, pathlib.Path]], folder: str, schema: Schema, problems: list[str]
) -> Iterator[tuple[str, pathlib.Path, dict]]:
    """(rel, path, validated data) of each file in ``folder`` that passes its schema."""
    for rel, path in files:
        if not rel.startswith(f"{folder}/"):
            continue
        data = _read_yaml(path, rel, problems)
        loaded = _load_with(schema, data, rel, problems) if data is not None else None
        if loaded is not None:
            yield rel, path, loaded


def _load_ladders(
    files: list[tuple[str, pathlib.Path]], problems: list[str], modalities: Iterable[str]
) -> dict[str, records.DoseLadder]:
    ladders: dict[str, records.DoseLadder] = {}
    for rel, path, loaded in _loaded(files, "ladders", LadderSchema(), problems):
        ladder = _build_ladder(loaded)
        problems.extend(f"{rel}: {p}" for p in _ladder_file_problems(ladder, path))
        ladders[ladder.modality] = ladder
    # A library without ladders serves its exercises' own doses; with any, every modality
    # needs one, so no level of one modality is secretly a different dose.
    for modality in sorted(set(modalities) - ladders.keys() if ladders else ()):
        problems.append(f"ladders/{modality}.yaml: missing: every modality needs a dose ladder")
    return dict(sorted(ladders.items()))


# ---------- the whole library ----------
@dataclass
class _Exercises:
    """What the exercise files hold: valid exercises plus what every file claims to be."""

    by_id: dict[str, records.Exercise] = field(default_factory=dict)
    rel_of: dict[str, str] = field(default_factory=dict)
    # Read from the raw YAML, so one broken file does not also cause "dangling reference"
    # or "too few main exercises" reports elsewhere.
    claimed_ids: set[str] = field(default_factory=set)
    main_counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def claim(self, data: dict | None, path: pathlib.Path) -> None:
        data = data or {}
        self.claimed_ids.add(data["id"] if isinstance(data.get("id"), str) else path.stem)
        roles, modality = data.get("roles"), data.get("modality")
        if isinstance(roles, list) and "main" in roles and isinstance(modality, str):
            self.main_counts[modality] += 1


def _load_exercises(files: list[tuple[str, pathlib.Path]], problems: list[str]) -> _Exercises:
    found = _Exercises()
    schema = ExerciseSchema()
    for rel, path in files:
        if not rel.startswith("exercises/"):
            continue
        data = _read_yaml(path, rel, problems)
        found.claim(data, path)
        loaded = _load_with(schema, data, rel, problems) if data is not None else None
        if loaded is None:
            continue
        ex = _build_exercise(loaded)
        problems.extend(f"{rel}: {p}" for p in _exercise_problems(ex, path))
        if ex.id in found.by_id:
            problems.append(f"{rel}: id: '{ex.id}' is already used by {found.rel_of[ex.id]}")
            continue
        found.by_id[ex.id], found.rel_of[ex.id] = ex, rel
    return found


def _load_programmes(
    files: list[tuple[str, pathlib.Path]], problems: list[str]
) -> dict[str, records.ProgrammeTemplate]:
    programmes: dict[str, records.ProgrammeTemplate] = {}
    rel_of: dict[str, str] = {}
    for rel, path, loaded in _loaded(files, "programmes", ProgrammeSchema(), problems):
        programme = _build_programme(loaded)
        problems.extend(f"{rel}: {p}" for p in _programme_problems(programme, path))
        if programme.id in programmes:
            problems.append(
                f"{rel}: id: '{programme.id}' is already used by {rel_of[programme.id]}"
            )
            continue
        programmes[programme.id], rel_of[programme.id] = programme, rel
    return programmes


def _load(root: pathlib.Path) -> tuple[records.Catalog | None, list[str]]:
    root = pathlib.Path(root)
    if not (root / "exercises").is_dir():
        return None, [f"{root}: no exercises/ folder here; is this the content root?"]
    problems = [
        f"{rel}: use the .yaml extension (.yml files are not read)" for rel in _stray_files(root)
    ]
    files = _content_files(root)
    found = _load_exercises(files, problems)
    programmes = _load_programmes(files, problems)
    ladders = _load_ladders(files, problems, found.main_counts)
    problems.extend(_reference_problems(found.by_id, found.rel_of, found.claimed_ids))
    problems.extend(_main_count_problems(found.main_counts))
    if not programmes:
        problems.append("programmes/: no programme templates found")
    if problems:
        return None, problems
    catalog = records.Catalog(
        exercises=dict(sorted(found.by_id.items())),
        programmes=dict(sorted(programmes.items())),
        version=content_version(root),
        ladders=ladders,
    )
    return catalog, []


def load_catalog(root: pathlib.Path = DEFAULT_CONTENT_ROOT) -> records.Catalog:
    """Load and cross-check the library under `root`; raise ContentError listing all problems."""
    catalog, problems = _load(root)
    if catalog is None:
        raise ContentError(problems)
    return catalog


def validate_content(root: pathlib.Path = DEFAULT_CONTENT_ROOT) -> list[str]:
    """Every problem in the library under `root`; an empty list when it is fine."""
    return _load(root)[1]


def content_version(root: pathlib.Path = DEFAULT_CONTENT_ROOT) -> str:
    """Hash of the content files (sorted paths + bytes): any edit changes it, nothing else does."""
    digest = hashlib.sha256()
    for rel, path in _content_files(pathlib.Path(root)):
        # Normalise line endings so a Windows checkout gives the same version.
        data = path.read_bytes().replace(b"\r\n", b"\n")
        digest.update(f"{rel}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()[:16]


# ---------- serialising ----------
def _dose_to_dict(dose: records.Dose) -> dict[str, Any]:
    return {
        "target_rpe": dose.target_rpe,
        "minutes": dose.minutes,
        "sets": dose.sets,
        "reps": dose.reps,
        "hold_seconds": dose.hold_seconds,
        "band": dose.band,
        "nominal_load": dose.nominal_load,
    }


def exercise_to_dict(ex: records.Exercise) -> dict[str, Any]:
    """A JSON-ready dict of an exercise (sets become sorted lists)."""
    return {
        "id": ex.id,
        "title": ex.title,
        "modality": ex.modality,
        "position": ex.position,
        "equipment": list(ex.equipment),
        "roles": sorted(ex.roles),
        "load_tags": sorted(ex.load_tags),
        "instructions": ex.instructions,
        "safety_cues": list(ex.safety_cues),
        "levels": [
            {"level": lv.level, "description": lv.description, "dose": _dose_to_dict(lv.dose)}
            for lv in ex.levels
        ],
        "regressions": list(ex.regressions),
        "progressions": list(ex.progressions),
        "seated_variant": ex.seated_variant,
        "media": list(ex.media),
        "sources": list(ex.sources),
    }


__all__ = [
    "DEFAULT_CONTENT_ROOT",
    "TAG_KEYWORDS",
    "TEXT_TAG_KEYWORDS",
    "ContentError",
    "content_version",
    "exercise_to_dict",
    "keyword_mentions",
    "load_catalog",
    "validate_content",
]
