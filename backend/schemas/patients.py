"""The patient record as clients send and receive it."""

from __future__ import annotations

import marshmallow as ma
import phonenumbers
from marshmallow import validate, validates_schema

from backend.domain import vocabulary as v
from backend.domain.planner import MAX_SESSIONS_PER_WEEK
from backend.schemas.common import HHMM, Day, Float, Int, StrictSchema, one_of, time_zone

LONG_BONES = ("humerus", "proximal_femur")
SPINE = tuple(s for s in v.BONE_SITES if s.startswith("spine_"))


class LesionSchema(StrictSchema):
    site = ma.fields.String(required=True, validate=one_of(v.LESION_SITES, "lesion site"))
    side = ma.fields.String(
        load_default=None, allow_none=True, validate=one_of(("left", "right"), "side")
    )
    mirels = Int(load_default=None, allow_none=True, validate=validate.Range(4, 12))
    sins = Int(load_default=None, allow_none=True, validate=validate.Range(0, 18))
    cleared_by_clinician = ma.fields.Boolean(load_default=False)
    resistance_cleared = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "the physio cleared resistance work with this lesion"},
    )

    @validates_schema
    def _scores_fit_site(self, data, **_):
        if data.get("mirels") is not None and data["site"] not in LONG_BONES:
            raise ma.ValidationError(
                "Mirels applies to long bones (humerus, proximal femur).", "mirels"
            )
        if data.get("sins") is not None and data["site"] not in SPINE:
            raise ma.ValidationError("SINS applies to spinal lesions.", "sins")


class LabSchema(StrictSchema):
    name = ma.fields.String(required=True, validate=one_of(v.LABS, "lab"))
    value = Float(required=True)
    unit = ma.fields.String(load_default=None, allow_none=True)
    taken_on = Day(required=True)

    @validates_schema
    def _possible(self, data, **_):
        low, high = v.LAB_POSSIBLE_RANGE[data["name"]]
        if not low <= data["value"] <= high:
            raise ma.ValidationError(
                f"{data['value']} {v.LAB_UNITS[data['name']]} is not a possible {data['name']} value "
                f"(expected {low}–{high}).",
                "value",
            )
        unit = data.get("unit")
        if unit is not None and unit != v.LAB_UNITS[data["name"]]:
            raise ma.ValidationError(
                f"{data['name']} is recorded in {v.LAB_UNITS[data['name']]}.", "unit"
            )


class WindowSchema(StrictSchema):
    start = Day(required=True)
    end = Day(required=True)

    @validates_schema
    def _ordered(self, data, **_):
        if data["end"] < data["start"]:
            raise ma.ValidationError("The window ends before it starts.", "end")


class CalendarSchema(StrictSchema):
    infusions = ma.fields.List(Day(), load_default=list, validate=validate.Length(max=200))
    # High-dose IV chemotherapy: no exercise within 24 h (§11); each also counts as an infusion.
    high_dose_infusions = ma.fields.List(
        Day(), load_default=list, validate=validate.Length(max=200)
    )
    radiotherapy = ma.fields.List(
        ma.fields.Nested(WindowSchema), load_default=list, validate=validate.Length(max=50)
    )


class EquipmentSchema(StrictSchema):
    bands = ma.fields.List(
        ma.fields.String(validate=one_of(v.BAND_COLOURS, "band colour")), load_default=list
    )
    pool_access = ma.fields.Boolean(load_default=False)


class ClinicalSchema(StrictSchema):
    lesions = ma.fields.List(
        ma.fields.Nested(LesionSchema), load_default=list, validate=validate.Length(max=50)
    )
    precautions = ma.fields.List(
        ma.fields.String(validate=one_of(v.PRECAUTIONS, "precaution")), load_default=list
    )
    surgery_date = Day(load_default=None, allow_none=True)
    labs = ma.fields.List(
        ma.fields.Nested(LabSchema), load_default=list, validate=validate.Length(max=500)
    )
    calendar = ma.fields.Nested(CalendarSchema, load_default=dict)
    equipment = ma.fields.Nested(EquipmentSchema, load_default=dict)
    allow_walking_with_pelvic_lesion = ma.fields.Boolean(load_default=False)
    clearances = ma.fields.List(
        ma.fields.String(validate=one_of(v.CLEARANCES, "clearance")), load_default=list
    )

    @validates_schema
    def _surgery_needs_date(self, data, **_):
        if "recent_surgery" in (data.get("precautions") or []) and not data.get("surgery_date"):
            raise ma.ValidationError(
                "Give the surgery date for the recent_surgery precaution.", "surgery_date"
            )


