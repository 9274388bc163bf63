"""In a real browser: the API docs render under their CSP, and the account page signs out
another browser (issue 14, items 2 and 8)."""

from __future__ import annotations

import pytest

from tests.e2e.test_dashboard import sign_in
from tests.factories import clinic_with_staff

pytestmark = pytest.mark.browser


def test_the_api_docs_render_under_their_content_security_policy(live_server, page):
    page.goto(live_server + "/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Onward API" in page.locator(".swagger-ui .info .title").inner_text()
    blocked = [e for e in page.console.errors if "Content Security Policy" in e]
    assert blocked == []


def test_signing_out_another_browser_from_the_account_page(live_server, page, browser):
    staff = clinic_with_staff()
    other = browser.new_context().new_page()
    try:
        sign_in(other, live_server, staff["physio"])
        sign_in(page, live_server, staff["physio"])
        page.locator(".who a").click()  # the signed-in name opens the account page
        page.wait_for_url("**/dashboard/account")
        rows = page.locator("table tbody tr")
        assert rows.count() == 2
        other_row = rows.filter(has_not_text="(this browser)")
        other_row.get_by_role("button", name="Sign out").click()
        page.wait_for_url("**/dashboard/account")
        assert page.locator("table tbody tr").count() == 1
        other.goto(live_server + "/dashboard/caseload")
        assert "/dashboard/sign-in" in other.url
        assert "You were signed out" in other.content()
    finally:
        other.context.close()
