"""A signed-in patient with a prescription, for the day's tests."""

from __future__ import annotations

import pytest

from tests.factories import activate, bearer, clinic_with_staff, enrol, login


@pytest.fixture
def physio(client):
    return login(client, clinic_with_staff()["physio"])


@pytest.fixture
def patient(client, physio):
    """Ann: no lesions, bands and a pool, walking + bands + tai chi, signed in."""
    created = enrol(
        client,
        physio,
        clinical={
            "labs": [{"name": "platelets", "value": 200, "taken_on": "2026-11-24"}],
            "equipment": {"bands": ["yellow", "red", "green"], "pool_access": True},
        },
        prescription={
            "modalities": [
                {
                    "modality": "walking_aerobic",
                    "min_level": 1,
                    "max_level": 6,
                    "start_level": 3,
                    "sessions_per_week": 4,
                },
                {
                    "modality": "resistance_band",
                    "min_level": 1,
                    "max_level": 6,
                    "start_level": 3,
                    "sessions_per_week": 2,
                },
                {
                    "modality": "tai_chi_qigong",
                    "min_level": 1,
                    "max_level": 6,
                    "start_level": 3,
                    "sessions_per_week": 2,
                },
            ]
        },
    )
    tokens = activate(client, created["invite_code"])
    return {"id": created["id"], "tokens": tokens, "headers": bearer(tokens)}
