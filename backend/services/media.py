"""Exercise media: the local store, the URLs the app fetches, and what a block shows.

Content refers to media as `media/<path>`. The files live in the local store
(`ONWARD_MEDIA_ROOT`, by default the content's `media/` folder) and are served at
`/media/<path>`; with `ONWARD_MEDIA_BASE_URL` the URLs point at a CDN or object store
holding the same tree instead. Every URL carries `?v=<hash of the file>` when the file is
in the local store, so a changed file gets a new URL and caches may keep the old one forever.
"""

from __future__ import annotations

import functools
import hashlib
import mimetypes
from pathlib import Path

from flask import current_app, has_request_context, url_for

from backend.domain.records import Catalog, Exercise

PREFIX = "media/"
PLACEHOLDER = "media/placeholder.png"  # shipped with the content; shown when an exercise has none
HASH_LENGTH = 12


def root(content_root: Path | None = None) -> Path:
    """The local media store."""
    configured = current_app.config.get("MEDIA_ROOT")
    if configured:
        return Path(configured)
    return Path(content_root or current_app.config["CONTENT_ROOT"]) / "media"


def referenced(catalog: Catalog) -> frozenset[str]:
    """Every media path (without `media/`) the library may show, the placeholder included."""
    refs = {m for ex in catalog.exercises.values() for m in ex.media} | {PLACEHOLDER}
    return frozenset(r.removeprefix(PREFIX) for r in refs)


def local_file(relative: str, store: Path | None = None) -> Path | None:
    """The file for a referenced path, or None; only paths the content names are served, so
    nothing outside the store (or stray files inside it) can be reached."""
    from backend.services import content

    if relative not in referenced(content.current().catalog):
        return None
    store = (store or root()).resolve()
    path = (store / relative).resolve()
    if not path.is_relative_to(store) or not path.is_file():
        return None
    return path


@functools.lru_cache(maxsize=1024)
def _digest(path: str, _mtime_ns: int, _size: int) -> str:
    """Content hash of a file, cached until it changes (videos are hashed once per process)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:HASH_LENGTH]


def content_hash(path: Path) -> str:
    stat = path.stat()
    return _digest(str(path), stat.st_mtime_ns, stat.st_size)


def content_type(relative: str) -> str:
    return mimetypes.guess_type(relative)[0] or "application/octet-stream"


def describe(ref: str, placeholder: bool = False) -> dict:
    """What the app needs to show one media file: absolute URL, type, size."""
    relative = ref.removeprefix(PREFIX)
    path = local_file(relative)
    version = content_hash(path) if path else None
    base = current_app.config.get("MEDIA_BASE_URL")
    if base:
        url = f"{base.rstrip('/')}/{relative}" + (f"?v={version}" if version else "")
    else:
        # Outside a request (a CLI, the scheduler) there is no host to be absolute about:
        # the path alone; the app always reads sessions over HTTP, with the full URL.
        url = _url(relative, version)
    kind = content_type(relative)
    return {
        "url": url,
        "content_type": kind,
        "bytes": path.stat().st_size if path else None,
        "kind": kind.split("/")[0] if kind.startswith(("image/", "video/")) else "other",
        "placeholder": placeholder,
    }


def _url(relative: str, version: str | None) -> str:
    """Absolute inside a request; outside one (a CLI, the scheduler) there is no host to be
    absolute about, so the path alone (the app always reads sessions over HTTP)."""
    values = {"path": relative, **({"v": version} if version else {})}
    if has_request_context():
        return url_for("media.serve", **values, _external=True)
    return current_app.url_map.bind("").build("media.serve", values)


def for_exercise(exercise: Exercise | None) -> list[dict]:
    """The exercise's media, or the placeholder image when it has none."""
    if exercise is None or not exercise.media:
        return [describe(PLACEHOLDER, placeholder=True)]
    return [describe(ref) for ref in exercise.media]


def missing(catalog: Catalog, store: Path) -> list[str]:
    """One line per referenced media file absent from the local store."""
    problems = []
    for ex in sorted(catalog.exercises.values(), key=lambda e: e.id):
        for ref in ex.media:
            if not (store / ref.removeprefix(PREFIX)).is_file():
                problems.append(
                    f"exercises/{ex.modality}/{ex.id}.yaml: media: {ref} is missing from {store}"
                )
    if not (store / PLACEHOLDER.removeprefix(PREFIX)).is_file():
        problems.append(f"{PLACEHOLDER}: the placeholder image is missing from {store}")
    return problems
