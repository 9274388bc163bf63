"""SQLAlchemy models: persistence only. They never commit; services own transactions."""

from backend.models.accounts import (
    AuditEvent,
    Clinic,
    InviteCode,
    RefreshToken,
    RevokedFamily,
    User,
)
from backend.models.patients import Patient, care_team

__all__ = [
    "AuditEvent",
    "Clinic",
    "InviteCode",
    "Patient",
    "RefreshToken",
    "RevokedFamily",
    "User",
    "care_team",
]
from backend.models.daily import Alert, CheckIn, ExerciseSession, SessionLog  # noqa: E402

__all__ += ["Alert", "CheckIn", "ExerciseSession", "SessionLog"]
from backend.models.adaptation import Adaptation, ModelVersion  # noqa: E402

__all__ += ["Adaptation", "ModelVersion"]
