"""Online recalibration: a clinic and a per-patient intercept on the logit of P(flare).

A model moved to another population ranks well but its level is off (the issue's external
set: it under-predicts flares). The fix keeps the model and recalibrates its logit z:

    logit P(flare) = a_clinic + b_clinic * z + u_patient

* ``a_clinic``, ``b_clinic`` are fitted on the clinic's labelled sessions with Gaussian priors
  N(0, ``CLINIC_PRIOR_SD``²) and N(1, ``SLOPE_PRIOR_SD``²): the model as it is is the default,
  and a few dozen sessions move the slope little (its information is about 0.15 per session);
* ``tau``, the spread of patients' intercepts ``u`` around 0, is estimated from the same
  sessions by empirical Bayes (method of moments on one-step per-patient estimates), clipped
  to [``TAU_MIN``, ``TAU_MAX``]; ``TAU_DEFAULT`` with too few patients;
* ``u_patient`` is the posterior mode under the prior N(0, tau²) given that patient's own
  labelled sessions: a new patient gets the clinic's calibration, a patient with many sessions
  their own level. With tau = 0.5 and a 20 % flare rate the prior weighs as much as about
  25 sessions (1 / (tau² p (1 - p))), so a handful of flares cannot swing a patient's risk.

Each is a MAP estimate by a few Newton steps (the log posterior is concave, so it converges in
3-5). Only labels whose window has closed may be used; the callers pass those.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

CLINIC_PRIOR_SD = 1.0  # a whole clinic's shift beyond ×/÷ e² in odds would be a different model
SLOPE_PRIOR_SD = 0.25  # a slope outside 0.5-1.5 needs hundreds of sessions to show itself
TAU_DEFAULT = 0.5  # between-patient sd of the intercept when too few patients to estimate it
TAU_MIN = 0.1  # never fully pooled: a patient's own sessions always count for something
TAU_MAX = 1.0  # never unpooled: about 6 sessions' weight at a 20 % rate
MIN_PATIENTS_FOR_TAU = 5
MAX_OFFSET = 3.0  # |intercept| bound: a guard against separation (all-flare histories)
_EPS = 1e-6


@dataclass(frozen=True)
class Recalibration:
    """The clinic's intercept and slope, and the prior sd of each patient's intercept."""

    intercept: float = 0.0
    slope: float = 1.0
    tau: float = TAU_DEFAULT
    n: int = 0  # labelled sessions it was fitted on
    n_patients: int = 0

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> Recalibration:
        """From ``as_dict`` output; anything unreadable is the identity (no shift)."""
        try:
            rec = cls(
                float(data["intercept"]),
                float(data["slope"]),
                float(data["tau"]),
                int(data["n"]),
                int(data["n_patients"]),
            )
        except (KeyError, TypeError, ValueError):
            return cls()
        finite = np.isfinite([rec.intercept, rec.slope, rec.tau]).all()
        return rec if finite and rec.tau > 0 and rec.slope > 0 else cls()

    def logit(self, p) -> np.ndarray:
        """The clinic-recalibrated logit of model P(flare) ``p``."""
        return self.intercept + self.slope * logit(p)


IDENTITY = Recalibration()


def logit(p) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), _EPS, 1 - _EPS)
    return np.log(p / (1 - p))


def map_intercept(y, base_logit, prior_mean: float, prior_sd: float, steps: int = 8) -> float:
    """Posterior mode of ``a`` in y ~ Bernoulli(sigmoid(base_logit + a)), a ~ N(m, sd²)."""
    y = np.asarray(y, dtype=float)
    z = np.asarray(base_logit, dtype=float)
    a = float(prior_mean)
    if len(y) == 0:
        return a
    precision = 1.0 / prior_sd**2
    for _ in range(steps):
        mu = 1.0 / (1.0 + np.exp(-(z + a)))
        gradient = float(np.sum(y - mu)) - precision * (a - prior_mean)
        curvature = float(np.sum(mu * (1 - mu))) + precision
        step = gradient / curvature
        a += step
        if abs(step) < 1e-8:
            break
    return float(np.clip(a, -MAX_OFFSET, MAX_OFFSET))


def fit_clinic(y, base_logit, patient_ids, steps: int = 8) -> Recalibration:
    """The clinic's intercept, slope and between-patient ``tau`` from its labelled sessions."""
    y = np.asarray(y, dtype=float)
    z = np.asarray(base_logit, dtype=float)
    ids = np.asarray(patient_ids)
    if len(y) == 0 or len(y) != len(z):
        return IDENTITY
    prior = np.array([0.0, 1.0])
    precision = np.diag([1 / CLINIC_PRIOR_SD**2, 1 / SLOPE_PRIOR_SD**2])
    X = np.column_stack([np.ones_like(z), z])
    beta = prior.copy()
    for _ in range(steps):
        mu = 1.0 / (1.0 + np.exp(-(X @ beta)))
        gradient = X.T @ (y - mu) - precision @ (beta - prior)
        hessian = X.T @ (X * (mu * (1 - mu))[:, None]) + precision
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.abs(step).max() < 1e-8:
            break
    intercept = float(np.clip(beta[0], -MAX_OFFSET, MAX_OFFSET))
    slope = float(np.clip(beta[1], 0.25, 4.0))
    return Recalibration(
        intercept, slope, _tau(y, intercept + slope * z, ids), int(len(y)), len(set(ids))
    )


