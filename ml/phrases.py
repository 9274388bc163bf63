"""The coach's reasons and the model's features in a physiotherapist's words.

The policy records machine codes (``reason_codes``) and the model's main factors
(``top_features``, with their contribution to P(tolerated)); a physio reads these phrases
instead. The patient's own sentence (``Decision.explanation``) is written for the patient
and stays separate. A test lists every code the policy can emit and every feature, and fails
when one has no phrase here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

REASONS: Mapping[str, str] = {
    # model policy
    "model_step_up_above_theta": "tolerated this dose well; the next level is predicted to be tolerated too",
    "model_step_up_small_added_risk": "one level up adds little flare risk over the current level",
    "model_dose_risk": "the current level carries clearly more flare risk than the one below",
    "model_dose_risk_after_flare": "flared at this level recently, and the level below is clearly safer",
    "model_lighter_session": "even the lowest level is a stretch today: a shorter session is offered",
    "model_hold": "no level is clearly better than the current one: staying",
    "model_hold_tolerated": "tolerating this level, but one more would add too much risk: staying",
    "model_progression_tolerated": "tolerated several sessions on target at this level: one level up",
    "model_unavailable": "no usable model: the rule-based coach decided",
    "model_veto": "the model predicts the rules' step up would not be tolerated",
    # rule-based policy
    "rules_two_tolerated_on_target": "two sessions in a row tolerated at the target effort",
    "rules_flare_step_down": "a flare after the last session: one level down",
    "rules_flare_already_stepped_down": "a flare, but the level was already lowered for it",
    "rules_small_rise_hold": "symptoms rose slightly after the last session: staying",
    "rules_hold": "not yet two tolerated sessions on target: staying",
    # fixed progression
    "fixed_weekly_step": "the planned weekly step up",
    "fixed_hold": "the planned step is not due yet",
    # guardrails
    "safety_cap_below_min_level": "today's safety limits are below the prescribed minimum level",
    "locked_level": "the physio locked this level",
    "locked_level_above_safety_cap": "locked level is above today's safety limit: the limit applies",
    "amber_no_progression": "an amber day: no progression this week (traffic light)",
    "amber_already_lighter": "an amber day is lighter already: no second cut",
    "raised_within_7_days": "already raised in the last 7 days",
    "slow_progression_interval": (
        "progresses slowly (lymphoedema, stem-cell transplant or bone metastases): "
        "one step every 14 days at most"
    ),
    "building_up_to_level": "still building up to the current level (load kept within 10% a week)",
    "max_one_level_per_week": "at most one level per week",
    "clipped_to_range": "kept inside the prescribed range",
    "above_auto_approve_band": "beyond the band the physio lets the coach apply alone",
    "too_little_patient_data": "too few of the patient's own sessions to trust the prediction",
    "low_confidence": "the prediction is close to the line",
    "step_down_applied": "a step down is applied at once, for safety",
    "red_verdict_no_session": "a red day: no session",
}

# Feature -> (phrase when its value makes tolerance MORE likely, phrase when LESS likely).
FEATURES: Mapping[str, tuple[str, str]] = {
    "fatigue": ("little fatigue this morning", "fatigue this morning"),
    "pain": ("little pain this morning", "pain this morning"),
    "sleep_quality": ("slept well", "slept badly"),
    "checkin_missing": ("checked in today", "no check-in today"),
    "fatigue_baseline": ("usually low fatigue", "usually high fatigue"),
    "pain_baseline": ("usually little pain", "usually in pain"),
    "fatigue_delta": ("fatigue at or below their usual", "fatigue above their usual"),
    "pain_delta": ("pain at or below their usual", "pain above their usual"),
    "fatigue_spread": ("fatigue steady from day to day", "fatigue varies a lot from day to day"),
    "pain_spread": ("pain steady from day to day", "pain varies a lot from day to day"),
    "fatigue_trend": ("fatigue falling over two weeks", "fatigue rising over two weeks"),
    "pain_trend": ("pain falling over two weeks", "pain rising over two weeks"),
    "checkins_14d": ("checks in regularly", "few check-ins lately"),
    "days_since_session": ("recent session to build on", "a long gap since the last session"),
    "sessions_14d": ("exercising regularly for two weeks", "few sessions in two weeks"),
    "last_rpe": ("the last session felt easy", "the last session felt hard"),
    "last_rpe_vs_target": ("the last session on or under target effort", "the last session harder than planned"),
    "rpe_vs_target_28d": ("sessions on target effort over 4 weeks", "sessions harder than planned over 4 weeks"),
    "modality_rpe_vs_target": ("this kind of exercise on target effort", "this kind of exercise harder than planned"),
    "last_load_rel": ("the last session's load was comfortable", "the last session's load was high for them"),
    "flares_14d": ("no flare in two weeks", "flares in the last two weeks"),
    "last_flare": ("no recent flare", "a recent flare"),
    "past_flare_rate": ("rarely flares", "flares often"),
    "labelled_sessions": ("a long record of sessions", "a short record of sessions"),
    "tolerated_load_max": ("has tolerated more than this before", "has not tolerated this much before"),
    "acute_load": ("a light last week", "a heavy last week"),
    "chronic_load": ("well conditioned over 4 weeks", "little training over 4 weeks"),
    "acwr": ("this week's load in line with their usual", "this week's load well above their usual"),
    "planned_load": ("a small dose", "a large dose"),
    "planned_rel_acute": ("the dose is small next to last week's", "the dose is large next to last week's"),
    "planned_rel_chronic": ("the dose is small next to their usual", "the dose is large next to their usual"),
    "planned_rel_tolerated": ("tolerated similar sessions before", "more than they have tolerated before"),
    "level_step": ("a level they have done before", "a new, higher level"),
    "modality": ("this kind of exercise suits them", "this kind of exercise is harder for them"),
    "days_since_infusion": ("well past the last infusion", "soon after an infusion"),
    "treatment_phase": ("treatment phase favourable", "treatment phase demanding"),
    "met_bone": ("no bone metastases", "bone metastases"),
    "met_visceral": ("no visceral metastases", "visceral metastases"),
    "met_brain": ("no brain metastases", "brain metastases"),
}


def reason(code: str) -> str:
    """A reason code in clinical words (an unknown code is shown as it is, never dropped)."""
    return REASONS.get(code, code.replace("_", " "))


def factor(name: str, contribution: float) -> str:
    """A model factor in clinical words, by the direction it moved P(tolerated)."""
    helps, hurts = FEATURES.get(name, (name.replace("_", " "),) * 2)
    return helps if contribution >= 0 else hurts


def physio_summary(codes: Iterable[str], factors: Iterable[tuple[str, float]]) -> str:
    """One sentence for the physio: the coach's reasons, then what weighed most."""
    why = "; ".join(reason(c) for c in codes)
    weighed = ", ".join(factor(n, c) for n, c in factors)
    sentence = why[:1].upper() + why[1:] if why else "No reason recorded"
    return f"{sentence}. Weighed most: {weighed}." if weighed else f"{sentence}."
