"""GET /api/v1/vocabulary and the enums of the OpenAPI document."""

from __future__ import annotations

import pytest

from backend.domain import vocabulary as v
from backend.domain.safety import red_flag_codes

LABELLED = {
    "MODALITIES": "MODALITY_LABELS",
    "SESSION_STATUSES": "SESSION_STATUS_LABELS",
    "VERDICTS": "VERDICT_LABELS",
    "PRECAUTIONS": "PRECAUTION_LABELS",
    "CLEARANCES": "CLEARANCE_LABELS",
    "LESION_SITES": "LESION_SITE_LABELS",
    "LABS": "LAB_LABELS",
    "VITALS": "VITAL_LABELS",
}


@pytest.mark.parametrize(("codes", "labels"), LABELLED.items())
def test_every_code_has_exactly_one_plain_label(codes, labels):
    assert list(getattr(v, labels)) == list(getattr(v, codes))
    assert all(label.strip() and "_" not in label for label in getattr(v, labels).values())


def test_the_symptom_vocabulary_is_what_the_safety_rules_know(app):
    from backend.services import content

    with app.app_context():
        assert set(v.SYMPTOMS) == red_flag_codes(content.current().rules)


def test_vocabulary_is_public_and_says_which_symptoms_are_red_or_amber(client):
    response = client.get("/api/v1/vocabulary")
    assert response.status_code == 200 and response.headers.get("ETag")
    body = response.get_json()
    symptoms = {s["code"]: s for s in body["symptoms"]}
    assert symptoms["chest_pain"] == {
        "code": "chest_pain",
        "label": "Chest pain or pressure",
        "severity": "red",
        "emergency": True,
        "red_with_spinal_lesion": False,
    }
    assert symptoms["nausea"]["severity"] == "amber" and not symptoms["nausea"]["emergency"]
    assert (
        symptoms["tingling"]["severity"] == "amber"
        and symptoms["tingling"]["red_with_spinal_lesion"]
    )
    assert {"code": "platelets", "label": "Platelets", "unit": "10^9/L"} in body["labs"]
    assert {"code": "spo2", "label": "Oxygen saturation", "unit": "%"} in body["vitals"]
    assert {"code": "missed", "label": "Missed"} in body["session_statuses"]
    assert {"code": "pelvis", "label": "Pelvis", "bone": True} in body["lesion_sites"]
    assert [m["code"] for m in body["modalities"]] == list(v.MODALITIES)
    again = client.get("/api/v1/vocabulary", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def _schema(doc, name):
    return doc["components"]["schemas"][name]["properties"]


def test_the_served_document_lists_the_vocabularies_as_enums(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    check_in = _schema(doc, "CheckInCreate")
    assert check_in["symptoms"]["items"]["enum"] == list(v.SYMPTOMS)
    session = _schema(doc, "Session")
    assert session["status"]["enum"] == list(v.SESSION_STATUSES)
    assert session["verdict"]["enum"] == list(v.VERDICTS)
    assert _schema(doc, "Block")["modality"]["enum"] == list(v.MODALITIES)
    assert _schema(doc, "CheckIn")["status"]["enum"] == list(v.VERDICTS)
    clinical = next(
        s
        for n, s in doc["components"]["schemas"].items()
        if "precautions" in s.get("properties", {})
    )
    assert clinical["properties"]["precautions"]["items"]["enum"] == list(v.PRECAUTIONS)
    assert clinical["properties"]["clearances"]["items"]["enum"] == list(v.CLEARANCES)
    lesion = next(
        s for s in doc["components"]["schemas"].values() if "sins" in s.get("properties", {})
    )
    assert lesion["properties"]["site"]["enum"] == list(v.LESION_SITES)
    lab = next(
        s
        for s in doc["components"]["schemas"].values()
        if {"name", "value", "taken_on"} <= set(s.get("properties", {}))
    )
    assert lab["properties"]["name"]["enum"] == list(v.LABS)
    assert "security" not in doc["paths"]["/api/v1/vocabulary"]["get"]


def test_an_unknown_symptom_is_a_422_naming_the_code(client, patient):
    response = client.post(
        "/api/v1/me/check-ins",
        json={"fatigue": 2, "pain": 1, "symptoms": ["headache"]},
        headers=patient["headers"],
    )
    assert response.status_code == 422
    assert "headache" in str(response.get_json()["errors"])
