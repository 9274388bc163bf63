"""A database outage: every route answers 503 with Retry-After (problem+json on the API, the
HTML error page on the dashboard), never 500; service comes back without a restart.

The outage is real: on PostgreSQL the app talks to the database through a TCP proxy that the
test stops (listener and live connections closed: "connection refused") and starts again; on
SQLite the database file's directory disappears and the pool is emptied ("unable to open
database file") and comes back.
"""

from __future__ import annotations

import re
import socket
import threading
from urllib.parse import urlsplit, urlunsplit

import pytest

from backend import create_app
from backend.extensions import db
from tests import factories
from tests.conftest import app_config
from tests.integration.review import pages

PROBLEM = "application/problem+json"
FAKE_ID = "0123456789abcdef0123456789abcdef"


class Proxy:
    """A TCP forwarder to the database that can be cut and restored on the same port."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.port = 0
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            server = socket.create_connection(self.upstream)
            self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() (close alone does not)
        self.listener.close()
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        self.sockets.clear()


@pytest.fixture
def outage(app, tmp_path, monkeypatch):
    """(app, cut, restore): an app of its own whose database can be made unreachable."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql"):
        parts = urlsplit(url)
        proxy = Proxy((parts.hostname, parts.port or 5432))
        proxy.start()
        netloc = f"{parts.username}@127.0.0.1:{proxy.port}"
        url = urlunsplit(parts._replace(netloc=netloc))
        cut, restore = proxy.cut, proxy.start
    else:
        store, away = tmp_path / "store", tmp_path / "store-away"
        store.mkdir()
        url = f"sqlite:///{store / 'outage.db'}"

        def cut():
            with broken.app_context():
                db.engine.dispose()
            store.rename(away)

        def restore():
            away.rename(store)

    broken = create_app(app_config(url, MODEL_DIR=tmp_path / "models"))
    if not url.startswith("postgresql"):
        with broken.app_context():
            db.create_all()
    monkeypatch.setattr(factories, "APP", broken)
    yield broken, cut, restore
    with broken.app_context():
        db.engine.dispose()


def _retry_after(response) -> int:
    # Seconds; on a rate-limited route the limiter may raise it to its own window's end.
    return int(response.headers["Retry-After"])


def _every_route(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "docs" in rule.rule:
            continue
        path = re.sub(r"<[^>]+>", FAKE_ID, rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, path


def test_every_route_answers_503_with_retry_after_during_an_outage_and_recovers(outage):
    broken, cut, restore = outage
    client = broken.test_client()
    tokens = factories.world(client)["tokens"]
    headers = factories.bearer(tokens["a_physio"])
    assert client.get("/api/v1/patients", headers=headers).status_code == 200
    cut()
    answers = {}
    for method, path in _every_route(broken):
        response = client.open(path, method=method, json={}, headers=headers)
        answers[(method, path)] = response
        assert response.status_code != 500, (method, path, response.get_data(as_text=True))
        if response.status_code >= 500:
            assert response.status_code == 503, (method, path)
            assert _retry_after(response) >= 5, (method, path)
            if path.startswith("/api/"):
                assert response.content_type == PROBLEM, (method, path)
                assert response.get_json()["status"] == 503
    unavailable = {key for key, r in answers.items() if r.status_code == 503}
    assert {
        ("GET", "/api/v1/patients"),
        ("GET", "/api/v1/me"),
        ("POST", "/api/v1/auth/logout"),
        ("GET", "/api/v1/health"),
    } <= unavailable
    assert len(unavailable) >= 20, sorted(unavailable)  # every route that reads the database
    health = client.get("/api/v1/health")
    assert health.content_type == PROBLEM
    assert health.get_json()["database"] == "unreachable"
    for path, body in (
        ("/api/v1/auth/login", {"email": "x@example.org", "password": factories.PASSWORD}),
        ("/api/v1/auth/refresh", {"refresh_token": tokens["a_physio"]["refresh_token"]}),
        ("/api/v1/auth/activate", {"invite_code": "ABCD-EFGH-JKLM", "password": "p" * 12}),
    ):
        response = client.post(path, json=body)  # a body that passes validation
        assert response.status_code == 503 and _retry_after(response) >= 5, path
        assert response.content_type == PROBLEM
    restore()
    back = client.get("/api/v1/patients", headers=headers)
    assert back.status_code == 200, back.get_json()
    assert client.get("/api/v1/health").get_json()["status"] == "ok"


def test_the_dashboard_shows_a_503_page_during_an_outage(outage):
    broken, cut, restore = outage
    client = broken.test_client()
    staff = factories.clinic_with_staff()
    assert pages.sign_in(client, staff["physio"]).status_code == 303
    caseload = "/dashboard/caseload"
    assert client.get(caseload).status_code == 200
    cut()
    page = client.get(caseload)
    restore()
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert page.content_type.startswith("text/html")
    assert "Briefly unavailable" in page.get_data(as_text=True)
    assert client.get(caseload).status_code == 200
