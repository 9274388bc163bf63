"""The coach: choose today's level per modality, then apply guardrails no policy can cross.

Pure functions on the plain dataclasses below (no backend imports). Three policies propose a
level; ``apply_guardrails`` is the single place that turns a proposal into a ``Decision``:

* model: first relative to the patient: while they tolerate the level (``progress_after``
  sessions at it in two weeks, no flare) up one toward FITT unless the step adds more than
  ``max_step_risk`` of calibrated flare risk, else hold; otherwise on the risk one level
  adds to its neighbour's, not on the day's risk: up one
  level at P(tolerated) >= theta, or >= theta_floor adding at most ``max_excess_risk``; down
  while the current level adds more than ``max_excess_risk_hold`` (``max_excess_risk``
  after a flare at it); else hold; at the lowest candidate on a green day, a lighter session
  when the full one is a real risk and adds too much (docs/architecture.md, items 14, 19, 20, 25);
* rules (cold start, traffic light on next-day symptoms): -1 after a flare, hold after a
  small rise, +1 after two tolerated sessions on target at the current level;
* fixed: +1 each week.

Guardrails: red -> no session and no change; amber -> no progression; at most +1 level per
modality per 7 days; a locked level never moves; the result is inside [min, max] and under the
safety cap; a step down applies at once; a step up beyond the auto-approve band, resting on a
prediction with too little patient data, or with low confidence -> ``needs_review``.

Explanation (``top_features``): for the chosen candidate, each feature in turn is replaced by
a reference value (the patient's baseline for fatigue/pain, 0 for deltas and trends, else the
population median from the model metadata) and the change in P(tolerated) is its contribution
(positive = the actual value makes tolerance more likely). One-at-a-time, so correlated
features share credit imperfectly, but it is cheap: every candidate and every replacement
goes through the model in a single batch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import numpy as np

from ml.features import CATEGORICAL, DOSE_REFERENCES, NUMERIC, UNKNOWN, dose_features
from ml.pipeline import predict_p_flare
from ml.recalibration import recalibrate

VERDICTS = ("green", "amber", "red")
POLICIES = ("auto", "model", "rules", "fixed")
PROGRESSION = "model_progression_tolerated"
_PERSONAL_REFERENCE = {"fatigue": "fatigue_baseline", "pain": "pain_baseline"}
_ZERO_REFERENCE = ("fatigue_delta", "pain_delta", "fatigue_trend", "pain_trend")
_COL = {name: i for i, name in enumerate(NUMERIC)}


@dataclass(frozen=True)
class LevelRange:
    """The physio's range for one modality; a locked level must lie inside it."""

    min_level: int
    max_level: int
    locked_level: int | None = None

    def __post_init__(self):
        if not 1 <= self.min_level <= self.max_level:
            raise ValueError(f"invalid level range [{self.min_level}, {self.max_level}]")
        if (
            self.locked_level is not None
            and not self.min_level <= self.locked_level <= self.max_level
        ):
            raise ValueError(
                f"locked level {self.locked_level} outside [{self.min_level}, {self.max_level}]"
            )


@dataclass(frozen=True)
class SessionOutcome:
    """A past session of this modality as the rules policy sees it (label window closed)."""

    on: date
    level: int
    tolerated: bool
    on_target: bool = True  # session RPE at or under the level's target
    small_rise: bool = False  # next-day symptoms up, but below the flare threshold


@dataclass(frozen=True)
class ModalityState:
    """One modality of today's session."""

    modality: str
    current: int
    range: LevelRange
    last_raise: date | None = None
    level_loads: Mapping[int, float] = field(default_factory=dict)  # planned sRPE load per level
    recent: tuple[SessionOutcome, ...] = ()  # oldest first
    safety_max_level: int | None = None  # the tightest safety cap, if any
    lighter_loads: Mapping[int, float] = field(default_factory=dict)  # the lighter session's
    # The weekly load cap still trims the current level's dose: it is not served in full yet,
    # so a step up would only move the level ahead of the dose (rules.yaml progression).
    building_up: bool = False
    # Days between level steps when a slow-progression rule applies (rules.yaml
    # progression.slow: lymphoedema, HSCT, bone metastases); None = the config's.
    raise_every_days: int | None = None


