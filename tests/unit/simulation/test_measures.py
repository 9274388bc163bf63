"""The harness's programme measures on a hand-made cohort (no service needed)."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from simulation.harness import START, _Patient, _programme_measures


class _Stays:
    def engaged(self, day: int) -> bool:
        return True


class _Left:
    def engaged(self, day: int) -> bool:
        return day < 10


def _patient(index, virtual, modality, start, final, sessions, flare_every=0, rpe=4.0, minutes=30):
    rows = []
    for k in range(sessions):
        on = START + timedelta(days=2 * k)
        flare = float(bool(flare_every) and k % flare_every == 0)
        rows.append(
            {
                "patient_id": index,
                "date": on,
                "fatigue": 3.0,
                "pain": 2.0,
                "session_minutes": float(minutes),
                "session_rpe": rpe,
                "session_load": minutes * rpe,
                "modality": modality,
                "true_flare": flare,
            }
        )
    body = {"prescription": {"modalities": [{"modality": modality, "start_level": start}]}}
    return _Patient(
        index=index,
        body=body,
        virtual=virtual,
        zone=ZoneInfo("UTC"),
        rows=rows,
        final_levels={modality: final},
    )


def test_progress_counts_only_patients_who_tolerate_the_modality():
    cohort = [
        _patient(0, _Stays(), "walking_aerobic", 1, 3, 10),  # tolerates, +2: progressed
        _patient(1, _Stays(), "balance", 2, 3, 10),  # tolerates, +1: not progressed
        _patient(2, _Left(), "walking_aerobic", 1, 1, 10, flare_every=2),  # half flares
    ]
    r = _programme_measures(cohort, weeks=3)
    assert r["tolerating_patients"] == 2 and r["progressed_share"] == 0.5
    assert r["drop_outs"] == 1
    assert r["true_flares_per_100"] == round(100 * 5 / 30, 2)


def test_the_fitt_target_needs_150_moderate_minutes_a_week():
    # 10 sessions every other day over 3 weeks (all in the window): 3.3 a week
    hard = _patient(0, _Stays(), "walking_aerobic", 1, 1, 10, minutes=50)  # ~167 min/week
    light = _patient(1, _Stays(), "walking_aerobic", 1, 1, 10, minutes=50, rpe=2.0)
    short = _patient(2, _Stays(), "walking_aerobic", 1, 1, 10, minutes=30)  # ~100 min/week
    assert _programme_measures([hard], weeks=3)["fitt_share"] == 1.0
    assert _programme_measures([light, short], weeks=3)["fitt_share"] == 0.0
