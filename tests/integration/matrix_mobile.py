"""Authorisation-matrix rows for the mobile contract: check-in list, sync, device removal."""

from __future__ import annotations

from tests.factories import bearer
from tests.integration.matrix import Endpoint
from tests.integration.matrix_daily import PATIENT_OF


def _device_of(client, w, url, target):
    """Fill <device_id> with a push device of the target patient (or an id that doesn't exist)."""
    if target == "missing":
        return url.replace("<device_id>", "0" * 32)
    tokens = w["tokens"][PATIENT_OF[target]]
    device = client.post(
        "/api/v1/me/devices",
        json={"token": f"matrix-{target}", "platform": "ios"},
        headers=bearer(tokens),
    ).get_json()
    return url.replace("<device_id>", device["id"])


ROWS = [
    Endpoint("GET", "/api/v1/me/check-ins", ("patient",)),
    Endpoint(
        "POST",
        "/api/v1/me/sync",
        ("patient",),
        body={
            "actions": [
                {
                    "kind": "check_in",
                    "idempotency_key": "matrix-sync-1",
                    "check_in": {"fatigue": 2, "pain": 1},
                }
            ]
        },
    ),
    Endpoint(
        "DELETE",
        "/api/v1/me/devices/<device_id>",
        ("patient",),
        patient_scoped=True,
        scope="self",
        ok=204,
        prepare=_device_of,
    ),
]