@dataclass(frozen=True)
class DecisionInput:
    """Everything one decision needs; ``model`` is anything with ``predict_proba`` (P(flare))."""

    today: date
    verdict: str
    state: ModalityState
    features: Mapping[str, object] = field(default_factory=dict)  # today's features row
    reference: Mapping[str, float | None] = field(default_factory=dict)  # population medians
    model: object | None = None
    model_version: str | None = None
    patient_sessions: int = 0  # labelled sessions of this patient
    auto_approve_band: int = 1
    # (a, b): the model's P(flare) p is served as sigmoid(a + b logit p), the clinic's and
    # this patient's online recalibration (ml.recalibration); (0, 1) leaves it as it is.
    recalibration: tuple[float, float] = (0.0, 1.0)


@dataclass(frozen=True)
class PolicyConfig:
    theta: float = 0.8  # P(tolerated) at which a step up is always acceptable
    theta_floor: float = 0.6  # ... and below which the model never steps up
    max_excess_risk: float = 0.05  # between the two: flare risk a step up may add
    # ... and that the current level may add to the one below before it steps down: a step
    # down costs at least a week to undo (+1 a week), so it waits for a clear dose effect.
    max_excess_risk_hold: float = 0.12
    # A lighter session is for a real risk: P(flare) at the chosen level at least this (about
    # twice a tolerating patient's flare rate), on a green day only (amber is cut already).
    lighter_risk_bar: float = 0.3
    # The patient's own evidence: this many tolerated sessions at the current level within
    # ``progress_window_days`` and no flare of the modality in that window -> a step up is
    # expected, unless the calibrated risk one step adds exceeds ``max_step_risk``.
    progress_after: int = 3
    progress_window_days: int = 14
    max_step_risk: float = 0.10
    min_patient_sessions: int = 8  # below: the model's step up waits for review
    confidence_margin: float = 0.05  # a step up with P(tolerated) < theta + margin -> review
    raise_every_days: int = 7
    top_features: int = 3


@dataclass(frozen=True)
class Proposal:
    level: int
    reasons: tuple[str, ...]
    policy: str
    lighter: bool = False  # the session at that level, its main work shortened


@dataclass(frozen=True)
class Decision:
    modality: str
    current: int
    chosen: int
    candidates: tuple[tuple[int, float | None], ...]  # (level, P(tolerated) or None)
    reason_codes: tuple[str, ...]
    top_features: tuple[tuple[str, float], ...]  # (feature, contribution to P(tolerated))
    needs_review: bool
    policy: str
    model_version: str | None
    no_session: bool = False  # red verdict (or no safe level): no session for this modality
    lighter: bool = False  # a lighter session at the chosen level (the design's "if none")
    lighter_p: float | None = None  # its P(tolerated), when scored


# ---------- entry point ----------
def decide(
    inp: DecisionInput, policy: str = "auto", config: PolicyConfig | None = None
) -> Decision:
    """Propose with the named policy, then apply the guardrails.

    ``auto``: the model policy when a model is given and the patient has enough labelled
    sessions; otherwise the rules policy, with the (population) model able to veto a step up
    whose P(tolerated) is under theta.
    """
    cfg = config or PolicyConfig()
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy!r}; expected one of {POLICIES}")
    if inp.verdict not in VERDICTS:
        raise ValueError(f"unknown verdict {inp.verdict!r}")
    levels = candidate_levels(inp.state)
    scored = score_candidates(inp, levels)
    probs = scored.probabilities if scored else {}
    use_model = scored is not None and (
        policy == "model" or (policy == "auto" and inp.patient_sessions >= cfg.min_patient_sessions)
    )
    if use_model:
        proposal = model_policy(inp.state, probs, cfg, scored.lighter, inp.today)
    elif policy == "fixed":
        proposal = fixed_policy(inp.state, inp.today, cfg)
    else:
        proposal = rules_policy(inp.state)
        if policy == "auto" and scored is not None and proposal.level > inp.state.current:
            if step_up_reason(probs, inp.state.current, cfg) is None:
                proposal = Proposal(inp.state.current, (*proposal.reasons, "model_veto"), "rules")
    if policy == "model" and scored is None:
        proposal = Proposal(
            proposal.level, (*proposal.reasons, "model_unavailable"), proposal.policy
        )
    decision = apply_guardrails(inp, proposal, probs, cfg, model_used=use_model)
    top = scored.explain(decision.chosen, cfg.top_features) if scored else ()
    return replace(decision, top_features=top, lighter_p=scored.lighter if scored else None)


def candidate_levels(state: ModalityState) -> tuple[int, ...]:
    """current-2 .. current+1, clipped to the physio range and the safety cap."""
    lo, hi = _bounds(state)
    if state.range.locked_level is not None:
        return (state.range.locked_level,) if lo <= state.range.locked_level <= hi else ()
    return tuple(lv for lv in range(state.current - 2, state.current + 2) if lo <= lv <= hi)


