"""The physiotherapist's view of patient records (own clinic only)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from backend.api.blueprint import Blueprint
from backend.api.docs import BEARER
from backend.schemas.common import StrictSchema, one_of, page_args, page_of
from backend.schemas.patients import (
    CaseloadEntrySchema,
    EnrolmentSchema,
    PatientCreateSchema,
    PatientSchema,
    PatientUpdateSchema,
    PrescriptionSchema,
)
from backend.security import current_actor, require
from backend.services import fhir_export, patients

blp = Blueprint("patients", __name__, url_prefix="/api/v1/patients", description="Patient records")


CaseloadArgsSchema = page_args(
    100,
    500,
    "CaseloadArgsSchema",
    search=ma.fields.String(validate=validate.Length(max=100)),
    scope=ma.fields.String(load_default="mine", validate=one_of(("mine", "clinic"), "scope")),
)
CaseloadPageSchema = page_of(CaseloadEntrySchema, "PatientPageSchema")


class FhirArgsSchema(StrictSchema):
    days = ma.fields.Integer(
        load_default=1,
        validate=validate.Range(1, 7),
        metadata={"description": "days of wearable points to include (the newest 5 000 at most)"},
    )


class FhirBundleSchema(ma.Schema):
    """A FHIR R4 Bundle (type collection), validated with fhir.resources before it is sent."""

    class Meta:
        unknown = ma.INCLUDE

    resourceType = ma.fields.String()  # noqa: N815 - the FHIR element's name
    type = ma.fields.String()
    timestamp = ma.fields.String()
    entry = ma.fields.List(ma.fields.Dict())


@blp.route("", methods=["POST"])
@blp.doc(security=BEARER)
@require("clinician")
@blp.arguments(PatientCreateSchema)
@blp.response(201, EnrolmentSchema)
@blp.doc(operationId="enrolPatient")
def enrol(body):
    """Enrol a patient.

    Enrol a patient in your clinic with their clinical record and prescription; the invite code they
    activate their account with is shown once.
    """
    return patients.enrol(current_actor(), body)


@blp.route("", methods=["GET"])
@blp.doc(security=BEARER)
@require("clinician")
@blp.arguments(CaseloadArgsSchema, location="query")
@blp.response(200, CaseloadPageSchema)
@blp.doc(operationId="listPatients")
def caseload(args):
    """List your patients.

    Your patients (or the whole clinic's with scope=clinic), alphabetical, optionally searched by
    name; paged with `cursor` and `limit`.
    """
    return patients.caseload(
        current_actor(), args.get("search"), args["scope"], args["limit"], args.get("cursor")
    )


@blp.route("/<patient_id>", methods=["GET"])
@blp.doc(security=BEARER)
@require("clinician")
@blp.response(200, PatientSchema)
@blp.doc(operationId="getPatient")
def get_patient(patient_id):
    """One patient's record.

    A patient of your clinic; any other id is a 404. The read is audited.
    """
    return patients.get(current_actor(), patient_id)


@blp.route("/<patient_id>", methods=["PATCH"])
@blp.doc(security=BEARER)
@require("clinician")
@blp.arguments(PatientUpdateSchema)
@blp.response(200, PatientSchema)
@blp.doc(operationId="updatePatient")
def update_patient(body, patient_id):
    """Change a patient's record.

    Change a patient's profile or clinical record; the clinical record is validated whole. Audited.
    """
    return patients.update(current_actor(), patient_id, body)


@blp.route("/<patient_id>/prescription", methods=["PUT"])
@blp.doc(security=BEARER)
@require("clinician")
@blp.arguments(PrescriptionSchema)
@blp.response(200, PatientSchema)
@blp.doc(operationId="replacePrescription")
def put_prescription(body, patient_id):
    """Replace a patient's prescription.

    Replace the modalities, weekly frequency and level ranges. Audited.
    """
    return patients.set_prescription(current_actor(), patient_id, body)


@blp.route("/<patient_id>/fhir", methods=["GET"])
@blp.doc(security=BEARER)
@require("clinician")
@blp.arguments(FhirArgsSchema, location="query")
@blp.response(200, FhirBundleSchema)
@blp.doc(operationId="getPatientFhirBundle")
def patient_fhir(args, patient_id):
    """Export a patient's record as FHIR.

    The patient's record as a FHIR R4 Bundle (HL7 Physical Activity IG): the prescription
    as ServiceRequest and Goals, logged sessions as exercise-duration Observations with their
    effort, red flags as Flags, and recent wearable points as Observations. Audited."""
    return fhir_export.patient_bundle(current_actor(), patient_id, args["days"])
