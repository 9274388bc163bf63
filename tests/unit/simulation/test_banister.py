import io

import numpy as np
import pytest

from ml.dataio import read_logs, write_logs
from simulation.families.banister import PatientParams, VirtualPatient
from simulation.population import simulate_logs


def test_same_seed_same_patient_whatever_the_call_order():
    a, b = VirtualPatient(5), VirtualPatient(5)
    first = [a.morning_check_in(d) for d in range(30)]
    for d in range(30):  # b also asks other questions in between
        b.checks_in(d)
        assert b.morning_check_in(d) == first[d]
        assert b.morning_check_in(d) == first[d]  # idempotent
    with pytest.raises(ValueError, match="in order"):
        a.morning_check_in(-5)


def test_reports_are_on_the_0_10_scale():
    vp = VirtualPatient(3, PatientParams(base_fatigue=9.5, report_noise=3))
    for d in range(60):
        f, p = vp.morning_check_in(d)
        assert 0 <= f <= 10 and 0 <= p <= 10 and isinstance(f, int)


def test_chemo_fatigue_bump_peaks_three_days_after_infusion():
    params = PatientParams(chemo_cycle=21, chemo_offset=0, chemo_bump=3.0, day_noise=0.0)
    vp = VirtualPatient(1, params)
    true = [vp._morning(d).fatigue for d in range(10)]
    assert int(np.argmax(true)) == 3 and true[3] == pytest.approx(params.base_fatigue + 3.0)
    assert vp.infusion_on(0) and vp.infusion_on(21) and not vp.infusion_on(3)


def test_overreaching_brings_a_delayed_flare():
    params = PatientParams(chemo_cycle=None, day_noise=0.0, skip_base=1e-6)
    easy, hard = VirtualPatient(2, params), VirtualPatient(2, params)
    assert easy.perform(0, 60, 2, "balance") is not None
    hard_log = hard.perform(0, 300, 6, "balance")
    assert hard_log is not None and hard_log["session_rpe"] > 4
    gap = [hard._morning(d).fatigue - easy._morning(d).fatigue for d in (1, 2, 6)]
    assert gap[0] > 1.5 and gap[0] > gap[2]  # peaks the day after, then fades


def test_fitness_raises_capacity_over_weeks():
    params = PatientParams(chemo_cycle=None, day_noise=0.0, skip_base=1e-6)
    vp = VirtualPatient(4, params)
    start = vp._morning(0).capacity
    for d in range(0, 84, 2):
        vp.perform(d, 0.8 * vp._morning(d).capacity, 3, "walking_aerobic")
    assert vp._morning(90).capacity > 1.1 * start


def test_bad_days_are_skipped_and_unreported_more_often():
    params = PatientParams(base_fatigue=3, chemo_cycle=28, chemo_bump=4.0, chemo_offset=0)
    vp = VirtualPatient(9, params)
    missing = {"bump": [], "calm": []}
    skipped = {"bump": [], "calm": []}
    for d in range(28 * 60):
        phase = "bump" if 2 <= d % 28 <= 4 else "calm" if d % 28 >= 18 else None
        if phase:
            missing[phase].append(not vp.checks_in(d))
            skipped[phase].append(vp.perform(d, 20, 1, "mobility") is None)
    assert np.mean(missing["bump"]) > 2 * np.mean(missing["calm"])
    assert np.mean(skipped["bump"]) > 2 * np.mean(skipped["calm"])


def test_hidden_parameters_stay_hidden():
    vp = VirtualPatient(1, PatientParams(capacity=123.0))
    assert "123" not in repr(vp) and "capacity" not in repr(vp)


def test_simulated_logs_are_valid_canonical_csv():
    logs = simulate_logs(5, 60, seed=3)
    buf = io.StringIO()
    write_logs(logs, buf)
    again = read_logs(io.StringIO(buf.getvalue()))
    assert len(again) == len(logs) and again["patient_id"].nunique() == 5
    assert again["has_session"].sum() == logs["has_session"].sum()
    assert simulate_logs(5, 60, seed=3).equals(logs)


def test_simulated_logs_use_the_ladders_they_are_given():
    # The service passes its library's session doses, so the day-one model learns the loads
    # it will be asked about (a tai chi level is a few AU, a walking level tens).
    ladders = {
        "tai_chi_qigong": [(10.0 + lv, 20.0 + 10 * lv, 2.0) for lv in range(8)],
        "walking_aerobic": [(40.0 + 3 * lv, 120.0 + 25 * lv, 3.0 + 0.1 * lv) for lv in range(8)],
    }
    logs = simulate_logs(12, 60, seed=4, ladders=ladders)
    sessions = logs[logs["has_session"]]
    assert set(sessions["modality"]) <= set(ladders) and len(sessions) > 100
    for row in sessions.itertuples():
        _, planned, target = ladders[row.modality][int(row.level) - 1]
        assert row.planned_load == planned and row.target_rpe == target
    assert sessions["level"].nunique() >= 5  # starting levels spread over the ladder
