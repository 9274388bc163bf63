"""Fuzzing with hypothesis: random bytes and random JSON as request bodies on the JSON
endpoints, random text in paths and query strings. Whatever arrives, the answer is never a
5xx. Bounded for CI: a few hundred examples per target, no per-example deadline.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.guards import HostileInput, parse_json
from tests import factories

FUZZ = settings(
    max_examples=300,
    deadline=None,
    database=None,  # nothing written to the work tree
    suppress_health_check=[HealthCheck.too_slow],
)
# Any text, lone surrogates and NUL included; JSON nests it.
TEXT = st.text(st.characters(codec=None), max_size=40)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=30,
)
DEEP = st.integers(1, 60_000).map(lambda n: "[" * n)
# (method, path, who, a valid body): one field at a time gets hostile, so the request gets
# past validation of the others and reaches the service and the database.
TARGETS = [
    ("POST", "/api/v1/auth/login", None, {"email": "a@example.org", "password": "pw"}),
    ("POST", "/api/v1/auth/refresh", None, {"refresh_token": "x" * 40}),
    ("POST", "/api/v1/auth/activate", None, {"invite_code": "ABCD-EFGH-JKLM", "password": "p"}),
    ("POST", "/api/v1/patients", "a_physio", "patient"),
    ("PATCH", "/api/v1/me/settings", "p1", {"timezone": "Europe/London", "reminder_time": "09:30"}),
    ("POST", "/api/v1/me/devices", "p1", {"token": "device-token", "platform": "android"}),
    ("POST", "/api/v1/me/reminders/snooze", "p1", {"minutes": 30}),
]


def _body(template):
    return factories.patient_body() if template == "patient" else dict(template)


@st.composite
def requests(draw):
    method, path, who, template = draw(st.sampled_from(TARGETS))
    body = _body(template)
    kind = draw(st.sampled_from(["field", "field", "bytes", "json", "deep"]))
    if kind == "field":
        body[draw(st.sampled_from(sorted(body)))] = draw(TEXT | JSON | DEEP)
        raw = _dumps(body)
    elif kind == "bytes":
        raw = draw(st.binary(max_size=600))
    elif kind == "json":
        raw = _dumps(draw(JSON))
    else:
        raw = draw(DEEP).encode()
    return method, path, who, raw


def _dumps(value) -> bytes:
    # ensure_ascii: a lone surrogate travels as its \\ud800 escape, as an attacker sends it.
    return json.dumps(value, ensure_ascii=True).encode()


def _headers(world, who):
    headers = {"Content-Type": "application/json"}
    return {**headers, **factories.bearer(world["tokens"][who])} if who else headers


def _fine(response):
    assert response.status_code < 500, (response.status_code, response.get_data()[:300])


def test_random_bytes_and_json_bodies_never_give_a_5xx(client):
    world = factories.world(client)

    @FUZZ
    @given(requests())
    def body(request):
        method, path, who, raw = request
        _fine(client.open(path, method=method, data=raw, headers=_headers(world, who)))

    body()


def _quote(text: str) -> str:
    # Lone surrogates go out as the bytes an attacker would send (invalid UTF-8).
    return quote(text, safe="", errors="surrogatepass")


def test_random_paths_and_query_strings_never_give_a_5xx(client):
    world = factories.world(client)
    physio = factories.bearer(world["tokens"]["a_physio"])
    patient = factories.bearer(world["tokens"]["p1"])
    paths = [
        ("/api/v1/patients/{}", "search", physio),
        ("/api/v1/patients/{}/trends", "from", physio),
        ("/api/v1/alerts/{}/ack", "status", physio),
        ("/api/v1/audit/{}", "before", physio),
        ("/api/v1/me/sessions/{}", "before", patient),
        ("/api/v1/library/exercises/{}", "modality", patient),
        ("/dashboard/patients/{}", "next", {}),
    ]

    @FUZZ
    @given(st.sampled_from(paths), TEXT, TEXT, TEXT)
    def request(target, segment, key, value):
        template, name, headers = target
        path = template.format(_quote(segment))
        query = f"{name}={_quote(value)}&{_quote(key)}={_quote(value)}"
        _fine(client.get(f"{path}?{query}", headers=headers))
        # The list endpoints parse these parameters (search text, dates, ids).
        listing = "/api/v1/patients" if name != "before" else "/api/v1/audit"
        _fine(client.get(f"{listing}?{query}", headers=headers))

    request()


@FUZZ
@given(st.binary(max_size=2000) | DEEP.map(str.encode) | JSON.map(_dumps))
def test_the_json_body_parser_on_raw_bytes_refuses_with_a_400_or_parses(raw):
    try:
        value = parse_json(raw)
    except HostileInput as refused:
        assert refused.code == 400
    else:
        assert json.dumps(value) == json.dumps(json.loads(raw))  # as dumps spells NaN alike
