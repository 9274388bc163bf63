"""FHIR R4 Observation resources -> observation points.

Parsed and validated with the maintained `fhir.resources` models. Its R4B package is used:
R4B is the technical correction of R4 and leaves Observation, ServiceRequest, Goal, Flag and
Bundle structurally unchanged, and the library ships no separate R4 package (item 44 of
docs/architecture.md).
"""

from __future__ import annotations

from fhir.resources.R4B.observation import Observation
from pydantic import ValidationError

from backend.domain.observations import (
    MAX_POINTS,
    Point,
    PointError,
    make_point,
    parse_compact,
    parse_time,
)

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
BP_PANEL = "85354-9"
KIND_OF_LOINC = {
    "8867-4": "heart_rate",
    "40443-4": "resting_hr",
    "55423-8": "steps",
    "80404-7": "hrv",
    "59408-5": "spo2",
    "2708-6": "spo2",
    "8480-6": "systolic_bp",
    "8462-4": "diastolic_bp",
    "29463-7": "weight",
}
LOINC_OF_KIND = {
    "heart_rate": "8867-4",
    "resting_hr": "40443-4",
    "steps": "55423-8",
    "hrv": "80404-7",
    "spo2": "59408-5",
    "systolic_bp": "8480-6",
    "diastolic_bp": "8462-4",
    "weight": "29463-7",
}
USABLE_STATUS = ("final", "amended", "corrected", "preliminary")


def _loinc(codeable) -> str | None:
    for coding in (codeable.coding if codeable else None) or []:
        if coding.system == LOINC and (coding.code in KIND_OF_LOINC or coding.code == BP_PANEL):
            return coding.code
    return None


def _device(resource: Observation, default):
    ref = resource.device
    if ref is None:
        return default
    if ref.identifier is not None and ref.identifier.value:
        return ref.identifier.value
    return ref.reference or ref.display or default


def _times(index: int, raw: dict):
    if "effectiveDateTime" in raw or "effectiveInstant" in raw:
        field = "effectiveDateTime" if "effectiveDateTime" in raw else "effectiveInstant"
        return parse_time(raw[field], index, field), None
    period = raw.get("effectivePeriod")
    if isinstance(period, dict) and period.get("start"):
        start = parse_time(period["start"], index, "effectivePeriod.start")
        end = parse_time(period["end"], index, "effectivePeriod.end") if period.get("end") else None
        return start, end
    raise PointError(index, "effective[x]", "an Observation needs its effective time.")


def _quantity(index: int, quantity, prefix: str):
    if quantity is None or quantity.value is None:
        raise PointError(index, f"{prefix}valueQuantity", "a valueQuantity with a value is needed.")
    if quantity.system not in (None, UCUM) or not quantity.code:
        raise PointError(index, f"{prefix}valueQuantity.code", "a UCUM unit code is needed.")
    return float(quantity.value), quantity.code


def parse_fhir(index: int, raw: dict, default_device, window) -> list[Point]:
    """One Observation -> its points (a blood-pressure panel gives two)."""
    try:
        resource = Observation.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "resource"
        raise PointError(index, field, f"not a valid FHIR R4 Observation: {first['msg']}") from None
    if resource.status not in USABLE_STATUS:
        raise PointError(index, "status", f"must be one of {', '.join(USABLE_STATUS)}.")
    code = _loinc(resource.code)
    if code is None:
        raise PointError(index, "code", "no LOINC code Onward accepts.")
    start, end = _times(index, raw)
    device = _device(resource, default_device)
    if code != BP_PANEL:
        value, unit = _quantity(index, resource.valueQuantity, "")
        kind = KIND_OF_LOINC[code]
        return [
            make_point(
                index,
                kind,
                value,
                unit,
                start,
                end,
                device,
                window,
                "valueQuantity.value",
                "valueQuantity.code",
            )
        ]
    points = []
    for number, component in enumerate(resource.component or []):
        kind = KIND_OF_LOINC.get(_loinc(component.code) or "")
        if kind not in ("systolic_bp", "diastolic_bp"):
            continue
        prefix = f"component[{number}]."
        value, unit = _quantity(index, component.valueQuantity, prefix)
        points.append(
            make_point(
                index,
                kind,
                value,
                unit,
                start,
                end,
                device,
                window,
                f"{prefix}valueQuantity.value",
                f"{prefix}valueQuantity.code",
            )
        )
    if len(points) != 2:
        raise PointError(index, "component", "a blood-pressure panel needs systolic and diastolic.")
    return points


def parse_batch(raw_points: list, default_device, window) -> list[Point]:
    """Every point of a batch, or the first bad one's PointError (then nothing is stored)."""
    if not isinstance(raw_points, list) or not 1 <= len(raw_points) <= MAX_POINTS:
        raise PointError(-1, "points", f"send 1–{MAX_POINTS} points.")
    points: list[Point] = []
    for index, raw in enumerate(raw_points):
        if not isinstance(raw, dict):
            raise PointError(index, "point", "must be an object.")
        if "resourceType" in raw:
            if raw["resourceType"] != "Observation":
                raise PointError(index, "resourceType", "only Observation resources are read.")
            points.extend(parse_fhir(index, raw, default_device, window))
        else:
            points.append(parse_compact(index, raw, default_device, window))
    return points
