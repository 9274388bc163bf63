"""A newcomer's first look (issue 16): the demo clinic, seeded with history, in a browser."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from backend.services import demo
from tests.conftest import need_service
from tests.e2e.conftest import SCREENSHOTS, screenshot
from tests.factories import in_app

pytestmark = pytest.mark.browser

INTERNAL = re.compile(r"\b(theta|P\(tolerated\)|[a-z]+_[a-z_]+)\b")


@in_app
def seed_demo():
    return demo.seed()


def sign_in_as_demo_physio(page, base: str) -> None:
    page.goto(base + "/dashboard/")
    page.get_by_label("E-mail").fill(demo.PHYSIO[0])
    page.get_by_label("Password").fill(demo.PHYSIO[2])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/caseload")


def test_the_demo_clinic_shows_what_the_coach_does(client, live_server, page):
    seed_demo()
    sign_in_as_demo_physio(page, live_server)
    rows = page.locator("table.caseload tbody tr")
    assert rows.count() == 3
    screenshot(page, "demo-caseload")
    for i in range(3):
        page.goto(live_server + "/dashboard/caseload")
        page.locator("table.caseload tbody tr").nth(i).locator("th a").click()
        page.wait_for_load_state()
        # Every chart has data: a drawn line or bars, not an empty frame.
        charts = page.locator("svg.chart")
        assert charts.count() >= 5
        for c in range(charts.count()):
            inner = charts.nth(c).inner_html()
            assert "<polyline" in inner or "<rect" in inner or "<path" in inner, c
        timeline = page.locator("#timeline").inner_text()
        assert not INTERNAL.search(timeline), INTERNAL.search(timeline)
        # The weekly ESAS-r: one point per answered week, joined by a line.
        esas = page.locator("svg.chart", has_text="ESAS-r total symptom distress")
        assert esas.count() == 1
        assert esas.locator("rect").count() >= 6 and esas.locator("polyline").count() == 1
        screenshot(page, f"demo-patient-{i}")
        if i == 0:
            summary_opens(page, live_server)
    page.goto(live_server + "/dashboard/review")
    screenshot(page, "demo-review-queue")
    cards = page.locator(".proposal-card").all()
    assert cards, "no proposal waiting for the physio"
    for card in cards:
        why = card.locator(".proposal-body").inner_text()
        assert not INTERNAL.search(why), INTERNAL.search(why)


def summary_opens(page, base: str) -> None:
    """The page's programme-summary link gives a PDF whose first page pdftoppm renders."""
    if not shutil.which("pdftoppm"):
        need_service("poppler-utils", "pdftoppm not found (apt-get install poppler-utils)")
    link = page.get_by_role("link", name=re.compile("Programme summary"))
    response = page.request.get(base + link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pdf = SCREENSHOTS / "demo-summary.pdf"
    pdf.write_bytes(response.body())
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(SCREENSHOTS / "demo-summary-page-1"),
        ],
        check=True,
    )
    assert (SCREENSHOTS / "demo-summary-page-1.png").stat().st_size > 20_000