# ---------- the three policies ----------
def model_policy(
    state: ModalityState,
    probs: Mapping[int, float],
    config: PolicyConfig,
    lighter: float | None = None,
    today: date | None = None,
) -> Proposal:
    """Move the level relative to the patient and on the dose's own risk, not the day's
    (docs/architecture.md, items 19 and 26).

    First the patient's own evidence: while they tolerate the level (``tolerating``), a step
    up toward the FITT top of the ladder is expected and taken unless the calibrated flare
    risk it adds exceeds ``max_step_risk``; if it does, hold (never down on the population's
    view of a dose this patient keeps tolerating). The model's own step up on absolute
    P(tolerated) (``step_up_reason``) is only for a patient with no labelled session of the
    modality yet.

    The level is a standing prescription; the day's risk (a noisy night, a chemotherapy week)
    is the same at every level and is the safety verdict's to answer (amber: a lighter
    session). So each step compares neighbouring levels, the flare risk one level adds:

    * up one level when ``step_up_reason`` admits it;
    * down while the current level adds more than ``max_excess_risk_hold`` to the risk of the
      one below (``max_excess_risk`` right after a flare at this level: the patient's own
      evidence agrees);
    * otherwise hold.

    At the lowest candidate, ``lighter`` (P(tolerated) of its lighter session, if scored)
    plays the level below: when the full session's flare risk is a real one (at least
    ``lighter_risk_bar``) and it adds more than the allowance to the lighter one's, the
    design's "lowest candidate and a lighter session" (items 20, 25).
    """
    cur = state.current
    if cur not in probs:  # no score for the level in force: the guardrails clip to the range
        return Proposal(cur, ("model_hold",), "model")
    expected = today is not None and tolerating(state, today, config)
    if expected and cur + 1 in probs and probs[cur] - probs[cur + 1] <= config.max_step_risk:
        return Proposal(cur + 1, (PROGRESSION,), "model")
    # The model's own step up on absolute P(tolerated) serves only a patient with no labelled
    # session of this modality yet; after that, their own sessions decide (above).
    up = None if state.recent else step_up_reason(probs, cur, config)
    if up:
        return Proposal(cur + 1, (up,), "model")
    if expected:  # their own sessions at this dose outweigh the population's view of it
        return Proposal(cur, ("model_hold_tolerated",), "model")
    flared = _flared_at_current_level(state)
    allowance = config.max_excess_risk if flared else config.max_excess_risk_hold
    level = cur
    while level - 1 in probs and probs[level - 1] - probs[level] > allowance:
        level -= 1
    reasons = []
    if level < cur:
        reasons.append("model_dose_risk_after_flare" if flared else "model_dose_risk")
    ease = (
        level == min(probs)
        and lighter is not None
        and 1.0 - probs[level] >= config.lighter_risk_bar
        and lighter - probs[level] > allowance
    )
    if ease:
        reasons.append("model_lighter_session")
    return Proposal(level, tuple(reasons) or ("model_hold",), "model", lighter=ease)


def tolerating(state: ModalityState, today: date, config: PolicyConfig) -> bool:
    """``progress_after`` tolerated sessions on target at the current level in the window, no
    flare in it, and the last session not followed by a small rise."""
    since = today - timedelta(days=config.progress_window_days)
    window = [s for s in state.recent if since <= s.on <= today]
    if any(not s.tolerated for s in window) or _last_session_says_wait(state):
        return False
    at_level = sum(s.level == state.current and s.on_target for s in window)
    return at_level >= config.progress_after


def _last_session_says_wait(state: ModalityState) -> bool:
    last = state.recent[-1] if state.recent else None
    return last is not None and (not last.tolerated or last.small_rise or not last.on_target)


def step_up_reason(probs: Mapping[int, float], current: int, config: PolicyConfig) -> str | None:
    """Why one level up is acceptable, or None.

    P(tolerated) >= theta always is. Under theta, a level whose P(tolerated) >= theta_floor
    and which adds at most ``max_excess_risk`` of flare risk to the current level's is too:
    the rest of the risk is the day's, and waiting would not lower it.
    """
    above, here = probs.get(current + 1), probs.get(current)
    if above is None:
        return None
    if above >= config.theta:
        return "model_step_up_above_theta"
    if here is not None and above >= config.theta_floor and here - above <= config.max_excess_risk:
        return "model_step_up_small_added_risk"
    return None


