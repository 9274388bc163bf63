"""The closed vocabularies with their plain labels, for the app's pickers and badges."""

from __future__ import annotations

from backend.domain import questionnaires as q
from backend.domain import vocabulary as v
from backend.services import content


def _coded(codes, labels: dict, **extra) -> list[dict]:
    return [{"code": c, "label": labels[c], **{k: f(c) for k, f in extra.items()}} for c in codes]


def _symptoms() -> list[dict]:
    """Each symptom code with how the safety rules treat it on its own (red or amber)."""
    rules = content.current().rules
    flags = {f.symptom: f for f in rules.red_flags}
    worse_with_lesion = {s for r in rules.lesion_symptoms for s in r.symptoms}
    return [
        {
            "code": code,
            "label": label,
            "severity": flags[code].rule.severity if code in flags else "red",
            "emergency": code in flags and flags[code].tier == "emergency",
            "red_with_spinal_lesion": code in worse_with_lesion,
        }
        for code, label in v.SYMPTOM_LABELS.items()
    ]


def _esas_r() -> dict:
    """The ESAS-r form's own wording, for the app to show as published."""
    items = [(i, False) for i in q.ITEMS] + [(q.OTHER, True)]
    return {
        "instrument": q.ESAS_R,
        "version": q.ESAS_R_VERSION,
        "instruction": q.INSTRUCTION,
        "source": q.SOURCE,
        "items": [
            {"code": i.code, "least": i.least, "most": i.most, "meaning": i.meaning, "optional": o}
            for i, o in items
        ],
    }


def vocabulary() -> dict:
    """Every code the API exchanges that the app shows, with its label (and unit, severity)."""
    return {
        "rules_version": content.current().rules.version,
        "symptoms": _symptoms(),
        "modalities": _coded(v.MODALITIES, v.MODALITY_LABELS),
        "session_statuses": _coded(v.SESSION_STATUSES, v.SESSION_STATUS_LABELS),
        "verdicts": _coded(v.VERDICTS, v.VERDICT_LABELS),
        "precautions": _coded(v.PRECAUTIONS, v.PRECAUTION_LABELS),
        "clearances": _coded(v.CLEARANCES, v.CLEARANCE_LABELS),
        "lesion_sites": _coded(
            v.LESION_SITES, v.LESION_SITE_LABELS, bone=v.BONE_SITES.__contains__
        ),
        "labs": _coded(v.LABS, v.LAB_LABELS, unit=v.LAB_UNITS.get),
        "vitals": _coded(v.VITALS, v.VITAL_LABELS, unit=v.VITAL_UNITS.get),
        "esas_r": _esas_r(),
    }
