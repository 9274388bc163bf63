"""A cohort of virtual patients under a simple rules policy, in process (no service).

The day-one population model learns from these logs (the service reaches them through its
``POPULATION_PRIOR`` setting, ``simulation.population:simulate_logs``), and the label bench
reads them with the hidden truth of every session (``truth=True``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from ml import MODALITIES
from ml.dataio import CANONICAL_COLUMNS, OPTIONAL_COLUMNS
from simulation.families import family as family_module


def level_dose(level: int) -> tuple[float, float]:
    """Nominal (minutes, CR-10 target) of a level in the simulator's generic ladder."""
    return 10.0 + 5.0 * level, min(2.5 + 0.5 * level, 7.0)


# Per modality, a session at each level (level 1 first): (minutes, planned load in AU,
# target CR-10 as a logged session records it: the mean of its main blocks' targets).
Ladders = Mapping[str, Sequence[tuple[float, float, float]]]


def simulate_logs(
    n_patients: int,
    days: int,
    seed: int,
    *,
    start: date = date(2024, 1, 1),
    explore: float = 0.3,
    ladders: Ladders | None = None,
    family: str = "banister",
    truth: bool = False,
) -> pd.DataFrame:
    """Canonical logs (with optional after-scores, plan, infusions) of a virtual cohort.

    Each patient trains on 3-5 fixed weekdays with one or two modalities under a simple
    traffic-light rule: +1 level after two tolerated sessions on target (at most weekly),
    hold on a small rise, -1 on a flare. With probability ``explore`` a session is done one
    level above or below the rule's level (the rule's own level is unchanged): logs of one
    deterministic rule only show the doses that rule picks after what it saw, so a model
    trained on them learns the rule's habits (a level below the last tolerated one follows
    a flare) instead of what a different dose would do. Starting levels are spread over the
    lower three quarters of the ladder for the same reason: a rule that starts everyone at
    level 1 never shows what level 6 does.

    ``ladders``: the session dose at each level per modality (the service passes its
    library's, so the day-one model learns the doses it will be asked about: a tai chi level
    is a few AU, a walking level tens); without it every modality uses ``level_dose``.
    ``family``: the physiology (``simulation.families``); ``truth`` adds the hidden
    ``true_flare`` of every logged session (never for training: the model must not read it).
    """
    fam = family_module(family)
    rows: list[dict] = []
    for i in range(n_patients):
        seq = np.random.SeedSequence([seed, i])
        rng = np.random.default_rng(seq)
        params = fam.PatientParams.sample(rng)
        patient = fam.VirtualPatient(int(seq.generate_state(1)[0]), params)
        pid = f"sim{seed}_{i:05d}"
        weekdays = set(rng.choice(7, size=int(rng.integers(3, 6)), replace=False).tolist())
        offered = sorted(ladders) if ladders else MODALITIES
        modalities = list(rng.choice(offered, size=int(rng.integers(1, 3)), replace=False))
        levels = {m: int(rng.integers(1, 7)) for m in modalities}
        good_streak = dict.fromkeys(modalities, 0)
        last_raise = dict.fromkeys(modalities, -99)
        recent: list[float] = []  # reported fatigue, for the rule's own baseline
        phase = (
            "chemotherapy" if params.chemo_cycle else str(rng.choice(["none", "post_treatment"]))
        )
        pending: tuple[str, float] | None = None  # (modality, morning fatigue) of yesterday
        for day in range(days):
            row: dict = {"patient_id": pid, "date": start + timedelta(days=day)}
            checked = patient.checks_in(day)
            fatigue, pain = patient.morning_check_in(day)
            if checked:
                row.update(fatigue=fatigue, pain=pain)
            if pending and checked:  # yesterday's session: apply the traffic light
                mod, _ = pending
                base = float(np.median(recent[-14:])) if recent else fatigue
                if fatigue >= base + 2:
                    levels[mod] = max(1, levels[mod] - 1)
                    good_streak[mod] = 0
                elif fatigue >= base + 1:
                    good_streak[mod] = 0
                else:
                    good_streak[mod] += 1
                    if good_streak[mod] >= 2 and day - last_raise[mod] >= 7 and levels[mod] < 8:
                        levels[mod] += 1
                        last_raise[mod] = day
                        good_streak[mod] = 0
            pending = None
            if checked:
                recent.append(fatigue)
            if patient.infusion_on(day):
                row["infusion"] = 1
            if day % 7 in weekdays:
                mod = modalities[(day // 7 + day) % len(modalities)]
                level = levels[mod]
                if rng.random() < explore:
                    level = int(np.clip(level + rng.choice([-1, 1]), 1, 8))
                if ladders:
                    minutes, planned, target = ladders[mod][level - 1]
                else:
                    minutes, target = level_dose(level)
                    planned = minutes * target
                # the patient feels the session's load-weighted effort (warm-up included)
                log = patient.perform(day, planned, level, mod, target_rpe=planned / minutes)
                if log is not None:
                    if log["stopped_early"]:
                        levels[mod] = max(1, levels[mod] - 1)
                        good_streak[mod] = 0
                    row.update(
                        session_minutes=log["minutes"],
                        session_rpe=log["session_rpe"],
                        rpe_scale="cr10",
                        completed=int(log["completed"]),
                        stopped_early=int(log["stopped_early"]),
                        modality=mod,
                        level=level,
                        target_rpe=target,
                        planned_load=planned,
                        fatigue_after=log["fatigue_after"] if checked else None,
                        pain_after=log["pain_after"] if checked else None,
                    )
                    if truth:
                        row["true_flare"] = float(log["true_flare"])
                    pending = (mod, fatigue)
            if len(row) > 2:
                row["treatment_phase"] = phase
                rows.append(row)
    columns = list(CANONICAL_COLUMNS) + [
        c
        for c in OPTIONAL_COLUMNS
        if c
        in (
            "fatigue_after",
            "pain_after",
            "target_rpe",
            "planned_load",
            "infusion",
            "treatment_phase",
        )
    ]
    if truth:
        columns.append("true_flare")
    frame = pd.DataFrame(rows, columns=columns)
    return _typed(frame)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Typed canonical logs without the string round trip (the simulator's rows are valid)."""
    out = frame.copy()
    out["date"] = pd.to_datetime(out["date"])
    for col in out.columns:
        if col in ("patient_id", "date"):
            continue
        if col in ("rpe_scale", "modality", "treatment_phase"):
            out[col] = out[col].fillna("").astype(str)
        else:
            out[col] = pd.to_numeric(out[col]).astype(float)
    out["session_load"] = out["session_minutes"] * out["session_rpe"]
    out["session_rpe_raw"] = out["session_rpe"]
    out["has_session"] = out["session_load"].notna()
    return out




def library_ladders(root: Path | None = None) -> dict[str, list[tuple[float, float, float]]]:
    """The exercise library's session doses per level, as the service gives ``simulate_logs``
    (``content/`` of this checkout by default)."""
    from backend.services import content, training

    catalog, _ = content.load(root or Path(__file__).resolve().parents[1] / "content")
    return training.prior_ladders(catalog)
