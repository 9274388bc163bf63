"""GET /library/exercises: the library with filters, and caching by ETag."""

from __future__ import annotations


def test_library_lists_exercises_with_ladders_and_tags(client, patient):
    response = client.get("/api/v1/library/exercises", headers=patient["headers"])
    body = response.get_json()
    assert response.status_code == 200 and len(body["exercises"]) >= 60
    first = body["exercises"][0]
    assert first["levels"] and first["safety_cues"] and "load_tags" in first


def test_library_filters(client, patient):
    aquatic = client.get(
        "/api/v1/library/exercises?modality=aquatic", headers=patient["headers"]
    ).get_json()
    assert aquatic["exercises"] and {e["modality"] for e in aquatic["exercises"]} == {"aquatic"}
    seated = client.get(
        "/api/v1/library/exercises?position=seated&equipment=band", headers=patient["headers"]
    ).get_json()
    assert seated["exercises"] and all(
        e["position"] == "seated" and "band" in e["equipment"] for e in seated["exercises"]
    )
    assert (
        client.get(
            "/api/v1/library/exercises?modality=jogging", headers=patient["headers"]
        ).status_code
        == 422
    )


def test_library_etag_gives_304(client, patient):
    first = client.get("/api/v1/library/exercises", headers=patient["headers"])
    again = client.get(
        "/api/v1/library/exercises",
        headers={**patient["headers"], "If-None-Match": first.headers["ETag"]},
    )
    assert again.status_code == 304


def test_one_exercise_and_a_missing_one(client, patient):
    assert (
        client.get("/api/v1/library/exercises/easy-walk", headers=patient["headers"]).get_json()[
            "modality"
        ]
        == "walking_aerobic"
    )
    assert (
        client.get("/api/v1/library/exercises/moonwalk", headers=patient["headers"]).status_code
        == 404
    )