def rules_policy(state: ModalityState) -> Proposal:
    """Traffic light on next-day symptoms, from sessions at the current level since the last raise."""
    since = [
        s
        for s in state.recent
        if (state.last_raise is None or s.on > state.last_raise) and s.level == state.current
    ]
    last = state.recent[-1] if state.recent else None
    if last is not None and not last.tolerated:
        # One step per flare: the flare's label stays the latest until the next session is
        # labelled, and every check-in in between decides again.
        if not _flared_at_current_level(state):
            return Proposal(state.current, ("rules_flare_already_stepped_down",), "rules")
        return Proposal(state.current - 1, ("rules_flare_step_down",), "rules")
    if last is not None and last.small_rise:
        return Proposal(state.current, ("rules_small_rise_hold",), "rules")
    if len(since) >= 2 and all(s.tolerated and s.on_target for s in since[-2:]):
        return Proposal(state.current + 1, ("rules_two_tolerated_on_target",), "rules")
    return Proposal(state.current, ("rules_hold",), "rules")


def fixed_policy(state: ModalityState, today: date, config: PolicyConfig) -> Proposal:
    """+1 level each week, whatever happened."""
    if state.last_raise is None or (today - state.last_raise).days >= config.raise_every_days:
        return Proposal(state.current + 1, ("fixed_weekly_step",), "fixed")
    return Proposal(state.current, ("fixed_hold",), "fixed")


# ---------- guardrails: one function for every policy ----------
def apply_guardrails(
    inp: DecisionInput,
    proposal: Proposal,
    probs: Mapping[int, float],
    config: PolicyConfig,
    *,
    model_used: bool = False,
) -> Decision:
    """Turn a proposal into a safe ``Decision`` (``top_features`` left empty)."""
    state, cur = inp.state, inp.state.current
    lo, hi = _bounds(state)
    locked = state.range.locked_level
    reasons = list(proposal.reasons)
    no_session = needs_review = False

    if hi < lo:  # a safety cap below the physio's minimum: no level is safe
        level, no_session, needs_review = state.range.min_level, True, True
        reasons.append("safety_cap_below_min_level")
    elif locked is not None:
        level = locked if locked <= hi else hi
        reasons.append("locked_level" if locked <= hi else "locked_level_above_safety_cap")
        needs_review = locked > hi
    elif inp.verdict == "red":
        level = min(max(cur, lo), hi)  # no change (a range edit still applies)
    else:
        level = proposal.level
        if inp.verdict == "amber" and level > cur:
            level = cur
            reasons.append("amber_no_progression")
        if level > cur and state.building_up:
            level = cur
            reasons.append("building_up_to_level")
        if level > cur:
            every = max(config.raise_every_days, state.raise_every_days or 0)
            recent_raise = (
                state.last_raise is not None and (inp.today - state.last_raise).days < every
            )
            if recent_raise:
                level = cur
                slow = every > config.raise_every_days
                reasons.append("slow_progression_interval" if slow else "raised_within_7_days")
            elif level > cur + 1:
                level = cur + 1
                reasons.append("max_one_level_per_week")
        clipped = min(max(level, lo), hi)
        if clipped != level:
            reasons.append("clipped_to_range")
        level = clipped
        if level > cur:
            if level - cur > inp.auto_approve_band:
                needs_review = True
                reasons.append("above_auto_approve_band")
            if model_used and inp.patient_sessions < config.min_patient_sessions:
                needs_review = True
                reasons.append("too_little_patient_data")
            # A step the patient's own tolerated sessions back is not a low-confidence guess.
            backed = PROGRESSION in proposal.reasons
            confident = probs.get(level, 0.0) >= config.theta + config.confidence_margin
            if model_used and not backed and not confident:
                needs_review = True
                reasons.append("low_confidence")
        elif level < cur:
            reasons.append("step_down_applied")
    if inp.verdict == "red":
        no_session = True
        reasons.append("red_verdict_no_session")

    # A lighter session eases the level it was proposed for; a lock fixes the dose itself; an
    # amber day is cut by the safety verdict already, and cuts do not stack.
    lighter = proposal.lighter and level == proposal.level and locked is None and not no_session
    if lighter and inp.verdict != "green":
        lighter = False
        reasons.append("amber_already_lighter")
    return Decision(
        modality=state.modality,
        current=cur,
        chosen=level,
        candidates=tuple((lv, probs.get(lv)) for lv in candidate_levels(state)),
        reason_codes=tuple(reasons),
        top_features=(),
        needs_review=needs_review,
        policy=proposal.policy,
        model_version=inp.model_version if model_used or probs else None,
        no_session=no_session,
        lighter=lighter,
    )


