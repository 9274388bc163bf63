"""Editing the patient record on the page: the API's schemas decide, with the API's messages."""

from __future__ import annotations

from markupsafe import escape

from tests.factories import bearer, clinic_with_staff, enrol, login
from tests.integration.review.pages import sign_in, token_for

PROFILE = {
    "display_name": "Ann Hughes",
    "cancer_type": "breast",
    "timezone": "Europe/London",
    "clinical.precautions": ["lymphoedema", "falls"],
    "clinical.lesions.0.site": "spine_lumbar",
    "clinical.lesions.0.side": "",
    "clinical.lesions.0.mirels": "",
    "clinical.lesions.0.sins": "6",
    "clinical.lesions.1.site": "",  # the blank row the page always offers
    "clinical.lesions.1.side": "",
    "clinical.labs.0.name": "platelets",
    "clinical.labs.0.value": "140",
    "clinical.labs.0.taken_on": "2026-11-24",
    "clinical.calendar.infusions": "2026-11-20\n2026-12-04",
    "clinical.calendar.high_dose_infusions": "2026-12-04",
    "clinical.calendar.radiotherapy.0.start": "2026-10-01",
    "clinical.calendar.radiotherapy.0.end": "2026-10-14",
    "clinical.equipment.bands": ["yellow", "red"],
    "clinical.equipment.pool_access": "on",
}


def setup(client):
    a = clinic_with_staff()
    physio = login(client, a["physio"])
    patient = enrol(client, physio)
    sign_in(client, a["physio"])
    return a, physio, patient["id"]


def save(client, patient_id, form, what="profile"):
    page = f"/dashboard/patients/{patient_id}"
    return client.post(f"{page}/{what}", data={**form, "csrf_token": token_for(client, page)})


def record(client, physio, patient_id):
    return client.get(f"/api/v1/patients/{patient_id}", headers=bearer(physio)).get_json()


def test_a_valid_profile_is_saved_whole_and_audited(client):
    a, physio, pid = setup(client)
    response = save(client, pid, PROFILE)
    assert response.status_code == 303
    saved = record(client, physio, pid)
    assert saved["display_name"] == "Ann Hughes"
    clinical = saved["clinical"]
    assert clinical["lesions"] == [
        {
            "site": "spine_lumbar",
            "side": None,
            "mirels": None,
            "sins": 6,
            "cleared_by_clinician": False,
            "resistance_cleared": False,
        }
    ]
    assert clinical["precautions"] == ["lymphoedema", "falls"]
    assert clinical["labs"][0]["value"] == 140 and clinical["labs"][0]["taken_on"] == "2026-11-24"
    assert clinical["calendar"]["infusions"] == ["2026-11-20", "2026-12-04"]
    # the form carries every field of the record: saving it keeps a high-dose infusion
    assert clinical["calendar"]["high_dose_infusions"] == ["2026-12-04"]
    assert clinical["calendar"]["radiotherapy"] == [{"start": "2026-10-01", "end": "2026-10-14"}]
    assert clinical["equipment"] == {"bands": ["yellow", "red"], "pool_access": True}
    admin = login(client, a["admin"])
    events = client.get(
        "/api/v1/audit", query_string={"patient_id": pid}, headers=bearer(admin)
    ).get_json()["items"]
    assert any(e["action"] == "patient.update" and e["actor_id"] == a["physio_id"] for e in events)


def _messages(errors) -> list[str]:
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in _messages(value)]
    return list(errors)


def _api_errors(client, physio, pid, body):
    response = client.patch(f"/api/v1/patients/{pid}", json=body, headers=bearer(physio))
    assert response.status_code == 422
    return response.get_json()["errors"]["json"]