class ModalityRangeSchema(StrictSchema):
    modality = ma.fields.String(required=True, validate=one_of(v.MODALITIES, "modality"))
    min_level = Int(required=True, validate=validate.Range(v.MIN_LEVEL, v.MAX_LEVEL))
    max_level = Int(required=True, validate=validate.Range(v.MIN_LEVEL, v.MAX_LEVEL))
    locked_level = Int(
        load_default=None, allow_none=True, validate=validate.Range(v.MIN_LEVEL, v.MAX_LEVEL)
    )
    sessions_per_week = Int(load_default=2, validate=validate.Range(0, 7))
    start_level = Int(
        load_default=None, allow_none=True, validate=validate.Range(v.MIN_LEVEL, v.MAX_LEVEL)
    )

    @validates_schema
    def _ordered(self, data, **_):
        if data["max_level"] < data["min_level"]:
            raise ma.ValidationError("max_level is below min_level.", "max_level")
        most = MAX_SESSIONS_PER_WEEK.get(data["modality"])
        if most is not None and data.get("sessions_per_week", 0) > most:
            raise ma.ValidationError(
                f"At most {most} sessions a week for this modality (2-3 a week, on "
                "non-consecutive days).",
                "sessions_per_week",
            )
        for key in ("locked_level", "start_level"):
            level = data.get(key)
            if level is not None and not data["min_level"] <= level <= data["max_level"]:
                raise ma.ValidationError(f"{key} must lie between min_level and max_level.", key)


class PrescriptionSchema(StrictSchema):
    modalities = ma.fields.List(
        ma.fields.Nested(ModalityRangeSchema),
        required=True,
        validate=validate.Length(min=1, max=len(v.MODALITIES)),
    )
    auto_approve_band = Int(load_default=1, validate=validate.Range(0, 3))
    rest_weekdays = ma.fields.List(Int(validate=validate.Range(0, 6)), load_default=list)

    @validates_schema
    def _unique(self, data, **_):
        names = [m["modality"] for m in data["modalities"]]
        if len(names) != len(set(names)):
            raise ma.ValidationError("Each modality may appear once.", "modalities")


class SettingsSchema(StrictSchema):
    timezone = ma.fields.String(validate=time_zone)
    reminder_time = ma.fields.String(validate=HHMM)
    window_start = ma.fields.String(validate=HHMM)
    window_end = ma.fields.String(validate=HHMM)
    quiet_start = ma.fields.String(validate=HHMM)
    quiet_end = ma.fields.String(validate=HHMM)
    channels = ma.fields.List(
        ma.fields.String(validate=one_of(("in_app", "email", "push"), "channel"))
    )


def _phone(value: str) -> str:
    """An international number ("+44 20 7946 0958"), stored as E.164."""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ma.ValidationError(
            "Give a valid phone number with its country code, e.g. +44 20 7946 0958."
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class PhoneField(ma.fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        return _phone(super()._deserialize(value, attr, data, **kwargs))


class ContactSchema(StrictSchema):
    """How the care team reaches the patient."""

    phone = PhoneField(load_default=None, allow_none=True, validate=validate.Length(max=40))
    preferred = ma.fields.String(
        load_default=None,
        allow_none=True,
        validate=one_of(v.CONTACT_PREFERENCES, "contact preference"),
    )


class PatientCreateSchema(StrictSchema):
    email = ma.fields.Email(required=True, validate=validate.Length(max=320))
    display_name = ma.fields.String(required=True, validate=validate.Length(1, 200))
    cancer_type = ma.fields.String(required=True, validate=validate.Length(1, 120))
    timezone = ma.fields.String(required=True, validate=time_zone)
    clinical = ma.fields.Nested(ClinicalSchema, load_default=dict)
    prescription = ma.fields.Nested(PrescriptionSchema, load_default=None, allow_none=True)
    settings = ma.fields.Nested(SettingsSchema, load_default=dict)
    contact = ma.fields.Nested(ContactSchema, load_default=dict)


class PatientUpdateSchema(StrictSchema):
    display_name = ma.fields.String(validate=validate.Length(1, 200))
    cancer_type = ma.fields.String(validate=validate.Length(1, 120))
    timezone = ma.fields.String(validate=time_zone)
    clinical = ma.fields.Nested(ClinicalSchema)
    settings = ma.fields.Nested(SettingsSchema)
    contact = ma.fields.Nested(ContactSchema)


class PatientSchema(ma.Schema):
    id = ma.fields.String()
    email = ma.fields.String()
    display_name = ma.fields.String()
    cancer_type = ma.fields.String()
    timezone = ma.fields.String()
    clinical = ma.fields.Nested(ClinicalSchema)
    prescription = ma.fields.Nested(PrescriptionSchema, allow_none=True)
    settings = ma.fields.Nested(SettingsSchema)
    contact = ma.fields.Nested(ContactSchema)
    clinician_ids = ma.fields.List(ma.fields.String())
    activated = ma.fields.Boolean()
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class EnrolmentSchema(ma.Schema):
    id = ma.fields.String()
    invite_code = ma.fields.String(metadata={"description": "give to the patient; shown once"})
    invite_expires_at = ma.fields.DateTime()


class CaseloadEntrySchema(ma.Schema):
    id = ma.fields.String()
    display_name = ma.fields.String()
    cancer_type = ma.fields.String()
    activated = ma.fields.Boolean()


class MeSchema(ma.Schema):
    id = ma.fields.String()
    display_name = ma.fields.String()
    cancer_type = ma.fields.String()
    timezone = ma.fields.String()
    settings = ma.fields.Nested(SettingsSchema)
    prescription = ma.fields.Nested(PrescriptionSchema, allow_none=True)
    levels = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