# ---------- model scoring and explanation ----------
@dataclass(frozen=True)
class _Scored:
    probabilities: dict[int, float]  # level -> P(tolerated)
    contributions: dict[int, tuple[tuple[str, float], ...]]
    lighter: float | None = None  # P(tolerated) of the lowest candidate's lighter session

    def explain(self, level: int, k: int) -> tuple[tuple[str, float], ...]:
        return self.contributions.get(level, ())[:k]


def score_candidates(inp: DecisionInput, levels: tuple[int, ...]) -> _Scored | None:
    """P(tolerated) per candidate and per-feature contributions, in one model call.

    None when there is no model, no features, no candidates or the model fails (the rules
    policy then serves: a broken model must never block a session plan).
    """
    if inp.model is None or not levels or not inp.features:
        return None
    try:
        feats = inp.features
        base = np.array([_number(feats.get(f)) for f in NUMERIC])
        categorical = tuple(str(feats.get(c) or UNKNOWN) for c in CATEGORICAL)
        loads = [_number(inp.state.level_loads.get(lv)) for lv in levels]
        eased = _number(inp.state.lighter_loads.get(levels[0]))
        # The lowest candidate's lighter session is scored as one more candidate, last.
        scored_levels = (*levels, levels[0]) if np.isfinite(eased) else levels
        reference = {name: _number(feats.get(name)) for name in DOSE_REFERENCES}
        dose = dose_features(
            [*loads, eased] if np.isfinite(eased) else loads, scored_levels, reference
        )
        n = len(scored_levels)
        candidates = np.tile(base, (n, 1))
        for name, values in dose.items():
            candidates[:, _COL[name]] = values
        swaps = _swaps(feats, candidates[0], inp.reference)
        # rows: the n candidates, then for each candidate one row per swapped feature
        batch = np.vstack([candidates, np.repeat(candidates, len(swaps), axis=0)])
        for k, (name, ref) in enumerate(swaps):
            batch[n + k :: len(swaps), _COL[name]] = ref
        p_flare = predict_p_flare(inp.model, batch, categorical)
        if inp.recalibration != (0.0, 1.0):
            p_flare = recalibrate(p_flare, inp.recalibration)
        p_tol = 1.0 - p_flare
    except Exception:  # noqa: BLE001 - any model failure falls back to the rules policy
        return None
    if len(p_tol) != len(batch) or not np.all(np.isfinite(p_tol)):
        return None
    probabilities = {lv: float(p_tol[i]) for i, lv in enumerate(levels)}
    lighter = float(p_tol[len(levels)]) if n > len(levels) else None
    contributions = {}
    names = [name for name, _ in swaps]
    for i, lv in enumerate(levels):
        deltas = p_tol[i] - p_tol[n + i * len(swaps) : n + (i + 1) * len(swaps)]
        ranked = sorted(zip(names, deltas, strict=True), key=lambda t: -abs(t[1]))
        contributions[lv] = tuple((name, round(float(d), 4)) for name, d in ranked if d != 0)
    return _Scored(probabilities, contributions, lighter)


def _swaps(feats: Mapping[str, object], row: np.ndarray, reference: Mapping[str, float | None]):
    """(feature, reference value) pairs to try; features without a usable reference are skipped."""
    out = []
    for name in NUMERIC:
        if name == "level_step":
            continue  # they move with the candidate itself
        if name in _PERSONAL_REFERENCE:
            ref = _number(feats.get(_PERSONAL_REFERENCE[name]))
        elif name in _ZERO_REFERENCE:
            ref = 0.0
        else:
            ref = _number(reference.get(name))
        value = row[_COL[name]]
        if np.isnan(ref) or np.isnan(value) or ref == value:
            continue
        out.append((name, ref))
    return out


def _flared_at_current_level(state: ModalityState) -> bool:
    """The modality's last labelled session was a flare, at the level still in force."""
    last = state.recent[-1] if state.recent else None
    return last is not None and not last.tolerated and last.level == state.current


def _bounds(state: ModalityState) -> tuple[int, int]:
    hi = state.range.max_level
    if state.safety_max_level is not None:
        hi = min(hi, state.safety_max_level)
    return state.range.min_level, hi


def _number(x) -> float:
    try:
        return float(x) if x is not None else np.nan
    except (TypeError, ValueError):
        return np.nan
