from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest

from ml.labels import LabelConfig, flare_labels, flare_rules

from ._builders import logs_from_rows

D0 = date(2024, 3, 1)


def day(i: int) -> str:
    return (D0 + timedelta(days=i)).isoformat()


def history(fatigue=3, pain=2, days=14) -> list[dict]:
    """Two weeks of steady check-ins (days 0..13)."""
    return [
        {"patient_id": "p", "date": day(i), "fatigue": fatigue, "pain": pain} for i in range(days)
    ]


def session(i: int, **extra) -> dict:
    row = {"patient_id": "p", "date": day(i), "fatigue": 3, "pain": 2, "session_load": 100}
    row.update(extra)
    return row


# The tests fix the settings that were chosen by simulation, so they test the rules.
CFG = LabelConfig(usual_sessions=10, usual_fatigue_rise=1.0, usual_pain_rise=0.0)


def label_of(rows, config=CFG, at=14) -> float:
    logs = logs_from_rows(rows)
    labels = flare_labels(logs, config)
    return labels[logs["date"] == np.datetime64(day(at))].iloc[0]


def nxt(i: int, fatigue=3, pain=2) -> dict:
    return {"patient_id": "p", "date": day(i), "fatigue": fatigue, "pain": pain}


def test_tolerated_when_next_day_is_at_baseline():
    assert label_of([*history(), session(14), nxt(15)]) == 0


def test_stopped_early_or_adverse_event_is_a_flare_even_without_next_checkin():
    assert label_of([*history(), session(14, stopped_early=1, completed=0)]) == 1
    logs = [*history(), {**session(14), "adverse_event": 1}, nxt(15)]
    assert label_of(logs) == 1


@pytest.mark.parametrize(
    ("score", "rise", "expected"),
    [("fatigue", 2, 1), ("fatigue", 1.5, 0), ("pain", 2, 1), ("pain", 1, 0), ("fatigue", 3, 1)],
)
def test_next_day_rise_against_14_day_median_baseline(score, rise, expected):
    base = {"fatigue": 3, "pain": 2}[score]
    nxt_row = nxt(15, **{score: base + rise})
    assert label_of([*history(), session(14), nxt_row]) == expected


def test_after_session_rise_boundary_against_the_population_default():
    # Fewer than 5 tolerated sessions: the usual rise is the default (fatigue +1, pain 0).
    rows = [*history(), {**session(14), "fatigue_after": 6}, nxt(15)]  # +3 = usual + 2
    assert label_of(rows) == 1
    rows = [*history(), {**session(14), "fatigue_after": 5.5}, nxt(15)]  # usual + 1.5
    assert label_of(rows) == 0
    rows = [*history(), {**session(14), "pain_after": 4}, nxt(15)]  # pain: usual 0, +2
    assert label_of(rows) == 1


def test_normal_post_exercise_tiredness_is_not_a_flare():
    """Two points more tired right after a session, fine the next morning: tolerated."""
    rows = [*history(), {**session(14), "fatigue_after": 5}, nxt(15)]
    assert label_of(rows) == 0


def test_the_first_version_of_the_label_called_that_tiredness_a_flare():
    rows = [*history(), {**session(14), "fatigue_after": 5}, nxt(15)]
    assert label_of(rows, LabelConfig.first_version()) == 1


def test_a_next_day_rise_is_a_flare_even_when_right_after_was_fine():
    rows = [*history(), {**session(14), "fatigue_after": 3}, nxt(15, fatigue=5)]
    assert label_of(rows) == 1


def test_a_next_morning_as_bad_as_the_sessions_own_morning_is_not_its_flare():
    # Baseline 3; the session day was already a 5 (e.g. a chemotherapy week) and so is the
    # next morning: 2 above the baseline, but the session changed nothing.
    rows = [*history(), session(14, fatigue=5), nxt(15, fatigue=5)]
    assert label_of(rows) == 0
    assert label_of(rows, replace(CFG, next_pre_rise=None)) == 1  # the baseline alone


def test_without_the_sessions_morning_the_baseline_alone_decides():
    rows = [*history(), {**session(14), "fatigue": None, "pain": None}, nxt(15, fatigue=5)]
    assert label_of(rows) == 1


def programme(rises: list[float], fatigue=3) -> list[dict]:
    """Sessions every other day from day 14 with these post-session fatigue rises, each
    followed by a next morning at baseline; returns the rows (last session at 14 + 2k)."""
    rows = history(fatigue=fatigue)
    for k, rise in enumerate(rises):
        d = 14 + 2 * k
        rows += [{**session(d), "fatigue": fatigue, "fatigue_after": fatigue + rise}]
        rows += [nxt(d + 1, fatigue=fatigue)]
    return rows


