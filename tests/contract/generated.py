"""Helpers for the generated-client test: generate, serve, record, and check typing."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import attrs
from werkzeug.serving import make_server

PACKAGE = "onward_api_client"
# No formatter hooks: the generator must not need anything outside the virtualenv.
CONFIG = f"package_name_override: {PACKAGE}\npost_hooks: []\n"


def generate(document: dict, where: Path):
    """Run openapi-python-client on the served document and import the package it makes."""
    (where / "openapi.json").write_text(json.dumps(document))
    (where / "config.yaml").write_text(CONFIG)
    command = [sys.executable, "-m", "openapi_python_client", "generate"]
    command += ["--path", str(where / "openapi.json"), "--config", str(where / "config.yaml")]
    command += ["--meta", "none", "--output-path", str(where / PACKAGE), "--overwrite"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    warnings = done.stdout.split("Warning(s) encountered", 1)[1:] or [""]
    skipped = [line for line in warnings[0].splitlines() if line.startswith("Cannot parse")]
    assert not skipped, "the generator skipped parts of the document:\n" + warnings[0]
    sys.path.insert(0, str(where))
    try:
        return importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(where))


@contextmanager
def served(app):
    """The app on a real socket (127.0.0.1, a free port) in a thread, as a phone would see it."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def untyped(model, sent, where: str = "$") -> list[str]:
    """Where the parsed `model` holds less than the server `sent`: a value the server sent
    that came out Unset or as a bare dict, or a member the document does not declare."""
    from onward_api_client.types import Unset

    problems = []
    if attrs.has(type(model)):
        fields = {a.name: a for a in attrs.fields(type(model))}
        bag = fields.pop("additional_properties", None)
        extra = getattr(model, "additional_properties", {})
        if not fields:  # a map: typed values (modality -> level) are fine, Any is not
            if sent and "Any" in str(bag.type):
                return [f"{where}: an untyped object ({type(model).__name__})"]
            return [p for k, v in extra.items() for p in untyped(v, sent[k], f"{where}.{k}")]
        problems += [f"{where}.{k}: not in the document" for k in extra]
        for name in fields:
            key = _json_key(model, name)
            if not isinstance(sent, dict) or key not in sent:
                continue
            value = getattr(model, name)
            if isinstance(value, Unset):
                problems.append(f"{where}.{key}: Unset although the server sent it")
            elif fields[name].default is not attrs.NOTHING:
                problems.append(f"{where}.{key}: typed as maybe Unset (not required)")
            else:
                problems += untyped(value, sent[key], f"{where}.{key}")
    elif isinstance(model, dict):
        if sent:
            problems.append(f"{where}: a bare dict")
    elif isinstance(model, list):
        for i, (item, raw) in enumerate(zip(model, sent, strict=True)):
            problems += untyped(item, raw, f"{where}[{i}]")
    return problems


def _json_key(model, name: str) -> str:
    """The JSON member an attribute came from (the generator renames `from` to `from_` ...)."""
    out = model.to_dict()
    if name in out:
        return name
    return {"from_": "from", "type_": "type", "id_": "id"}.get(name, name)


class Recorder:
    """httpx event hooks that keep every request and answer, for the transcript."""

    def __init__(self):
        self.exchanges: list[dict] = []

    def hooks(self) -> dict:
        return {"request": [self._request], "response": [self._response]}

    def _request(self, request):
        body = request.content
        self.exchanges.append(
            {
                "method": request.method,
                "path": request.url.raw_path.decode(),
                "headers": {k: v for k, v in request.headers.items() if k in SHOWN_REQUEST},
                "body": json.loads(body) if body else None,
            }
        )

    def _response(self, response):
        response.read()
        exchange = self.exchanges[-1]
        exchange["status"] = response.status_code
        exchange["response_headers"] = {
            k: v for k, v in response.headers.items() if k in SHOWN_RESPONSE
        }
        text = response.text
        exchange["response"] = json.loads(text) if text else None


SHOWN_REQUEST = ("authorization", "idempotency-key", "if-none-match")
SHOWN_RESPONSE = ("content-type", "etag", "cache-control", "retry-after")
VERSIONS = ("rules_version", "content_version", "model_version")
ID = re.compile(r"\b[0-9a-f]{32}\b")
JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


class Normaliser:
    """Volatile values (ids, tokens, the port, ETags) become stable placeholders."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.names: dict[str, str] = {}

    def _name(self, kind: str, value: str) -> str:
        if value not in self.names:
            count = sum(1 for n in self.names.values() if n.startswith(f"<{kind}-"))
            self.names[value] = f"<{kind}-{count + 1}>"
        return self.names[value]

    def text(self, value: str) -> str:
        value = value.replace(self.base_url, "https://api.example.org")
        value = JWT.sub(lambda m: self._name("token", m.group(0)), value)
        return ID.sub(lambda m: self._name("id", m.group(0)), value)

    def value(self, value, key: str = ""):
        if key == "versions" and isinstance(value, dict):  # a session's content/rules/model
            return {k: f"<{k}_version>" if v else v for k, v in value.items()}
        if isinstance(value, dict):
            return {k: self.value(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v, key) for v in value]
        if isinstance(value, str):
            if key in VERSIONS:  # they change with every content or model release
                return f"<{key}>"
            if key == "refresh_token" or key in ("token",) and len(value) > 40:
                return self._name("refresh-token" if key == "refresh_token" else "token", value)
            return self.text(value)
        return value

    def header(self, name: str, value: str) -> str:
        if name == "authorization":
            return "Bearer " + self._name("token", value.removeprefix("Bearer "))
        if name in ("etag", "if-none-match"):
            return self._name("etag", value)
        return self.text(value)
