"""GET /api/v1/caseload and the caseload page: status per patient, most urgent first."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from backend import clock
from backend.extensions import db
from backend.services import accounts
from tests.factories import bearer, clinic_with_staff, enrol, in_app, login
from tests.integration.review.builders import Day, adaptation, demo_clinic, open_alert, record_days
from tests.integration.review.pages import sign_in


def caseload(client, tokens, **query):
    response = client.get("/api/v1/caseload", query_string=query, headers=bearer(tokens))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_red_flags_first_then_proposals_then_missed_sessions_then_the_rest(client):
    d = demo_clinic(client)
    body = caseload(client, d["physio"])
    names = [p["display_name"] for p in body["items"]]
    assert names[0] == "Ann Hughes"  # open red flag
    assert names[1] == "Cara Lim"  # a proposal to review
    assert set(names[2:4]) == {"Bob Price", "Fay Green"}  # missed sessions / adherence
    assert set(names[4:]) == {"Dev Patel", "Eve Stone"}
    assert [p["rank"] for p in body["items"]] == [1, 2, 3, 4, 5, 6]
    assert [p["status"] for p in body["items"]][:4] == [
        "red_flag",
        "review",
        "attention",
        "attention",
    ]
    assert body["counts"] == {
        "patients": 6,
        "red_flag": 1,
        "review": 1,
        "attention": 2,
        "stable": 2,
        "open_red_flags": 1,
        "pending_proposals": 3,
    }


def test_each_line_carries_the_numbers_behind_its_status(client):
    d = demo_clinic(client)
    by_name = {p["display_name"]: p for p in caseload(client, d["physio"])["items"]}
    ann = by_name["Ann Hughes"]
    assert ann["open_red_flags"] == 1 and ann["pending_proposals"] == 2
    assert ann["last_check_in"]["status"] == "red" and ann["last_check_in"]["days_ago"] == 0
    bob = by_name["Bob Price"]
    assert bob["missed_sessions_7d"] == 4
    assert {r["code"] for r in bob["reasons"]} >= {"missed_sessions"}
    fay = by_name["Fay Green"]
    assert "adherence_falling" in {r["code"] for r in fay["reasons"]}
    assert fay["adherence_14d"] < fay["adherence_prior_14d"]
    dev = by_name["Dev Patel"]
    assert dev["adherence_28d"] == 1.0 and dev["sessions_due_28d"] == dev["sessions_done_28d"] > 0
    assert dev["reasons"] == [] and dev["last_check_in"]["days_ago"] == 1
    eve = by_name["Eve Stone"]
    assert eve["activated"] is False and eve["last_check_in"] is None
    assert eve["reasons"] == []  # not activated yet: no "no check-in" alarm


def test_adherence_counts_done_over_due_and_today_is_not_missed_yet(client):
    a = clinic_with_staff()
    physio = login(client, a["physio"])
    pid = enrol(client, physio)["id"]
    today = clock.now().date()
    record_days(
        pid,
        [
            Day(today - timedelta(days=10), session="completed"),
            Day(today - timedelta(days=9), session="partial"),
            Day(today - timedelta(days=8), session="stopped"),
            Day(today - timedelta(days=3), session="planned"),  # missed
            Day(today - timedelta(days=2), session="rest"),  # never due
            Day(today - timedelta(days=1), session="blocked"),  # red day: never due
            Day(today, session="planned"),  # today: can still be done
        ],
    )
    (entry,) = caseload(client, physio)["items"]
    assert entry["sessions_due_28d"] == 4 and entry["sessions_done_28d"] == 3
    assert entry["adherence_28d"] == 0.75
    assert entry["missed_sessions_7d"] == 1


def test_a_missed_session_is_judged_in_the_patients_own_time_zone(client):
    # 26 Nov 09:00 UTC is still 25 Nov (23:00) in Honolulu: yesterday's UTC date is their today.
    a = clinic_with_staff()
    physio = login(client, a["physio"])
    honolulu = enrol(client, physio, timezone="Pacific/Honolulu")["id"]
    london = enrol(client, physio, timezone="Europe/London")["id"]
    yesterday = clock.now().date() - timedelta(days=1)
    for pid in (honolulu, london):
        record_days(pid, [Day(yesterday, session="planned")])
    missed = {p["id"]: p["missed_sessions_7d"] for p in caseload(client, physio)["items"]}
    assert missed == {honolulu: 0, london: 1}


def test_search_filter_and_counts(client):
    d = demo_clinic(client)
    only_fay = caseload(client, d["physio"], search="fay")
    assert [p["display_name"] for p in only_fay["items"]] == ["Fay Green"]
    attention = caseload(client, d["physio"], status="attention")
    assert {p["display_name"] for p in attention["items"]} == {"Bob Price", "Fay Green"}
    assert attention["counts"]["patients"] == 6  # the counts describe the whole caseload
    bad = client.get("/api/v1/caseload?status=urgent", headers=bearer(d["physio"]))
    assert bad.status_code == 422


@in_app
def _second_clinician(clinic_id: str) -> str:
    user = accounts.create_staff(
        "second@clinic.example", "correct horse battery", clinic_id, "clinician", "Second"
    )
    return user.email


def test_scope_mine_is_my_care_team_and_clinic_is_everyone_in_the_clinic(client):
    d = demo_clinic(client)
    colleague = login(client, _second_clinician(d["a"]["clinic_id"]))
    theirs = enrol(client, colleague, display_name="Their Patient")["id"]
    mine = {p["id"] for p in caseload(client, d["physio"])["items"]}
    clinic = {p["id"] for p in caseload(client, d["physio"], scope="clinic")["items"]}
    assert theirs not in mine and theirs in clinic
    assert clinic - mine == {theirs}


def test_another_clinic_sees_none_of_these_patients(client):
    d = demo_clinic(client)
    body = caseload(client, d["b_physio_tokens"], scope="clinic")
    assert [p["display_name"] for p in body["items"]] == ["Zed Other"]
    assert body["counts"]["open_red_flags"] == 0 and body["counts"]["pending_proposals"] == 0


def _count_queries(client, path, headers=None) -> int:
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    from tests import factories

    with factories.APP.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(path, headers=headers or {})
        assert response.status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_caseload_costs_the_same_queries_for_3_or_12_patients(client):
    a = clinic_with_staff()
    physio = login(client, a["physio"])
    today = clock.now().date()

    def add_patients(n):
        for _ in range(n):
            pid = enrol(client, physio)["id"]
            record_days(pid, [Day(today - timedelta(days=k)) for k in range(1, 10)])
            open_alert(pid)
            adaptation(pid, "walking_aerobic", 1, 2)

    add_patients(3)
    few_api = _count_queries(client, "/api/v1/caseload", bearer(physio))
    sign_in(client, a["physio"])
    client.get("/dashboard/caseload")  # the first page stores the session's CSRF secret
    few_page = _count_queries(client, "/dashboard/caseload")
    add_patients(9)
    assert _count_queries(client, "/api/v1/caseload", bearer(physio)) == few_api
    assert _count_queries(client, "/dashboard/caseload") == few_page
    # 7 statements and the server-side session's lookup, plus a BEGIN per transaction on SQLite
    assert few_page <= 12


def test_the_caseload_page_lists_the_red_flag_patient_first_with_counts(client):
    d = demo_clinic(client)
    sign_in(client, d["a"]["physio"])
    html = client.get("/dashboard/caseload").get_data(as_text=True)
    order = [html.index(name) for name in ("Ann Hughes", "Cara Lim", "Bob Price", "Dev Patel")]
    assert order == sorted(order)
    assert "1 open red flag" in html and "4 missed sessions in the last 7 days" in html
    filtered = client.get("/dashboard/caseload?q=zzz").get_data(as_text=True)
    assert "No patients match" in filtered


def test_an_empty_caseload_says_what_to_do(client):
    a = clinic_with_staff()
    sign_in(client, a["physio"])
    html = client.get("/dashboard/caseload").get_data(as_text=True)
    assert "No patients in your care team yet" in html
    html = client.get("/dashboard/caseload?scope=clinic").get_data(as_text=True)
    assert "No patients in this clinic yet" in html
