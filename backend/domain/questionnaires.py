"""Patient-reported outcome questionnaires: the ESAS-r, its wording and its scores.

Source of the wording and scoring: the Edmonton Symptom Assessment System - revised
(ESAS-r), Alberta Health Services, 2010 form; Watanabe SM, Nekolaichuk C, Beaumont C,
Johnson L, Myers J, Strasser F. "A multicenter study comparing two numerical versions of
the Edmonton Symptom Assessment System in palliative care patients." J Pain Symptom Manage
2011;41(2):456-468. The ESAS-r is in the public domain (free to use and reproduce; the
form asks only that its wording is kept). Each item is 0-10, 0 = "No ..." (for wellbeing
"Best"), 10 = "Worst possible ...". The Total Symptom Distress Score is the sum of the nine
items (0-90); "other problem" is optional and not in any sum. The physical (six items,
0-60) and emotional (two items, 0-20) sub-scores follow Watanabe et al.

Codes are stored and exchanged with the app: never renamed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

ESAS_R = "esas-r"
ESAS_R_VERSION = "2010"  # the Alberta Health Services revised form
ITEM_RANGE = (0, 10)
SOURCE = (
    "Edmonton Symptom Assessment System - revised (ESAS-r), Alberta Health Services 2010; "
    "Watanabe et al., J Pain Symptom Manage 2011;41(2):456-468. Public domain."
)
INSTRUCTION = "Please circle the number that best describes how you feel NOW."


@dataclass(frozen=True)
class Item:
    code: str
    least: str  # the label at 0
    most: str  # the label at 10
    meaning: str | None = None  # the form's own gloss, e.g. "Tiredness = lack of energy"


# In the form's order, with its labels.
ITEMS: tuple[Item, ...] = (
    Item("pain", "No Pain", "Worst Possible Pain"),
    Item("tiredness", "No Tiredness", "Worst Possible Tiredness", "Tiredness = lack of energy"),
    Item("drowsiness", "No Drowsiness", "Worst Possible Drowsiness", "Drowsiness = feeling sleepy"),
    Item("nausea", "No Nausea", "Worst Possible Nausea"),
    Item("lack_of_appetite", "No Lack of Appetite", "Worst Possible Lack of Appetite"),
    Item("shortness_of_breath", "No Shortness of Breath", "Worst Possible Shortness of Breath"),
    Item("depression", "No Depression", "Worst Possible Depression", "Depression = feeling sad"),
    Item("anxiety", "No Anxiety", "Worst Possible Anxiety", "Anxiety = feeling nervous"),
    Item(
        "wellbeing",
        "Best Wellbeing",
        "Worst Possible Wellbeing",
        "Wellbeing = how you feel overall",
    ),
)
OTHER = Item(
    "other", "No Other Problem", "Worst Possible Other Problem", "for example constipation"
)
ITEM_CODES = tuple(i.code for i in ITEMS)
PHYSICAL = ITEM_CODES[:6]
EMOTIONAL = ("depression", "anxiety")
TOTAL_MAX = len(ITEMS) * ITEM_RANGE[1]
LABELS = {i.code: i.least.removeprefix("No ").removeprefix("Best ") for i in (*ITEMS, OTHER)}


@dataclass(frozen=True)
class Scores:
    total: int  # Total Symptom Distress Score, 0-90
    physical: int  # 0-60
    emotional: int  # 0-20


def score(items: dict[str, int]) -> Scores:
    """The ESAS-r scores of one complete response (all nine items, each 0-10)."""
    missing = [c for c in ITEM_CODES if c not in items]
    if missing:
        raise ValueError(f"ESAS-r items missing: {', '.join(missing)}")
    low, high = ITEM_RANGE
    for code in ITEM_CODES:
        value = items[code]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"ESAS-r {code} must be a whole number {low}-{high}")
    return Scores(
        total=sum(items[c] for c in ITEM_CODES),
        physical=sum(items[c] for c in PHYSICAL),
        emotional=sum(items[c] for c in EMOTIONAL),
    )


def iso_week(on: date) -> tuple[int, int]:
    """(ISO year, ISO week) of a day: a patient answers once per Monday-to-Sunday week."""
    year, week, _ = on.isocalendar()
    return year, week
