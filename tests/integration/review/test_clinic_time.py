"""Issue 16, item 5: the dashboard shows clinic-local times (a clinic time-zone setting) and
the patient's own local time on their page. The frozen 'now' is 09:00 UTC on 26 Nov 2026."""

from __future__ import annotations

from backend.services import accounts
from tests import factories
from tests.factories import in_app
from tests.integration.review.builders import demo_clinic
from tests.integration.review.pages import sign_in

set_zone = in_app(accounts.set_clinic_timezone)


def test_alert_times_are_in_the_clinics_zone(client):
    d = demo_clinic(client)
    set_zone(d["a"]["clinic_id"], "America/New_York")
    sign_in(client, d["a"]["physio"])
    html = client.get("/dashboard/review").get_data(as_text=True)
    assert "26 Nov 2026, 04:00 EST" in html  # Ann's red check-in at 09:00 UTC
    assert "09:00 UTC" not in html


def test_a_new_clinic_shows_utc_until_its_zone_is_set(client):
    d = demo_clinic(client)
    sign_in(client, d["a"]["physio"])
    assert "26 Nov 2026, 09:00 UTC" in client.get("/dashboard/review").get_data(as_text=True)


def test_the_patient_page_shows_the_patients_local_time(client):
    d = demo_clinic(client)
    sign_in(client, d["a"]["physio"])
    page = client.get(f"/dashboard/patients/{d['ids']['ann']}").get_data(as_text=True)
    assert "for the patient now" in page


def clinic_timezone_command(clinic_id: str, zone: str):
    return factories.APP.test_cli_runner().invoke(
        args=["users", "clinic-timezone", "--clinic", clinic_id, "--timezone", zone]
    )


def test_the_clinic_timezone_command_refuses_an_unknown_zone_in_one_line(client):
    d = demo_clinic(client)
    bad = clinic_timezone_command(d["a"]["clinic_id"], "Mars/Base")
    assert bad.exit_code != 0 and "Unknown time zone 'Mars/Base'" in bad.output
    assert "Traceback" not in bad.output
    good = clinic_timezone_command(d["a"]["clinic_id"], "Asia/Tokyo")
    assert good.exit_code == 0, good.output
    assert in_app(accounts.clinic_timezone)(d["a"]["clinic_id"]) == "Asia/Tokyo"
