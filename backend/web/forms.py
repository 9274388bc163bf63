"""HTML forms to and from the API's JSON shapes.

The forms only reshape what was typed; every rule lives in the API's marshmallow schemas
(PatientUpdateSchema, PrescriptionSchema, DecisionSchema), so the dashboard accepts and refuses
exactly what the API does, with the same messages.
"""

from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict

from backend.domain import vocabulary as v

ROW = re.compile(r"^(?P<list>[\w.]+)\.(?P<index>\d+)\.(?P<field>\w+)$")


def number(raw: str | None):
    """'' -> None, '3' -> 3, '2.5' -> 2.5; anything else stays text for the schema to refuse."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def _text(form: MultiDict, key: str) -> str | None:
    value = form.get(key)
    return value.strip() if value is not None and value.strip() else None


def _rows(form: MultiDict, name: str) -> list[dict[str, str]]:
    """Repeated rows `name.<i>.<field>` in row order; rows left entirely blank are dropped."""
    rows: dict[int, dict[str, str]] = {}
    for key in form:
        match = ROW.match(key)
        if match and match["list"] == name:
            rows.setdefault(int(match["index"]), {})[match["field"]] = form.get(key, "")
    return [row for _, row in sorted(rows.items()) if any(v.strip() for v in row.values())]


def _put(target: dict, key: str, value) -> None:
    if value is not None:
        target[key] = value


def _lesion(row: dict[str, str]) -> dict:
    lesion: dict = {}
    _put(lesion, "site", row.get("site") or None)
    lesion["side"] = row.get("side") or None
    lesion["mirels"] = number(row.get("mirels"))
    lesion["sins"] = number(row.get("sins"))
    lesion["cleared_by_clinician"] = row.get("cleared_by_clinician") == "on"
    lesion["resistance_cleared"] = row.get("resistance_cleared") == "on"
    return lesion


def _lab(row: dict[str, str]) -> dict:
    lab: dict = {}
    _put(lab, "name", row.get("name") or None)
    _put(lab, "value", number(row.get("value")))
    _put(lab, "taken_on", row.get("taken_on") or None)
    return lab


def _window(row: dict[str, str]) -> dict:
    window: dict = {}
    _put(window, "start", row.get("start") or None)
    _put(window, "end", row.get("end") or None)
    return window


def _dates(raw: str | None) -> list[str]:
    return [d for d in re.split(r"[\s,;]+", raw or "") if d]


def profile_body(form: MultiDict) -> dict:
    """The profile form as a PATCH /api/v1/patients/{id} body (clinical document whole)."""
    body: dict = {}
    for key in ("display_name", "cancer_type", "timezone"):
        body[key] = (form.get(key) or "").strip()
    body["contact"] = {
        "phone": _text(form, "contact.phone"),
        "preferred": _text(form, "contact.preferred"),
    }
    clinical = {
        "lesions": [_lesion(r) for r in _rows(form, "clinical.lesions")],
        "precautions": form.getlist("clinical.precautions"),
        "clearances": form.getlist("clinical.clearances"),
        "surgery_date": _text(form, "clinical.surgery_date"),
        "labs": [_lab(r) for r in _rows(form, "clinical.labs")],
        "calendar": {
            "infusions": _dates(form.get("clinical.calendar.infusions")),
            "high_dose_infusions": _dates(form.get("clinical.calendar.high_dose_infusions")),
            "radiotherapy": [_window(r) for r in _rows(form, "clinical.calendar.radiotherapy")],
        },
        "equipment": {
            "bands": form.getlist("clinical.equipment.bands"),
            "pool_access": form.get("clinical.equipment.pool_access") == "on",
        },
        "allow_walking_with_pelvic_lesion": form.get("clinical.allow_walking_with_pelvic_lesion")
        == "on",
    }
    body["clinical"] = clinical
    return body


def prescription_body(form: MultiDict) -> tuple[dict, list[str]]:
    """The prescription form as a PUT .../prescription body, and the modality at each position."""
    modalities, order = [], []
    for modality in v.MODALITIES:
        if form.get(f"rx.{modality}.on") != "on":
            continue
        item: dict = {"modality": modality}
        for key in ("min_level", "max_level", "sessions_per_week"):
            _put(item, key, number(form.get(f"rx.{modality}.{key}")))
        for key in ("locked_level", "start_level"):
            item[key] = number(form.get(f"rx.{modality}.{key}"))
        modalities.append(item)
        order.append(modality)
    body: dict = {"modalities": modalities}
    _put(body, "auto_approve_band", number(form.get("auto_approve_band")))
    body["rest_weekdays"] = [number(d) for d in form.getlist("rest_weekdays")]
    return body, order


def flatten(messages, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested errors as {'clinical.lesions.0.mirels': [...]} (the form's names)."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = prefix if key == "_schema" else f"{prefix}.{key}" if prefix else str(key)
            for field, errors in flatten(value, name).items():
                out.setdefault(field, []).extend(errors)
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        out[prefix or "_form"] = list(messages)
    else:
        out[prefix or "_form"] = [str(messages)]
    return out


def prescription_errors(errors: dict[str, list[str]], order: list[str]) -> dict[str, list[str]]:
    """'modalities.1.max_level' -> 'rx.balance.max_level', matching the form's field names."""
    out: dict[str, list[str]] = {}
    for key, messages in errors.items():
        match = re.match(r"^modalities\.(\d+)\.(\w+)$", key)
        if match and int(match[1]) < len(order):
            key = f"rx.{order[int(match[1])]}.{match[2]}"
        out.setdefault(key, []).extend(messages)
    return out


def prescription_values(body: dict | None) -> dict:
    """A prescription (stored or as submitted) keyed by modality, for filling the form."""
    body = body or {}
    return {
        "modalities": {m["modality"]: m for m in body.get("modalities", [])},
        "auto_approve_band": body.get("auto_approve_band", 1),
        "rest_weekdays": body.get("rest_weekdays", []),
    }
