"""The patient page charts the weekly ESAS-r beside load and adherence (issue 16, item 7)."""

from __future__ import annotations

import re

import pytest

from backend import clock
from tests.factories import bearer, clinic_with_staff, login
from tests.integration.matrix_questionnaires import ESAS
from tests.integration.review.pages import sign_in

URL = "/api/v1/me/questionnaires/esas-r"


@pytest.fixture
def physio(client):
    """The patient's physio (the day fixtures' `patient` is enrolled by this one)."""
    email = clinic_with_staff()["physio"]
    return {**login(client, email), "email": email}


def esas_chart(html: str) -> str:
    charts = re.findall(r'<svg class="chart".*?</svg>', html, re.S)
    (chart,) = [c for c in charts if "ESAS-r total symptom distress" in c]
    return chart


def test_each_weekly_answer_is_a_point_on_the_chart_and_in_the_trends(client, patient, physio):
    for pain in (6, 2):
        body = {"items": {**ESAS["items"], "pain": pain}}
        assert client.post(URL, json=body, headers=patient["headers"]).status_code == 201
        clock._clock.advance(days=7)
    trends = client.get(f"/api/v1/patients/{patient['id']}/trends", headers=bearer(physio))
    assert [q["total"] for q in trends.get_json()["questionnaires"]] == [18, 14]
    sign_in(client, physio["email"])
    html = client.get(f"/dashboard/patients/{patient['id']}").get_data(as_text=True)
    chart = esas_chart(html)
    assert "total 18/90" in chart and "total 14/90" in chart and "<polyline" in chart
    assert "Symptom distress 14/90 on 3 Dec (18 on 26 Nov)" in html


def test_without_answers_the_chart_says_so(client, patient, physio):
    sign_in(client, physio["email"])
    html = client.get(f"/dashboard/patients/{patient['id']}").get_data(as_text=True)
    assert "<rect" not in esas_chart(html).split("</text>")[-1]
    assert "No symptom questionnaire (ESAS-r) answered in this period." in html
