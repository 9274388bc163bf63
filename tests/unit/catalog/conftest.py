"""Small content trees written to tmp_path, so each test breaks exactly one thing."""

from __future__ import annotations

import pathlib
from collections.abc import Callable

import pytest
import yaml

from backend.domain.vocabulary import MODALITIES


def level(number: int, rpe: float, minutes: float, **dose) -> dict:
    return {
        "level": number,
        "description": f"Level {number}.",
        "dose": {"target_rpe": rpe, "minutes": minutes, **dose},
    }


def exercise(ex_id: str, modality: str = "mobility", **overrides) -> dict:
    """A valid exercise of `modality`; overrides replace whole fields."""
    data = {
        "id": ex_id,
        "title": ex_id.replace("-", " ").capitalize(),
        "modality": modality,
        "position": "seated",
        "equipment": ["chair"],
        "roles": ["main"],
        "load_tags": [],
        "instructions": "Sit tall and move slowly.",
        "safety_cues": ["Keep breathing. Don't hold your breath."],
        "levels": [level(1, 2, 2), level(2, 3, 2), level(3, 3, 3)],
        "sources": ["Chen X et al., World J Surg Oncol 2025;23:192"],
    }
    if modality == "aquatic":
        data.update(position="in_water", equipment=["pool"], load_tags=["immersion"])
    if modality == "resistance_band":
        data.update(
            equipment=["band", "chair"],
            load_tags=["skin_friction", "upper_limb_load"],
            levels=[
                level(1, 3, 4, sets=1, reps=10, band="tan"),
                level(2, 3, 6, sets=2, reps=10, band="tan"),
                level(3, 4, 8, sets=2, reps=12, band="yellow"),
            ],
        )
    data.update(overrides)
    return data


def programme(prog_id: str = "standard", **overrides) -> dict:
    data = {
        "id": prog_id,
        "title": "Standard week",
        "description": "Something for everyone.",
        "sources": ["Chen 2025"],
        "modalities": [
            {"modality": "walking_aerobic", "sessions_per_week_min": 3, "sessions_per_week_max": 5},
            {
                "modality": "resistance_band",
                "sessions_per_week_min": 2,
                "sessions_per_week_max": 3,
                "non_consecutive_days": True,
            },
        ],
    }
    data.update(overrides)
    return data


class Library:
    """A content root in tmp_path with helpers to write and rewrite its files."""

    def __init__(self, root: pathlib.Path):
        self.root = root

    def path(self, modality: str, ex_id: str) -> pathlib.Path:
        return self.root / "exercises" / modality / f"{ex_id}.yaml"

    def write(self, data: dict, *, modality: str | None = None, stem: str | None = None) -> str:
        """Write an exercise; return its path relative to the root (as problems name it)."""
        path = self.path(modality or data["modality"], stem or data["id"])
        return self.write_text(path, yaml.safe_dump(data, sort_keys=False))

    def write_text(self, path: pathlib.Path, text: str) -> str:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path.relative_to(self.root).as_posix()

    def write_programme(self, data: dict) -> str:
        path = self.root / "programmes" / f"{data['id']}.yaml"
        return self.write_text(path, yaml.safe_dump(data, sort_keys=False))


@pytest.fixture
def library(tmp_path: pathlib.Path) -> Library:
    """A valid library: three main exercises per modality and one programme."""
    lib = Library(tmp_path / "content")
    for modality in MODALITIES:
        for n in range(1, 4):
            lib.write(exercise(f"{modality.replace('_', '-')}-{n}", modality))
    lib.write_programme(programme())
    return lib


@pytest.fixture
def edit(library: Library) -> Callable[..., str]:
    """Rewrite mobility-1 with some fields replaced; return its relative path."""

    def _edit(**overrides) -> str:
        return library.write(exercise("mobility-1", "mobility", **overrides))

    return _edit