def test_a_post_session_rise_well_above_the_patients_usual_is_a_flare():
    # This patient usually ends a session 2.5 points more tired (5 tolerated sessions).
    usual = [2.5] * 5
    assert label_of(programme([*usual, 4.5]), at=24) == 1  # 2 above their usual
    assert label_of(programme([*usual, 3.5]), at=24) == 0  # 1 above: their normal tiredness
    assert label_of(programme([*usual, 3.5]), LabelConfig.first_version(), at=24) == 1


def test_the_usual_rise_needs_5_tolerated_sessions_then_replaces_the_default():
    # 4 earlier sessions at +2.5: still the default (+1), so +3.5 is a flare;
    assert label_of(programme([2.5] * 4 + [3.5]), at=22) == 1
    # with 5 the patient's own median (+2.5) is the usual, and +3.5 is tolerated.
    assert label_of(programme([2.5] * 5 + [3.5]), at=24) == 0


def test_only_sessions_tolerated_the_next_morning_set_the_usual_rise():
    # Five big rises that were flares (next day +3) never make a big rise "usual".
    rows = history()
    for k in range(5):
        d = 14 + 2 * k
        rows += [{**session(d), "fatigue_after": 7}, nxt(d + 1, fatigue=6)]
    rows += [{**session(24), "fatigue_after": 6}, nxt(25)]
    assert label_of(rows, at=24) == 1


def test_a_patient_whose_normal_tiredness_is_above_the_default_gets_their_own_usual():
    # Every session +3 right after, fine every next morning. The first five are flagged
    # against the default (+1), but the next morning says they were tolerated, so they set
    # this patient's usual (+3), and from the sixth on +3 is their normal: tolerated.
    rows = programme([3] * 6)
    assert label_of(rows, at=14) == 1
    assert label_of(rows, at=24) == 0


def test_the_usual_rise_is_floored_at_zero():
    # A patient who usually feels a point better after a session: +2 is 3 above their usual,
    # but never a stricter bar than 2 above the morning... which +2 meets; +1.5 does not.
    usual = [-1, -1, -1, -1, -1]
    assert label_of(programme([*usual, 1.5]), at=24) == 0
    assert label_of(programme([*usual, 2]), at=24) == 1


def test_the_usual_rise_window_is_configuration():
    rises = [0] * 5 + [1.5] * 5  # all tolerated
    # the last 10: median 0.75, so +3 is 2.25 above; the last 5: median 1.5, 1.5 above
    assert label_of(programme([*rises, 3]), at=34) == 1
    assert label_of(programme([*rises, 3]), replace(CFG, usual_sessions=5), at=34) == 0


def test_the_usual_rise_is_per_patient():
    other = [{**r, "patient_id": "q"} for r in programme([2.5] * 5 + [3.5])]
    # p has no history of big rises: +3 against the default is a flare, whatever q does
    rows = [*history(), {**session(14), "fatigue_after": 6}, nxt(15), *other]
    assert label_of(rows) == 1


def test_labels_are_per_patient():
    other = [{**r, "patient_id": "q", "fatigue": 9} for r in history()]
    rows = [*history(), session(14), nxt(15), *other]
    assert label_of(rows) == 0


def test_flare_rules_say_which_rule_fired():
    rows = [*history(), {**session(14), "pain_after": 5}, nxt(15, fatigue=6), nxt(16)]
    logs = logs_from_rows(rows)
    fired = flare_rules(logs, CFG)[logs["date"] == np.datetime64(day(14))].iloc[0]
    assert fired["label"] == 1
    assert (fired["stopped_or_adverse"], fired["next_day"], fired["after_session"]) == (
        False,
        True,
        True,
    )


def test_the_population_default_can_be_the_populations_own_usual_rise():
    # Three other patients always end a session 2.5 more tired and are fine the next day
    # (days 14-21); a new patient's first +3, on day 24, is then their population's normal.
    others = [{**r, "patient_id": f"o{n}"} for n in range(3) for r in programme([2.5] * 4)]
    rows = [*history(days=24), {**session(24), "fatigue_after": 6}, nxt(25), *others]
    assert label_of(rows, at=24) == 1  # against a default of +1
    assert label_of(rows, replace(CFG, usual_fatigue_rise=None), at=24) == 0


def test_the_population_default_never_reads_later_sessions():
    # The same others, but all after the new patient's session: nothing is known yet (0).
    later = [
        {**r, "patient_id": f"o{n}", "date": day(20 + i)}
        for n in range(3)
        for i, r in enumerate(programme([2.5] * 4)[14:])
    ]
    rows = [*history(), {**session(14), "fatigue_after": 5}, nxt(15), *later]
    assert label_of(rows, replace(CFG, usual_fatigue_rise=None)) == 1
