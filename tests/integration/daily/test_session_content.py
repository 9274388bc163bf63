"""Today's session carries what the app shows for each block, with no extra calls."""

from __future__ import annotations

from backend.catalog import load_catalog
from backend.config import ROOT

CHECK_IN = {"fatigue": 2, "pain": 1, "symptoms": []}


def test_each_block_carries_instructions_level_text_cues_and_media(client, patient):
    client.post("/api/v1/me/check-ins", json=CHECK_IN, headers=patient["headers"])
    today = client.get("/api/v1/me/sessions/today", headers=patient["headers"]).get_json()
    catalog = load_catalog(ROOT / "content")
    assert today["blocks"], today
    for block in today["blocks"]:
        exercise = catalog.exercises[block["exercise_id"]]
        assert block["title"] == exercise.title
        assert block["instructions"] == exercise.instructions
        assert block["level_description"] == exercise.dose_at(block["level"]).description
        assert block["safety_cues"] == list(exercise.safety_cues)
        assert block["media"] and all(
            m["url"].startswith("http://localhost/media/") for m in block["media"]
        )
        # Only the block's own level: the ladder stays in the library.
        assert "levels" not in block


def test_an_exercise_without_media_shows_the_placeholder_which_is_served(client, patient):
    today = client.get("/api/v1/me/sessions/today", headers=patient["headers"]).get_json()
    media = today["blocks"][0]["media"][0]
    assert (
        media["placeholder"] and media["kind"] == "image" and media["content_type"] == "image/png"
    )
    served = client.get(media["url"].removeprefix("http://localhost"))
    assert served.status_code == 200 and len(served.data) == media["bytes"]
    assert "immutable" in served.headers["Cache-Control"]
    served.close()


def test_todays_session_has_an_etag_and_answers_304_when_unchanged(client, patient):
    first = client.get("/api/v1/me/sessions/today", headers=patient["headers"])
    etag = first.headers["ETag"]
    again = client.get(
        "/api/v1/me/sessions/today", headers={**patient["headers"], "If-None-Match": etag}
    )
    assert again.status_code == 304
    client.post("/api/v1/me/check-ins", json={**CHECK_IN, "fatigue": 6}, headers=patient["headers"])
    changed = client.get(
        "/api/v1/me/sessions/today", headers={**patient["headers"], "If-None-Match": etag}
    )
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
