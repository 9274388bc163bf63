"""One row of the authorisation matrix (see test_authorisation_matrix.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoint:
    method: str
    rule: str  # the Flask rule, e.g. /api/v1/patients/<patient_id>
    roles: tuple[str, ...]  # roles allowed to call it at all: patient, clinician, admin
    patient_scoped: bool = False  # the URL names a patient record or a patient's resource
    # Who may see the named record: "clinic" = clinicians of the patient's clinic (physio
    # endpoints); "self" = only the patient it belongs to (/me/... resources).
    scope: str = "clinic"
    body: dict | None = None
    headers: dict | None = None
    ok: int = 200  # the status the allowed caller gets
    # Optional: (client, world, url, target) -> url, to fill other ids in the rule (e.g. a
    # resource of the target patient) before the call.
    prepare: Callable | None = None
