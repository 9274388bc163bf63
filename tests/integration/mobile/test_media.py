"""Exercise media: served from a configurable store, cacheable, ranged, never outside it."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from backend import create_app
from backend.config import ROOT
from tests.conftest import app_config

CLIP = bytes(range(256)) * 40  # 10 240 bytes standing in for a video
EXERCISE = "exercises/walking_aerobic/easy-walk.yaml"


@pytest.fixture(scope="module")
def content_with_clip(tmp_path_factory):
    """A content copy whose easy walk has a video, plus a file no exercise names."""
    folder = tmp_path_factory.mktemp("content") / "content"
    shutil.copytree(ROOT / "content", folder)
    path = folder / EXERCISE
    path.write_text(path.read_text() + "media: [media/walks/easy-walk.mp4]\n")
    (folder / "media" / "walks").mkdir()
    (folder / "media" / "walks" / "easy-walk.mp4").write_bytes(CLIP)
    (folder / "media" / "unlisted.png").write_bytes(b"not referenced")
    (folder / "secret.txt").write_text("outside the store")
    return folder


def fetch(app, url, **kwargs):
    """GET and close (a file response holds the file open until closed)."""
    response = app.test_client().get(url, **kwargs)
    response.get_data()
    response.close()
    return response


def make_app(folder, **extra):
    return create_app(app_config("sqlite://", CONTENT_ROOT=folder, **extra))


@pytest.fixture(scope="module")
def media_app(content_with_clip):
    return make_app(content_with_clip)


def test_a_video_is_served_with_type_size_ranges_and_a_long_cache(media_app):
    version = hashlib.sha256(CLIP).hexdigest()[:12]
    whole = fetch(media_app, f"/media/walks/easy-walk.mp4?v={version}")
    assert whole.status_code == 200 and whole.data == CLIP
    assert whole.mimetype == "video/mp4" and whole.content_length == len(CLIP)
    assert whole.headers["Accept-Ranges"] == "bytes"
    cache = whole.headers["Cache-Control"]
    assert "public" in cache and "max-age=31536000" in cache and "immutable" in cache
    assert "no-cache" not in cache and "private" not in cache
    part = fetch(media_app, "/media/walks/easy-walk.mp4", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.data == CLIP[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(CLIP)}"
    # Without the file's hash the URL may change content: cached briefly, not immutable.
    assert part.headers["Cache-Control"] == "public, max-age=3600"
    again = fetch(
        media_app, "/media/walks/easy-walk.mp4", headers={"If-None-Match": whole.headers["ETag"]}
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    "path",
    [
        "../secret.txt",
        "..%2Fsecret.txt",
        "walks/../../secret.txt",
        "%2e%2e/secret.txt",
        "/etc/passwd",
        "unlisted.png",  # in the store but named by no exercise
        "walks/missing.mp4",
    ],
)
def test_nothing_outside_the_referenced_files_is_served(media_app, path):
    response = fetch(media_app, f"/media/{path}", follow_redirects=True)
    assert response.status_code == 404
    assert b"outside the store" not in response.data and b"root:" not in response.data


def test_the_placeholder_ships_with_the_content_and_is_a_real_png(media_app):
    response = fetch(media_app, "/media/placeholder.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.data.startswith(b"\x89PNG\r\n\x1a\n") and len(response.data) > 200


def test_media_root_setting_moves_the_local_store(content_with_clip, tmp_path):
    store = tmp_path / "store"
    shutil.copytree(content_with_clip / "media", store)
    (store / "walks" / "easy-walk.mp4").write_bytes(b"moved")
    app = make_app(content_with_clip, MEDIA_ROOT=str(store))
    assert fetch(app, "/media/walks/easy-walk.mp4").data == b"moved"


def test_library_media_are_absolute_urls_or_point_at_the_cdn(content_with_clip, media_app):
    from tests.integration.mobile.helpers import library_media

    local = library_media(media_app, "easy-walk")
    assert local == [
        {
            "url": f"http://localhost/media/walks/easy-walk.mp4?v={hashlib.sha256(CLIP).hexdigest()[:12]}",
            "content_type": "video/mp4",
            "bytes": len(CLIP),
            "kind": "video",
            "placeholder": False,
        }
    ]
    cdn = make_app(content_with_clip, MEDIA_BASE_URL="https://cdn.example.org/onward/")
    remote = library_media(cdn, "easy-walk")[0]
    assert remote["url"].startswith("https://cdn.example.org/onward/walks/easy-walk.mp4?v=")
    other = library_media(cdn, "brisk-walking")[0]
    assert other["placeholder"] and other["url"].startswith(
        "https://cdn.example.org/onward/placeholder.png"
    )


def test_content_validate_names_each_missing_media_file(media_app, content_with_clip, tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(content_with_clip, folder)
    (folder / "media" / "walks" / "easy-walk.mp4").unlink()
    (folder / "media" / "placeholder.png").unlink()
    result = media_app.test_cli_runner().invoke(args=["content", "validate", "--root", str(folder)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "missing" in line]
    assert len(lines) == 2, result.output
    assert f"{EXERCISE}: media: media/walks/easy-walk.mp4 is missing" in lines[0]
    assert "placeholder" in lines[1]
