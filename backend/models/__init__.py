"""SQLAlchemy models: persistence only. They never commit; services own transactions."""

from backend.models.accounts import (
    AuditEvent,
    Clinic,
    DashboardSession,
    HeldEnrolment,
    InviteCode,
    RefreshToken,
    RevokedFamily,
    User,
)
from backend.models.adaptation import Adaptation, ModelVersion
from backend.models.daily import Alert, CheckIn, ExerciseSession, SessionLog
from backend.models.notifications import Device, Notification, NotificationEvent, Snooze
from backend.models.outcomes import QuestionnaireResponse
from backend.models.patients import Patient, care_team

__all__ = [
    "Adaptation",
    "Alert",
    "AuditEvent",
    "CheckIn",
    "Clinic",
    "DashboardSession",
    "Device",
    "ExerciseSession",
    "HeldEnrolment",
    "InviteCode",
    "ModelVersion",
    "Notification",
    "NotificationEvent",
    "Patient",
    "QuestionnaireResponse",
    "RefreshToken",
    "RevokedFamily",
    "SessionLog",
    "Snooze",
    "User",
    "care_team",
]
