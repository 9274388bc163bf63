"""The Busso family: a second physiology behind the same interface as Banister's."""

import numpy as np
import pytest

from simulation.families import FAMILIES, family
from simulation.families.busso import PatientParams, VirtualPatient
from simulation.population import simulate_logs

CALM = {"chemo_cycle": None, "day_noise": 0.0, "skip_base": 1e-6, "attrition": 0.0}


def test_same_seed_same_patient_whatever_the_call_order():
    a, b = VirtualPatient(5), VirtualPatient(5)
    first = [a.morning_check_in(d) for d in range(30)]
    for d in range(30):
        b.checks_in(d)
        assert b.morning_check_in(d) == first[d] == b.morning_check_in(d)
    with pytest.raises(ValueError, match="in order"):
        a.morning_check_in(-5)


def test_both_families_offer_the_same_interface():
    for name, module in FAMILIES.items():
        assert family(name) is module
        vp = module.VirtualPatient(3, module.PatientParams.sample(np.random.default_rng(3)))
        assert isinstance(vp.checks_in(0), bool) and vp.engaged(0)
        log = vp.perform(1, 60, 2, "walking_aerobic")
        assert log is None or {"minutes", "session_rpe", "true_flare"} <= log.keys()
    with pytest.raises(ValueError, match="unknown family"):
        family("hill")


def test_normal_post_exercise_tiredness_resolves_by_the_next_morning():
    params = PatientParams(**CALM, usual_tiredness=2.5, report_noise=0.0)
    rested, worked = VirtualPatient(2, params), VirtualPatient(2, params)
    log = worked.perform(0, 0.8 * worked._morning(0).capacity, 2, "walking_aerobic")
    before, _ = worked.morning_check_in(0)
    assert log["fatigue_after"] - before >= 2  # tired right after ...
    assert log["true_flare"] is False  # ... and tolerated:
    gap = worked._morning(1).fatigue - rested._morning(1).fatigue
    assert 0 <= gap < 1.0  # next morning barely above a rest day


def test_an_overload_brings_a_delayed_flare_that_fades_over_days():
    params = PatientParams(**CALM)
    easy, hard = VirtualPatient(2, params), VirtualPatient(2, params)
    easy.perform(0, 40, 2, "balance")
    log = hard.perform(0, 1.45 * hard._morning(0).capacity, 6, "balance")
    assert log["true_flare"] is True
    gap = [hard._morning(d).fatigue - easy._morning(d).fatigue for d in (1, 2, 3, 8)]
    assert gap[0] > 1.5 and gap[1] > 0.5 * gap[0] and gap[3] < 0.3 * gap[0]


def test_the_fatigue_gain_grows_with_recent_load():
    """Busso's variable dose-response: the same session costs more after a heavy week."""
    params = PatientParams(**CALM)
    fresh, loaded = VirtualPatient(4, params), VirtualPatient(4, params)
    for d in range(6):
        loaded.perform(d, 0.9 * loaded._morning(d).capacity, 3, "walking_aerobic")
    cost = []
    for vp in (fresh, loaded):
        before = vp._g2
        vp._morning(6)
        vp.perform(6, 60, 3, "walking_aerobic")
        vp._morning(7)
        cost.append(vp._g2 - before * np.exp(-1 / params.tau2))
    assert cost[1] > 2 * cost[0]


def test_capacity_grows_with_chronic_load():
    params = PatientParams(**CALM)
    vp = VirtualPatient(4, params)
    start = vp._morning(0).capacity
    for d in range(0, 84, 2):
        vp.perform(d, 0.7 * vp._morning(d).capacity, 3, "walking_aerobic")
    assert vp._morning(90).capacity > 1.1 * start


@pytest.mark.parametrize("cycle", [14, 21, 28])
def test_chemotherapy_cycles_bring_a_fatigue_bump_after_each_infusion(cycle):
    params = PatientParams(**{**CALM, "chemo_cycle": cycle}, chemo_offset=1, chemo_peak=3.0)
    vp = VirtualPatient(1, params)
    true = [vp._morning(d).fatigue for d in range(2 * cycle + 1)]
    assert [d for d in range(2 * cycle) if vp.infusion_on(d)] == [1, 1 + cycle]
    assert 3 <= int(np.argmax(true[: cycle + 1])) <= 5
    assert max(true[cycle + 1 :]) > max(true[: cycle + 1])  # a little more every cycle


def test_an_under_reporter_shows_only_part_of_a_bad_day():
    bad = {**CALM, "chemo_cycle": 21, "chemo_offset": 0, "chemo_bump": 4.0, "report_noise": 0.0}
    honest = VirtualPatient(1, PatientParams(**bad))
    quiet = VirtualPatient(1, PatientParams(**bad, report_scale=0.5))
    assert quiet.morning_check_in(3)[0] < honest.morning_check_in(3)[0] - 1


def test_repeated_flares_lead_to_drop_out():
    params = PatientParams(**CALM, flare_dropout=0.3)
    dropped = 0
    for seed in range(20):
        vp = VirtualPatient(seed, params)
        for d in range(0, 42, 2):
            vp.perform(d, 2.0 * vp._morning(d).capacity, 6, "walking_aerobic")
        dropped += not vp.engaged(42)
        if not vp.engaged(42):
            assert not vp.checks_in(43) and vp.perform(43, 50, 1, "balance") is None
    assert dropped >= 15
    steady = VirtualPatient(0, PatientParams(**CALM))
    for d in range(0, 42, 2):
        steady.perform(d, 0.6 * steady._morning(d).capacity, 2, "walking_aerobic")
    assert steady.engaged(42)


def test_busso_logs_carry_the_truth_only_when_asked():
    logs = simulate_logs(6, 40, seed=3, family="busso", truth=True)
    sessions = logs[logs["has_session"]]
    assert set(sessions["true_flare"].unique()) <= {0.0, 1.0} and len(sessions) > 20
    assert "true_flare" not in simulate_logs(6, 40, seed=3, family="busso").columns
