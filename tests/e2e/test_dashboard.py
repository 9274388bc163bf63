"""The physiotherapist's morning in a real browser: sign in, triage, acknowledge, decide.

The decisions are then confirmed through the JSON API, as the patient's app would see them.
"""

from __future__ import annotations

import json
import urllib.request
from datetime import timedelta

import pytest

from backend import clock
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD
from tests.integration.review.builders import demo_clinic

pytestmark = pytest.mark.browser


def api(base: str, path: str, token: str | None = None, body: dict | None = None) -> dict:
    """Call the live server's JSON API (the app's own client, over HTTP)."""
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode() if body is not None else None,
        headers={
            "Content-Type": "application/json",
            **({"Authorization": f"Bearer {token}"} if token else {}),
        },
        method="POST" if body is not None else "GET",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
        return json.loads(response.read())


def sign_in(page, base: str, email: str) -> None:
    page.goto(base + "/dashboard/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/caseload")


def test_physio_acknowledges_a_red_flag_and_decides_two_proposals(client, live_server, page):
    d = demo_clinic(client)
    # The physio starts work 20 minutes after Ann's red check-in (the server reads this clock).
    with clock.frozen(clock.now() + timedelta(minutes=20)):
        _morning_round(d, live_server, page)


def _morning_round(d: dict, live_server: str, page) -> None:
    sign_in(page, live_server, d["a"]["physio"])

    # The caseload: the patient with the red flag comes first.
    rows = page.locator("table.caseload tbody tr")
    assert rows.first.locator("th a").inner_text() == "Ann Hughes"
    assert "Red flag" in rows.first.inner_text()
    assert page.locator(".count-red_flag strong").inner_text() == "1"
    screenshot(page, "caseload")

    # Her page: acknowledge the red flag with a note.
    rows.first.locator("th a").click()
    page.wait_for_url(f"**/dashboard/patients/{d['ids']['ann']}")
    assert page.locator("svg.chart").count() == 8  # 5 charts with the ESAS-r, 3 levels
    screenshot(page, "patient")
    alerts = page.locator("#alerts")
    alerts.get_by_label("What did you do?").fill("Phoned Ann: indigestion, GP review today.")
    alerts.get_by_label("Resume lighter for a week").check()
    alerts.get_by_role("button", name="Acknowledge").click()
    page.wait_for_load_state()
    assert "Red flag acknowledged for Ann Hughes" in page.locator(".flash").inner_text()
    assert "No open red flags." in page.locator("#alerts").inner_text()

    # Approve the walking proposal in the review queue ...
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Review queue").click()
    page.wait_for_url("**/dashboard/review")
    walking = page.locator(f"#proposal-{d['proposals']['walking']}")
    walking.get_by_role("button", name="Approve L3").click()
    page.wait_for_load_state()
    assert (
        "Approved: Ann Hughes, walking aerobic at level 3." in page.locator(".flash").inner_text()
    )
    screenshot(page, "review-queue")

    # ... and set the band proposal (2 -> 4) to level 3 instead, from her page.
    page.goto(f"{live_server}/dashboard/patients/{d['ids']['ann']}#proposals")
    band = page.locator(f"#proposal-{d['proposals']['band']}")
    band.get_by_label("Note").fill("One level at a time.")
    band.get_by_label("Level", exact=True).select_option("3")
    band.get_by_role("button", name="Set level").click()
    page.wait_for_load_state()
    assert "Changed: Ann Hughes, resistance band at level 3." in page.locator(".flash").inner_text()
    assert page.locator("#proposals .proposal-card").count() == 0
    assert page.console.errors == []

    # The JSON API agrees: the alert is acknowledged, both decisions are recorded, and the
    # patient's levels are the ones the physio chose.
    physio = api(
        live_server, "/api/v1/auth/login", body={"email": d["a"]["physio"], "password": PASSWORD}
    )["access_token"]
    acknowledged = api(live_server, "/api/v1/alerts?status=acknowledged", physio)
    assert acknowledged[0]["note"] == "Phoned Ann: indigestion, GP review today."
    assert acknowledged[0]["decision"] == "resume_lighter"
    assert acknowledged[0]["acknowledged_by"] == d["a"]["physio_id"]
    approved = {a["id"]: a for a in api(live_server, "/api/v1/adaptations?status=approved", physio)}
    modified = {a["id"]: a for a in api(live_server, "/api/v1/adaptations?status=modified", physio)}
    assert approved[d["proposals"]["walking"]]["applied_level"] == 3
    band = modified[d["proposals"]["band"]]
    assert band["applied_level"] == 3 and band["note"] == "One level at a time."
    assert band["decided_by"] == d["a"]["physio_id"]
    ann = api(
        live_server,
        "/api/v1/auth/login",
        body={"email": "ann@riverside.example", "password": PASSWORD},
    )["access_token"]
    levels = api(live_server, "/api/v1/me", ann)["levels"]
    assert levels["walking_aerobic"] == 3 and levels["resistance_band"] == 3


def test_readable_on_a_tablet_and_usable_from_the_keyboard(client, live_server, browser):
    d = demo_clinic(client)
    context = browser.new_context(viewport={"width": 768, "height": 1024}, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        sign_in(page, live_server, d["a"]["physio"])
        for path, name in (
            ("/dashboard/caseload", "caseload-tablet"),
            (f"/dashboard/patients/{d['ids']['ann']}", "patient-tablet"),
            ("/dashboard/review", "review-tablet"),
        ):
            page.goto(live_server + path)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 768px"
            screenshot(page, name)
        # Keyboard: the first Tab reaches "Skip to content", which moves focus to the page.
        page.goto(live_server + "/dashboard/caseload")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Skip to content"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        # Every form control on the patient page has a label a screen reader can announce.
        page.goto(f"{live_server}/dashboard/patients/{d['ids']['ann']}")
        unlabelled = page.evaluate(
            """[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
                .map(el => el.name)"""
        )
        assert unlabelled == []
        assert errors == []
    finally:
        context.close()


def test_another_clinic_cannot_open_the_patient_in_the_browser(client, live_server, page):
    d = demo_clinic(client)
    sign_in(page, live_server, d["b"]["physio"])
    assert "Ann Hughes" not in page.locator("main").inner_text()
    response = page.goto(f"{live_server}/dashboard/patients/{d['ids']['ann']}")
    assert response.status == 404
    assert "Not found" in page.locator("h1").inner_text()
    assert "Ann" not in page.content()
