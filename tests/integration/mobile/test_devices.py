"""Push devices: register, remove; another patient's device is a 404 and stays."""

from __future__ import annotations

from sqlalchemy import select

from backend.extensions import db
from backend.models.notifications import Device
from tests.factories import activate, bearer, enrol, in_app

TOKEN = "f" * 64


def register(client, headers, token=TOKEN, platform="ios"):
    return client.post(
        "/api/v1/me/devices", json={"token": token, "platform": platform}, headers=headers
    )


@in_app
def stored_tokens() -> list[str]:
    return list(db.session.scalars(select(Device.token)))


def test_a_device_says_its_token_kind_and_can_be_removed(client, patient):
    ios = register(client, patient["headers"])
    assert ios.status_code == 201 and ios.get_json()["token_kind"] == "apns"
    android = register(client, patient["headers"], token="fcm-token-1", platform="android")
    assert android.get_json()["token_kind"] == "fcm"
    device_id = ios.get_json()["id"]
    gone = client.delete(f"/api/v1/me/devices/{device_id}", headers=patient["headers"])
    assert gone.status_code == 204 and gone.data == b""
    assert stored_tokens() == ["fcm-token-1"]
    again = client.delete(f"/api/v1/me/devices/{device_id}", headers=patient["headers"])
    assert again.status_code == 404
    assert register(client, patient["headers"]).status_code == 201  # a fresh registration


def test_another_patients_device_is_a_404_and_is_kept(client, patient, physio):
    device_id = register(client, patient["headers"]).get_json()["id"]
    other = bearer(activate(client, enrol(client, physio)["invite_code"]))
    response = client.delete(f"/api/v1/me/devices/{device_id}", headers=other)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert stored_tokens() == [TOKEN]
    assert client.delete("/api/v1/me/devices/nope", headers=patient["headers"]).status_code == 404


def test_a_clinician_cannot_remove_devices(client, patient, physio):
    device_id = register(client, patient["headers"]).get_json()["id"]
    response = client.delete(f"/api/v1/me/devices/{device_id}", headers=bearer(physio))
    assert response.status_code == 403 and stored_tokens() == [TOKEN]


def test_the_document_describes_the_token_kinds(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    assert "APNs" in schemas["DeviceCreate"]["properties"]["token"]["description"]
    assert schemas["Device"]["properties"]["token_kind"]["enum"] == ["apns", "fcm"]
    assert "204" in doc["paths"]["/api/v1/me/devices/{device_id}"]["delete"]["responses"]
