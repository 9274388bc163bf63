"""Issue 16, item 6: the care team can reach the patient: a validated phone number and the
preferred way, on the record and on the red-flag card; never in a log line."""

from __future__ import annotations

from tests.factories import bearer, enrol, identifying
from tests.integration.review.builders import demo_clinic
from tests.integration.review.pages import sign_in


def patch(client, d, body):
    return client.patch(
        f"/api/v1/patients/{d['ids']['ann']}", json=body, headers=bearer(d["physio"])
    )


def test_a_phone_number_is_validated_and_stored_in_international_form(client):
    d = demo_clinic(client)
    identifying("+44 20 7946 0958", "+442079460958")
    bad = patch(client, d, {"contact": {"phone": "12345", "preferred": "phone"}})
    assert bad.status_code == 422 and "country code" in str(bad.get_json()["errors"])
    unknown = patch(client, d, {"contact": {"phone": None, "preferred": "pigeon"}})
    assert unknown.status_code == 422
    good = patch(client, d, {"contact": {"phone": "+44 20 7946 0958", "preferred": "sms"}})
    assert good.status_code == 200, good.get_json()
    assert good.get_json()["contact"] == {"phone": "+442079460958", "preferred": "sms"}


def test_the_red_flag_card_shows_how_to_reach_the_patient(client):
    d = demo_clinic(client)
    identifying("+44 20 7946 0958", "+442079460958")
    sign_in(client, d["a"]["physio"])
    before = client.get("/dashboard/review").get_data(as_text=True)
    assert "No phone number on the record" in before
    patch(client, d, {"contact": {"phone": "+44 20 7946 0958", "preferred": "phone"}})
    card = client.get("/dashboard/review").get_data(as_text=True)
    assert 'href="tel:+442079460958"' in card and "+44 20 7946 0958" in card
    assert "prefers phone" in card


def test_enrolment_takes_the_contact_and_another_clinic_cannot_read_it(client):
    d = demo_clinic(client)
    identifying("+1 202 555 0143", "+12025550143")
    created = enrol(client, d["physio"], contact={"phone": "+1 202 555 0143", "preferred": "sms"})
    record = client.get(f"/api/v1/patients/{created['id']}", headers=bearer(d["physio"]))
    assert record.get_json()["contact"]["phone"] == "+12025550143"
    other = client.get(f"/api/v1/patients/{created['id']}", headers=bearer(d["b_physio_tokens"]))
    assert other.status_code == 404