def _tau(y: np.ndarray, z: np.ndarray, ids: np.ndarray) -> float:
    """Between-patient sd of the intercept around the clinic-recalibrated logit ``z``.

    One Newton step from 0 gives patient i's own estimate d_i with sampling variance
    v_i = 1 / information_i; tau² = information-weighted mean of d_i² - v_i (moments).
    """
    patients, codes = np.unique(ids, return_inverse=True)
    mu = 1.0 / (1.0 + np.exp(-z))
    info = np.bincount(codes, weights=mu * (1 - mu), minlength=len(patients))
    resid = np.bincount(codes, weights=y - mu, minlength=len(patients))
    usable = info > 0.5  # at least a few sessions' worth of information
    if usable.sum() < MIN_PATIENTS_FOR_TAU:
        return TAU_DEFAULT
    d, v = resid[usable] / info[usable], 1.0 / info[usable]
    weight = info[usable] / info[usable].sum()
    tau2 = float(np.sum(weight * (d**2 - v)))
    return float(np.clip(np.sqrt(max(tau2, 0.0)), TAU_MIN, TAU_MAX))


def patient_offset(y, p, clinic: Recalibration) -> float:
    """The patient's intercept ``u`` given their labelled sessions (0 with none).

    ``y``: their labels; ``p``: the model's P(flare) for those sessions.
    """
    return map_intercept(y, clinic.logit(p), 0.0, clinic.tau)


def coefficients(clinic: Recalibration, offset: float = 0.0) -> tuple[float, float]:
    """(a, b) such that the served P(flare) is sigmoid(a + b logit p)."""
    return (clinic.intercept + offset, clinic.slope)


def recalibrate(p, coef: tuple[float, float]) -> np.ndarray:
    """Model P(flare) ``p`` served as sigmoid(a + b logit p), ``coef`` = (a, b)."""
    a, b = coef
    return 1.0 / (1.0 + np.exp(-(a + b * logit(p))))


def sequential(
    y, p, patient_ids, days, *, known_after_days: int = 1, refit_clinic: bool = True
) -> np.ndarray:
    """Recalibrated P(flare) of each row using only what was known before its day.

    Rows are sessions with label ``y``, model P(flare) ``p``, patient and integer day. The
    clinic is refitted every day ("nightly") on the labels known by that morning (session
    day + ``known_after_days`` <= today), and each patient's intercept on their own. With
    ``refit_clinic=False`` the clinic stays the identity (per-patient intercepts only).
    """
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    ids = np.asarray(patient_ids)
    days = np.asarray(days, dtype=np.int64)
    out = np.empty(len(y))
    clinic = IDENTITY
    for day in np.unique(days):
        known = days + known_after_days <= day
        if refit_clinic and known.any():
            clinic = fit_clinic(y[known], logit(p[known]), ids[known])
        today = np.flatnonzero(days == day)
        for pid in np.unique(ids[today]):
            mine = known & (ids == pid)
            rows = today[ids[today] == pid]
            offset = patient_offset(y[mine], p[mine], clinic)
            out[rows] = recalibrate(p[rows], coefficients(clinic, offset))
    return out
