"""The only bridge from the service layer to ml/: the model registry, training and decisions.

The data and model stack (numpy, pandas, scikit-learn, skops) is imported inside the functions
that use it, never at import: web workers and commands that neither decide nor train stay lean
(docs/architecture.md, item 46). ``warm_up`` loads the serving part once, before gunicorn forks.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import select, update

from backend.domain.planner import session_ladders
from backend.domain.vocabulary import MAX_LEVEL, MIN_LEVEL
from backend.extensions import db
from backend.models import ModelVersion
from backend.services import content
from ml.scales import borg_value_to_cr10

if TYPE_CHECKING:
    import pandas as pd

    from ml import policy as ml_policy
    from ml import recalibration as recal
    from ml.registry import ModelRefused

log = logging.getLogger(__name__)
MIN_TRAINING_ROWS = 500  # below this a model is more noise than signal
HOLDOUT = 0.2  # the latest fifth of each patient's sessions: the same evaluation for both models

_LOADED: dict[str, tuple | ModelRefused] = {}
_LOADING = threading.Lock()


def cr10(rpe: float, scale: str) -> float:
    """Effort on the CR-10 scale (Borg 6-20 mapped by ml.dataio's documented convention)."""
    if scale == "cr10":
        return float(rpe)
    return borg_value_to_cr10(rpe)


# ---------- the registry ----------
def model_dir() -> Path:
    return Path(current_app.config["MODEL_DIR"])


def active_row() -> ModelVersion | None:
    return db.session.scalar(select(ModelVersion).where(ModelVersion.active.is_(True)))


def active_model() -> tuple[object, dict, str] | None:
    """(pipeline, metadata, version) of the active model, or None: the rules policy serves then.

    A file that is corrupted, tampered with (its hash differs from the registry's record) or
    made by another scikit-learn or feature list is refused, logged, and never served.
    """
    row = active_row()
    if row is None:
        return None
    return model_of(row.version, row.file_sha256)


def active_model_outside_transaction() -> tuple[object, dict, str] | None:
    """``active_model`` for callers with nothing else to do in their transaction (health,
    warm-up): the registry read's transaction ends before the file is loaded, because on
    SQLite every transaction holds the write lock (BEGIN IMMEDIATE) and a first load takes
    seconds."""
    row = active_row()
    version, sha = (row.version, row.file_sha256) if row else (None, None)
    db.session.rollback()
    return model_of(version, sha) if version else None


def model_of(version: str, sha256: str) -> tuple[object, dict, str] | None:
    """The loaded model of a registry version (loaded once per process), or None if refused."""
    loaded = _LOADED.get(version)
    if loaded is None:
        with _LOADING:  # one thread loads; the others wait for it, not load a copy each
            loaded = _LOADED.get(version) or _load(version, sha256)
            _LOADED[version] = loaded
    if not isinstance(loaded, tuple):  # refused
        return None
    return loaded[0], loaded[1], version


def _load(version: str, sha256: str) -> tuple | ModelRefused:
    from ml.registry import ModelRefused, load_model

    try:
        model, meta = load_model(model_dir(), version)
        if meta.get("sha256") != sha256:
            raise ModelRefused("the model file differs from the registry's record")
        return model, meta
    except ModelRefused as refused:
        log.error("model %s refused: %s; the rule-based policy serves", version, refused.reason)
        return refused


def active_model_usable() -> bool:
    """Whether the active model would serve, told from its file when that suffices: the hash
    the registry recorded, the same scikit-learn, skops and feature list (``flask onward
    setup`` on a restart then imports no scikit-learn); otherwise by loading it."""
    from importlib.metadata import version as installed_version

    from ml.registry import ModelRefused, on_file_check

    row = active_row()
    if row is None:
        return False
    if row.version in _LOADED:
        return isinstance(_LOADED[row.version], tuple)
    try:
        meta = on_file_check(model_dir(), row.version)
    except ModelRefused as refused:
        log.error("model %s refused: %s", row.version, refused.reason)
        return False
    if meta.get("sha256") != row.file_sha256:
        log.error(
            "model %s refused: the model file differs from the registry's record", row.version
        )
        return False
    if meta.get("skops_version") != installed_version("skops"):
        return active_model() is not None  # another skops (or not recorded): only a load tells
    return True


def forget_loaded_models() -> None:
    """Drop the in-process caches (tests; an operator replacing files)."""
    _LOADED.clear()
    _CLINICS.clear()
    _TRAINED_UNTIL.clear()


def _promote(row: ModelVersion, now: datetime) -> None:
    """Make `row` the one active model in the same transaction (atomic switch)."""
    db.session.execute(
        update(ModelVersion).where(ModelVersion.active.is_(True)).values(active=False)
    )
    row.active = True
    row.promoted_at = now


def rollback(now: datetime) -> str:
    """Re-activate the previously promoted model; returns its version."""
    current = active_row()
    query = select(ModelVersion).where(ModelVersion.promoted_at.is_not(None))
    if current is not None:
        query = query.where(ModelVersion.version != current.version)
    previous = db.session.scalar(query.order_by(ModelVersion.promoted_at.desc()))
    if previous is None:
        raise LookupError("There is no earlier model to roll back to.")
    _promote(previous, now)
    db.session.commit()
    return previous.version


# ---------- training ----------
MIN_NEW_SESSIONS = 200  # fewer sessions since the active model cannot tell two models apart


def _holdout(
    rows: pd.DataFrame, active: ModelVersion | None
) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Training and test rows that neither model has seen the answers of.

    With an active model, the test rows are the sessions after its training data ended: it
    never saw them, and the candidate is trained only on what came before. When too little
    came before (the day-one model learnt from simulated logs dated before any patient here),
    the latest fifth of each patient's newer sessions is the test, the rest trains the
    candidate. Without an active model, the latest fifth of each patient's sessions.
    """
    import pandas as pd

    from ml.evaluate import forward_split

    if active is None:
        train_part, test_part = forward_split(rows, 1 - HOLDOUT)
        return train_part, test_part, "the latest fifth of each patient's sessions"
    dates = pd.to_datetime(rows["date"]).dt.date
    newer = dates > active.trained_until
    if (~newer).sum() >= MIN_TRAINING_ROWS:
        return rows[~newer], rows[newer], f"sessions after {active.trained_until}"
    earlier, test_part = forward_split(rows[newer], 1 - HOLDOUT)
    return (
        pd.concat([rows[~newer], earlier]),
        test_part,
        f"the latest fifth of each patient's sessions after {active.trained_until}",
    )


def train_and_maybe_promote(
    logs: pd.DataFrame,
    *,
    source: str,
    now: datetime,
    note: str | None = None,
    prior: pd.DataFrame | None = None,
) -> dict:
    """Train a candidate and promote it only if it is not worse than the active model on the
    same evaluation, on data neither has seen. Any failure leaves the active model untouched.

    ``prior``: logs that only ever *add* to the training rows (never to the evaluation, the
    data checks or ``trained_until``): the simulated population, see ``population_prior``.
    """
    import pandas as pd

    from ml.evaluate import metrics
    from ml.features import FEATURES, build_features, training_rows
    from ml.pipeline import KINDS, fit, make_pipeline, p_flare
    from ml.registry import read_metadata, save_model
    from ml.train import data_hash, reference_values, should_promote

    rows = training_rows(build_features(logs))
    if len(rows) < MIN_TRAINING_ROWS or rows["label"].nunique() < 2:
        return {"promoted": False, "reason": f"too little data ({len(rows)} labelled sessions)"}
    current = active_row()
    if current is not None and active_model() is None:
        # Its file is refused (damaged, another scikit-learn, another feature list): there is
        # nothing to compare against, and the rules serve until a usable model is promoted.
        log.warning("the active model %s cannot be loaded; training as if none", current.version)
        current = None
    train_part, test_part, tested_on = _holdout(rows, current)
    if current is not None and len(test_part) < MIN_NEW_SESSIONS:
        return {
            "promoted": False,
            "reason": f"too few new sessions since the active model ({len(test_part)})",
        }
    if test_part["label"].nunique() < 2 or train_part["label"].nunique() < 2:
        return {"promoted": False, "reason": "the evaluation sessions have only one outcome"}
    prior_rows = training_rows(build_features(prior)) if prior is not None else rows.iloc[:0]
    learn = pd.concat([train_part, prior_rows])
    scored = {}
    for kind in KINDS:
        candidate = fit(
            make_pipeline(kind, n_rows=len(learn)), learn[list(FEATURES)], learn["label"]
        )
        scored[kind] = metrics(test_part["label"], p_flare(candidate, test_part[list(FEATURES)]))
    kind = max(scored, key=lambda k: (round(scored[k]["auroc"], 4), -scored[k]["brier"]))
    active = active_model() if current is not None else None
    active_metrics = (
        metrics(test_part["label"], p_flare(active[0], test_part[list(FEATURES)]))
        if active
        else None
    )
    result = {
        "candidate": scored[kind],
        "active": active_metrics,
        "kind": kind,
        "rows": int(len(rows)),
        "tested_on": tested_on,
    }
    if not should_promote(scored[kind], active_metrics):
        return {
            **result,
            "promoted": False,
            "reason": "the candidate is worse than the active model",
        }
    everything = pd.concat([rows, prior_rows])
    final = fit(
        make_pipeline(kind, n_rows=len(everything)),
        everything[list(FEATURES)],
        everything["label"],
    )
    version = f"{now:%Y%m%dT%H%M%S}-{source}"
    save_model(
        final,
        model_dir(),
        version,
        created_at=now,
        training_data_hash=data_hash(logs),
        metrics=scored[kind],
        extra={
            "kind": kind,
            "source": source,
            "n_train": int(len(everything)),
            "n_prior": int(len(prior_rows)),
            "reference_values": reference_values(rows),
        },
    )
    try:
        row = ModelVersion(
            version=version,
            created_at=now,
            file_sha256=read_metadata(model_dir(), version)["sha256"],
            training_rows=int(len(rows)),
            trained_until=pd.to_datetime(rows["date"]).max().date(),
            source=source,
            metrics=scored[kind],
            auroc=scored[kind]["auroc"],
            brier=scored[kind]["brier"],
            note=note,
        )
        db.session.add(row)
        _promote(row, now)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        for suffix in (".skops", ".json", ".recalibration.json"):
            (model_dir() / f"{version}{suffix}").unlink(missing_ok=True)
        raise
    return {**result, "promoted": True, "version": version}


_PRIORS: dict[tuple, pd.DataFrame] = {}


def population_prior(patients: int = 300, days: int = 84, seed: int = 2026) -> pd.DataFrame | None:
    """Simulated logs of a virtual population at the library's doses, or None when the
    ``POPULATION_PRIOR`` setting names no source.

    The day-one model learns from them alone. Nightly retraining keeps them beside the
    clinic's own logs: a coach never randomises doses, so its logs confound the dose with the
    days it chose to progress on, while the simulated cohort's varied doses still show what a
    dose does (docs/architecture.md, item 21). Deterministic: kept per content version.
    """
    source = current_app.config.get("POPULATION_PRIOR") or ""
    if not source:
        return None
    catalog = content.current().catalog
    key = (source, catalog.version, patients, days, seed)
    if key not in _PRIORS:
        _PRIORS.clear()
        _PRIORS[key] = _simulated_population(_prior_source(source), catalog, patients, days, seed)
    return _PRIORS[key]


def _prior_source(spec: str) -> Callable[..., pd.DataFrame]:
    """The ``module:function`` the setting names (the simulation package by default)."""
    module, _, name = spec.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as error:
        raise RuntimeError(f"POPULATION_PRIOR {spec!r} cannot be loaded: {error}") from None


def _simulated_population(
    source: Callable[..., pd.DataFrame], catalog, patients: int, days: int, seed: int
) -> pd.DataFrame:
    return source(patients, days, seed, ladders=prior_ladders(catalog))


def prior_ladders(catalog) -> dict[str, list[tuple[float, float, float]]]:
    """The library's session dose at every level, per modality with a full ladder."""
    every_level = range(MIN_LEVEL, MAX_LEVEL + 1)
    return {
        modality: [ladder[level] for level in every_level]
        for modality, ladder in session_ladders(catalog).items()
        if all(level in ladder for level in every_level)
    }


def bootstrap_population_model(
    now: datetime, patients: int = 300, days: int = 84, seed: int = 2026
) -> dict:
    """A fresh install's day-one model, trained on simulated logs at the library's doses
    (replaced once real logs exist); also when the active model's file can no longer be
    loaded (e.g. after a feature change)."""
    if active_model_usable():
        return {"promoted": False, "reason": "a model is already active"}
    prior = population_prior(patients, days, seed)
    if prior is None:
        return {"promoted": False, "reason": "no population prior is configured"}
    return train_and_maybe_promote(
        prior,
        source="simulated",
        now=now,
        note="population model from simulated logs",
    )


# ---------- decisions ----------
def features_row(records: Sequence[dict]) -> tuple[dict, pd.DataFrame]:
    """Features of the last record (today: known before the session) and of every record."""
    import numpy as np

    from ml.dataio import typed_logs
    from ml.features import build_features

    # The history was validated when it was stored: the typed fast path, not the CSV checks.
    feats = build_features(typed_logs(list(records)))
    last = feats.iloc[-1].to_dict()
    return {
        k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in last.items()
    }, feats


def decide(inp: ml_policy.DecisionInput, policy: str) -> ml_policy.Decision:
    from ml import policy as ml_policy

    cfg = current_app.config
    config = ml_policy.PolicyConfig(
        theta=cfg["ADAPTATION_THETA"],
        theta_floor=cfg["ADAPTATION_THETA_FLOOR"],
        max_excess_risk=cfg["ADAPTATION_MAX_EXCESS_RISK"],
        max_excess_risk_hold=cfg["ADAPTATION_MAX_EXCESS_RISK_HOLD"],
        lighter_risk_bar=cfg["ADAPTATION_LIGHTER_RISK"],
        progress_after=cfg["ADAPTATION_PROGRESS_AFTER"],
        max_step_risk=cfg["ADAPTATION_MAX_STEP_RISK"],
    )
    return ml_policy.decide(inp, policy=policy, config=config)


_POLICY_TYPES = ("DecisionInput", "ModalityState", "LevelRange", "SessionOutcome")


def __getattr__(name: str):
    # The coach's input types (training.DecisionInput, ...) and training.FEATURES resolve on
    # first use, so importing this module does not import the model stack.
    if name in _POLICY_TYPES:
        from ml import policy as ml_policy

        return getattr(ml_policy, name)
    if name == "FEATURES":
        from ml.features import FEATURES

        return FEATURES
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def warm_up() -> None:
    """Import what deciding needs and load the active model (gunicorn's master, before it
    forks, so every worker shares one copy; docs/architecture.md, item 46)."""
    import ml.policy  # noqa: F401 - features, pipeline and the policy the coach calls

    active_model_outside_transaction()


def database_logs(now: datetime, days: int = 365) -> pd.DataFrame:
    """Every patient's last `days` of check-ins and logged sessions as canonical typed logs."""
    import pandas as pd

    from backend.models import Patient
    from backend.services import history  # history builds on this module's cr10
    from ml.dataio import parse_logs

    patients = list(db.session.scalars(select(Patient)))
    end = now.date()
    rows = (
        history.records(patients, end - pd.Timedelta(days=days).to_pytimedelta(), end)
        if patients
        else []
    )
    return parse_logs(
        pd.DataFrame.from_records(rows, columns=list(_RECORD_COLUMNS)), source="database"
    )


_RECORD_COLUMNS = (
    "patient_id", "date", "fatigue", "pain", "session_minutes", "session_rpe", "rpe_scale", "session_load",
    "completed", "stopped_early", "modality", "level", "infusion", "met_bone", "met_visceral", "met_brain",
    "sleep_quality", "adverse_event", "fatigue_after", "pain_after", "target_rpe", "planned_load",
)  # fmt: skip


def retrain_nightly(now: datetime) -> dict:
    """The scheduler's nightly job: retrain on the clinic's own logs, promote only if not worse,
    then refit the active model's online recalibration (when it is on)."""
    logs = database_logs(now)
    result = train_and_maybe_promote(
        logs, source="database", now=now, note="nightly retraining", prior=population_prior()
    )
    if recalibration_enabled():
        try:
            fitted = refit_recalibration(now, logs)
            result["recalibration"] = fitted.as_dict() if fitted else None
        except Exception:  # the new model (if any) is committed; the last fit keeps serving
            log.exception("online recalibration refit failed; the previous fit serves")
            result["recalibration"] = "failed"
    log.info(
        "nightly retraining: %s",
        {
            k: v
            for k, v in result.items()
            if k in ("promoted", "reason", "version", "rows", "recalibration")
        },
    )
    return result


# ---------- online recalibration (docs/architecture.md, item 50) ----------
STATUS_DAYS = 90  # `ml status` judges calibration on the last 90 days' labelled sessions


def recalibration_enabled() -> bool:
    return bool(current_app.config.get("ONLINE_RECALIBRATION", True))


def unseen_rows(feats: pd.DataFrame, trained_until, today) -> pd.DataFrame:
    """Labelled sessions the model never learnt from (after ``trained_until``) whose label is
    final by the morning of ``today``: recalibration measures the model's error, not its memory."""
    import pandas as pd

    from ml.features import training_rows
    from ml.labels import LabelConfig

    known_after = LabelConfig().known_after_days  # a label is final that many mornings later
    rows = training_rows(feats)
    dates = pd.to_datetime(rows["date"])
    keep = dates + pd.Timedelta(days=known_after) <= pd.Timestamp(today)
    if trained_until is not None:
        keep &= dates > pd.Timestamp(trained_until)
    return rows[keep]


def refit_recalibration(now: datetime, logs: pd.DataFrame) -> recal.Recalibration | None:
    """Fit the clinic's intercept, slope and patient prior on sessions after the active model's
    training data, and store it beside the model's files; None when no model is served."""
    from ml import recalibration as recal
    from ml.features import FEATURES, build_features
    from ml.pipeline import p_flare
    from ml.registry import save_recalibration

    active, row = active_model(), active_row()
    if active is None or row is None:
        return None
    # the night's labels: sessions up to the day before yesterday are final before the morning
    rows = unseen_rows(build_features(logs), row.trained_until, now.date() - _ONE_DAY)
    fitted = (
        recal.fit_clinic(
            rows["label"].to_numpy(),
            recal.logit(p_flare(active[0], rows[list(FEATURES)])),
            rows["patient_id"].to_numpy(),
        )
        if len(rows)
        else recal.IDENTITY
    )
    save_recalibration(
        model_dir(),
        row.version,
        {**fitted.as_dict(), "fitted_at": now.isoformat(), "after": str(row.trained_until)},
    )
    return fitted


_ONE_DAY = timedelta(days=1)
_CLINICS: dict[str, tuple[float, recal.Recalibration]] = {}


def clinic_recalibration(version: str) -> recal.Recalibration:
    """The version's nightly fit (re-read when the file changes: several workers), else none."""
    from ml import recalibration as recal
    from ml.registry import read_recalibration

    path = model_dir() / f"{version}.recalibration.json"
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return recal.IDENTITY
    cached = _CLINICS.get(version)
    if cached is None or cached[0] != mtime:
        cached = (mtime, recal.Recalibration.from_dict(read_recalibration(model_dir(), version)))
        _CLINICS[version] = cached
    return cached[1]


def patient_recalibration(active: tuple | None, feats: pd.DataFrame, today) -> tuple[float, float]:
    """(a, b) the coach serves this patient's P(flare) through: the clinic's nightly fit plus
    the patient's own intercept from their labelled sessions the model never learnt from."""
    from ml import recalibration as recal
    from ml.pipeline import p_flare_rows

    if active is None or not recalibration_enabled():
        return (0.0, 1.0)
    model, _, version = active
    clinic = clinic_recalibration(version)
    if version not in _TRAINED_UNTIL:  # fixed for a version: one query per process
        row = active_row()
        _TRAINED_UNTIL[version] = row.trained_until if row and row.version == version else None
    rows = unseen_rows(feats, _TRAINED_UNTIL[version], today)
    if rows.empty:
        return recal.coefficients(clinic)
    try:
        p = p_flare_rows(model, rows)
    except Exception:  # noqa: BLE001 - the policy then finds the model broken and the rules serve
        return recal.coefficients(clinic)
    return recal.coefficients(clinic, recal.patient_offset(rows["label"].to_numpy(), p, clinic))


_TRAINED_UNTIL: dict[str, object] = {}


def calibration_status(now: datetime) -> dict | None:
    """How calibrated the active model is on the clinic's recent labelled sessions it never
    learnt from, without and with online recalibration (``ml status``); None: no model."""
    import pandas as pd

    from ml.evaluate import recalibration_report
    from ml.features import FEATURES, build_features
    from ml.pipeline import p_flare

    active, row = active_model(), active_row()
    if active is None or row is None:
        return None
    logs = database_logs(now, days=STATUS_DAYS + 30)  # + a month of history for the features
    start = now.date() - pd.Timedelta(days=STATUS_DAYS).to_pytimedelta()
    rows = unseen_rows(build_features(logs), row.trained_until, now.date())
    rows = rows[pd.to_datetime(rows["date"]) > pd.Timestamp(start)]
    out = {"version": row.version, "after": row.trained_until, "days": STATUS_DAYS, "n": len(rows)}
    if rows["label"].nunique() < 2:
        return out
    p = p_flare(active[0], rows[list(FEATURES)])
    report = recalibration_report(rows, p)
    report.pop("p_recalibrated")
    return {**out, **report, "fit": clinic_recalibration(row.version).as_dict()}