def test_invalid_values_are_refused_with_the_same_messages_as_the_api(client):
    _, physio, pid = setup(client)
    before = record(client, physio, pid)
    form = {
        **PROFILE,
        "timezone": "Mars/Olympus",
        "clinical.lesions.0.mirels": "9",  # Mirels is for long bones, not the spine
        "clinical.labs.0.value": "9000",  # not a possible platelet count
    }
    response = save(client, pid, form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    body = {
        "timezone": "Mars/Olympus",
        "clinical": {
            "lesions": [{"site": "spine_lumbar", "mirels": 9, "sins": 6}],
            "labs": [{"name": "platelets", "value": 9000, "taken_on": "2026-11-24"}],
        },
    }
    expected = _messages(_api_errors(client, physio, pid, body))
    assert len(expected) == 3  # time zone, Mirels on the spine, impossible platelets
    for message in expected:
        assert escape(message) in html, message
    assert 'aria-invalid="true"' in html and "Nothing was saved" in html
    assert 'value="Mars/Olympus"' in html  # what was typed is kept for correcting
    assert record(client, physio, pid)["clinical"] == before["clinical"]


def test_a_rule_across_fields_reads_the_same_as_in_the_api(client):
    _, physio, pid = setup(client)
    form = {**PROFILE, "clinical.precautions": ["recent_surgery"]}
    response = save(client, pid, form)
    assert response.status_code == 422
    api = _api_errors(client, physio, pid, {"clinical": {"precautions": ["recent_surgery"]}})
    (message,) = api["clinical"]["surgery_date"]
    assert message in response.get_data(as_text=True)
    assert 'id="f-clinical-surgery_date-error"' in response.get_data(as_text=True)


def test_a_number_field_with_text_is_refused_like_the_api_refuses_it(client):
    _, physio, pid = setup(client)
    response = save(client, pid, {**PROFILE, "clinical.lesions.0.sins": "2.5"})
    assert response.status_code == 422
    api = _api_errors(
        client, physio, pid, {"clinical": {"lesions": [{"site": "spine_lumbar", "sins": 2.5}]}}
    )
    assert api["clinical"]["lesions"]["0"]["sins"][0] in response.get_data(as_text=True)


RX = {
    "rx.walking_aerobic.on": "on",
    "rx.walking_aerobic.min_level": "2",
    "rx.walking_aerobic.max_level": "5",
    "rx.walking_aerobic.start_level": "3",
    "rx.walking_aerobic.sessions_per_week": "3",
    "rx.balance.on": "on",
    "rx.balance.min_level": "1",
    "rx.balance.max_level": "3",
    "rx.balance.locked_level": "2",
    "rx.balance.sessions_per_week": "2",
    "rx.mobility.min_level": "1",  # not ticked: not prescribed
    "auto_approve_band": "0",
    "rest_weekdays": ["6"],
}


def test_the_prescription_editor_saves_modalities_ranges_locks_and_the_band(client):
    _, physio, pid = setup(client)
    assert save(client, pid, RX, "prescription").status_code == 303
    rx = record(client, physio, pid)["prescription"]
    assert [m["modality"] for m in rx["modalities"]] == ["balance", "walking_aerobic"]
    balance, walking = rx["modalities"]
    assert balance["locked_level"] == 2 and balance["max_level"] == 3
    assert walking == {
        "modality": "walking_aerobic",
        "min_level": 2,
        "max_level": 5,
        "locked_level": None,
        "sessions_per_week": 3,
        "start_level": 3,
    }
    assert rx["auto_approve_band"] == 0 and rx["rest_weekdays"] == [6]


def test_an_invalid_prescription_changes_nothing_and_names_the_field(client):
    _, physio, pid = setup(client)
    before = record(client, physio, pid)["prescription"]
    bad = {**RX, "rx.walking_aerobic.max_level": "1", "auto_approve_band": "5"}
    response = save(client, pid, bad, "prescription")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    api = client.put(
        f"/api/v1/patients/{pid}/prescription",
        json={
            "modalities": [{"modality": "walking_aerobic", "min_level": 2, "max_level": 1}],
            "auto_approve_band": 5,
        },
        headers=bearer(physio),
    ).get_json()["errors"]["json"]
    assert api["modalities"]["0"]["max_level"][0] in html
    assert api["auto_approve_band"][0] in html
    assert 'id="f-rx-walking_aerobic-max_level-error"' in html  # the message sits by its field
    assert record(client, physio, pid)["prescription"] == before
    none_ticked = save(client, pid, {"auto_approve_band": "1"}, "prescription")
    assert none_ticked.status_code == 422


def test_patient_page_shows_every_rule_shaping_today_with_its_source(client):
    a, physio, pid = setup(client)
    assert save(client, pid, PROFILE).status_code == 303  # lumbar lesion, lymphoedema, falls
    page = client.get(f"/dashboard/patients/{pid}").get_data(as_text=True)
    section = page[page.index('id="today-rules"') : page.index('id="alerts"')]
    for code in ("lesion_module_lumbar_spine", "falls", "lymphoedema", "check_in_missing"):
        assert code.replace("_", " ").capitalize()[:12].lower() in section.lower(), code
    # The source's own sentence, not our paraphrase.
    assert str(escape("no brisk-walking programmes for people at high fall risk")) in section
    assert "Sherrington C et al." in section
