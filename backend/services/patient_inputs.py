"""The stored patient record as the pure safety, planner and coach functions take it."""

from __future__ import annotations

from datetime import date

from backend.domain import records
from backend.models import Patient


def _day(value) -> date | None:
    return date.fromisoformat(value) if value else None


def domain_inputs(
    patient: Patient,
) -> tuple[records.PatientProfile, tuple, records.TreatmentCalendar]:
    """The stored record as the pure safety and planner functions take it.

    The document was validated whole when it was written, so it is read directly here (the
    hot path of every check-in and session) rather than through marshmallow again.
    """
    clinical = patient.clinical or {}
    equipment = clinical.get("equipment") or {}
    profile = records.PatientProfile(
        cancer_type=patient.cancer_type,
        lesions=tuple(
            records.Lesion(
                site=lesion["site"],
                side=lesion.get("side"),
                mirels=lesion.get("mirels"),
                sins=lesion.get("sins"),
                cleared_by_clinician=bool(lesion.get("cleared_by_clinician")),
                resistance_cleared=bool(lesion.get("resistance_cleared")),
            )
            for lesion in clinical.get("lesions", [])
        ),
        precautions=frozenset(clinical.get("precautions", [])),
        surgery_date=_day(clinical.get("surgery_date")),
        bands_owned=tuple(equipment.get("bands", [])),
        pool_access=bool(equipment.get("pool_access")),
        allow_walking_with_pelvic_lesion=bool(clinical.get("allow_walking_with_pelvic_lesion")),
        clearances=frozenset(clinical.get("clearances", [])),
    )
    labs = tuple(
        records.LabResult(lab["name"], lab["value"], _day(lab["taken_on"]))
        for lab in clinical.get("labs", [])
    )
    calendar_doc = clinical.get("calendar") or {}
    calendar = records.TreatmentCalendar(
        infusions=tuple(
            _day(d)
            for d in sorted({*calendar_doc.get("infusions", []), *_high_dose(calendar_doc)})
        ),
        high_dose_infusions=tuple(_day(d) for d in _high_dose(calendar_doc)),
        radiotherapy=tuple(
            (_day(w["start"]), _day(w["end"])) for w in calendar_doc.get("radiotherapy", [])
        ),
    )
    return profile, labs, calendar


def _high_dose(calendar_doc: dict) -> list:
    return calendar_doc.get("high_dose_infusions", [])


def domain_prescription(patient: Patient) -> records.Prescription | None:
    doc = patient.prescription
    if not doc:
        return None
    return records.Prescription(
        modalities=tuple(
            records.ModalityRange(
                modality=m["modality"],
                min_level=m["min_level"],
                max_level=m["max_level"],
                locked_level=m.get("locked_level"),
                sessions_per_week=m.get("sessions_per_week", 2),
            )
            for m in doc["modalities"]
        ),
        auto_approve_band=doc.get("auto_approve_band", 1),
        rest_weekdays=frozenset(doc.get("rest_weekdays", [])),
    )
