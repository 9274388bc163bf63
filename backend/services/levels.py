"""The patient's current intensity level per modality, and what happens to it after a log."""

from __future__ import annotations

from backend.models import ExerciseSession, Patient, SessionLog
from backend.services.patients import current_levels as prescribed_levels


def current_levels(patient: Patient) -> dict[str, int]:
    """Level per prescribed modality (until adaptations exist: the physio's lock, start or minimum)."""
    return prescribed_levels(patient)


def model_version() -> str | None:
    """The tolerance model that shaped today's levels (none until a model is active)."""
    return None


def after_log(patient: Patient, session: ExerciseSession, log: SessionLog) -> None:
    """Hook for adaptation after a log (the tolerance-model issue decides the next level)."""
