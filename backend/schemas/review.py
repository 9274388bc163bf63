"""Caseload status, red-flag alerts and trends as the physiotherapist API returns them."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from backend.domain import vocabulary as v
from backend.schemas.common import Day, QueryInt, StrictSchema, enum, one_of

TIERS = ("red_flag", "review", "attention", "stable")


# ---------- caseload ----------
class CaseloadStatusArgsSchema(StrictSchema):
    search = ma.fields.String(validate=validate.Length(max=100))
    status = ma.fields.String(load_default="all", validate=one_of(("all", *TIERS), "status"))
    scope = ma.fields.String(load_default="mine", validate=one_of(("mine", "clinic"), "scope"))


class CaseloadReasonSchema(ma.Schema):
    code = ma.fields.String(
        metadata={
            "description": "red_flag | review | missed_sessions | adherence_falling | "
            "adherence_low | no_recent_check_in"
        }
    )
    message = ma.fields.String()


class LastCheckInSchema(ma.Schema):
    at = ma.fields.DateTime()
    date = Day(metadata={"description": "the patient's local date"})
    days_ago = ma.fields.Integer()
    status = ma.fields.String(validate=enum(v.VERDICTS))
    fatigue = ma.fields.Integer()
    pain = ma.fields.Integer()


class CaseloadStatusEntrySchema(ma.Schema):
    id = ma.fields.String()
    display_name = ma.fields.String()
    cancer_type = ma.fields.String()
    timezone = ma.fields.String()
    activated = ma.fields.Boolean()
    status = ma.fields.String(metadata={"description": "red_flag | review | attention | stable"})
    urgency = ma.fields.Integer(
        metadata={"description": "0 red flag, 1 proposals to review, 2 attention, 3 stable"}
    )
    rank = ma.fields.Integer(metadata={"description": "1 = most urgent"})
    reasons = ma.fields.List(ma.fields.Nested(CaseloadReasonSchema))
    open_red_flags = ma.fields.Integer()
    oldest_open_alert_at = ma.fields.DateTime(allow_none=True)
    pending_proposals = ma.fields.Integer()
    oldest_pending_at = ma.fields.DateTime(allow_none=True)
    adherence_28d = ma.fields.Float(
        allow_none=True,
        metadata={"description": "sessions done / due over 28 days (null: none due)"},
    )
    adherence_14d = ma.fields.Float(allow_none=True)
    adherence_prior_14d = ma.fields.Float(allow_none=True)
    sessions_due_28d = ma.fields.Integer()
    sessions_done_28d = ma.fields.Integer()
    missed_sessions_7d = ma.fields.Integer()
    last_check_in = ma.fields.Nested(LastCheckInSchema, allow_none=True)


class CaseloadCountsSchema(ma.Schema):
    patients = ma.fields.Integer()
    red_flag = ma.fields.Integer()
    review = ma.fields.Integer()
    attention = ma.fields.Integer()
    stable = ma.fields.Integer()
    open_red_flags = ma.fields.Integer()
    pending_proposals = ma.fields.Integer()


class CaseloadStatusSchema(ma.Schema):
    counts = ma.fields.Nested(CaseloadCountsSchema)
    patients = ma.fields.List(ma.fields.Nested(CaseloadStatusEntrySchema))


# ---------- alerts ----------
class AlertArgsSchema(StrictSchema):
    status = ma.fields.String(
        load_default="open", validate=one_of(("open", "acknowledged"), "status")
    )
    patient_id = ma.fields.String(validate=validate.Length(max=64))
    limit = QueryInt(load_default=100, validate=validate.Range(1, 500))


class AlertReasonSchema(ma.Schema):
    code = ma.fields.String(allow_none=True)
    message = ma.fields.String(allow_none=True)
    severity = ma.fields.String(allow_none=True)


class AlertSchema(ma.Schema):
    id = ma.fields.String()
    patient_id = ma.fields.String()
    patient_name = ma.fields.String()
    kind = ma.fields.String()
    date = Day(metadata={"description": "the patient's local date"})
    opened_at = ma.fields.DateTime()
    reasons = ma.fields.List(ma.fields.Nested(AlertReasonSchema))
    status = ma.fields.String(metadata={"description": "open | acknowledged"})
    acknowledged_at = ma.fields.DateTime(allow_none=True)
    acknowledged_by = ma.fields.String(allow_none=True)
    acknowledged_by_name = ma.fields.String(allow_none=True)
    note = ma.fields.String(allow_none=True)
    decision = ma.fields.String(
        allow_none=True, metadata={"description": "resume | resume_lighter | pause"}
    )
    decided_at = ma.fields.DateTime(allow_none=True)
    escalated_at = ma.fields.DateTime(allow_none=True)


DECISIONS = ("resume", "resume_lighter", "pause")


class AcknowledgeSchema(StrictSchema):
    note = ma.fields.String(
        required=True,
        validate=validate.Length(1, 1000),
        metadata={"description": "what was done about it (kept in the record and the audit)"},
    )
    decision = ma.fields.String(
        required=True,
        validate=one_of(DECISIONS, "decision"),
        metadata={
            "description": "resume | resume_lighter (a week of lighter sessions) | pause "
            "(sessions stay held; decide again later to resume)"
        },
    )


# ---------- trends ----------
class TrendsArgsSchema(StrictSchema):
    weeks = QueryInt(load_default=12, validate=validate.Range(1, 52))


class TrendDaySchema(ma.Schema):
    date = Day()
    fatigue = ma.fields.Integer(allow_none=True)
    pain = ma.fields.Integer(allow_none=True)
    check_in_status = ma.fields.String(allow_none=True, validate=enum(v.VERDICTS))
    session_status = ma.fields.String(allow_none=True, validate=enum(v.SESSION_STATUSES))
    session_rpe = ma.fields.Float(allow_none=True, metadata={"description": "as logged"})
    rpe_scale = ma.fields.String(allow_none=True)
    effort_cr10 = ma.fields.Float(allow_none=True, metadata={"description": "effort on CR-10"})
    minutes = ma.fields.Float(allow_none=True)
    session_load = ma.fields.Float(allow_none=True)
    planned_load = ma.fields.Float(allow_none=True)
    levels = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Integer(allow_none=True),
        metadata={"description": "level in force per modality that day"},
    )
    adherence_7d = ma.fields.Float(allow_none=True)


class TrendMarkerSchema(ma.Schema):
    id = ma.fields.String()
    date = Day(metadata={"description": "the day it was proposed"})
    effective_date = Day(allow_none=True, metadata={"description": "applied from"})
    modality = ma.fields.String()
    status = ma.fields.String()
    current_level = ma.fields.Integer()
    proposed_level = ma.fields.Integer()
    applied_level = ma.fields.Integer(allow_none=True)
    step = ma.fields.Integer()


class WeeklyAdherenceSchema(ma.Schema):
    week_start = Day()
    week_end = Day()
    due = ma.fields.Integer()
    attended = ma.fields.Integer()
    rate = ma.fields.Float(allow_none=True)


class TrendQuestionnaireSchema(ma.Schema):
    date = Day()
    week = ma.fields.String(metadata={"example": "2026-W49"})
    total = ma.fields.Integer(metadata={"description": "ESAS-r Total Symptom Distress, 0-90"})
    physical = ma.fields.Integer(metadata={"description": "ESAS-r physical sub-score, 0-60"})
    emotional = ma.fields.Integer(metadata={"description": "ESAS-r emotional sub-score, 0-20"})


class TrendsSchema(ma.Schema):
    patient_id = ma.fields.String()
    timezone = ma.fields.String()
    from_ = Day(data_key="from", attribute="from")
    to = Day()
    weeks = ma.fields.Integer()
    modalities = ma.fields.List(ma.fields.String())
    days = ma.fields.List(ma.fields.Nested(TrendDaySchema))
    adaptations = ma.fields.List(ma.fields.Nested(TrendMarkerSchema))
    weekly_adherence = ma.fields.List(ma.fields.Nested(WeeklyAdherenceSchema))
    questionnaires = ma.fields.List(
        ma.fields.Nested(TrendQuestionnaireSchema),
        metadata={"description": "weekly ESAS-r scores in the window, oldest first"},
    )
