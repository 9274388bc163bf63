"""The exercise library and the safety rules, loaded once per process and refused when invalid."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from backend.catalog import ContentError, load_catalog
from backend.catalog.rules import RulesError, load_rules
from backend.domain.records import Catalog
from backend.domain.safety import RuleSet
from backend.services import media

KEY = "onward.content"


@dataclass(frozen=True)
class Content:
    catalog: Catalog
    rules: RuleSet


def rules_path(root: Path) -> Path:
    return root / "safety" / "rules.yaml"


def load(root: Path) -> tuple[Catalog, RuleSet]:
    """Load and validate the library and the rules under a content folder."""
    return load_catalog(root), load_rules(rules_path(root))


def init_app(app: Flask, strict: bool = True) -> None:
    """Load content at start-up; an invalid library or rule file stops the app from starting.

    With strict=False (CLI commands such as `content validate`, which must be able to report
    the problems) the error is kept and raised by the first use of the content instead.
    """
    root = Path(app.config["CONTENT_ROOT"])
    try:
        content = Content(*load(root))
    except (ContentError, RulesError) as error:
        if strict:
            raise
        app.extensions[KEY] = error
        return
    app.extensions[KEY] = content
    app.extensions["onward.catalog"] = content.catalog


def current() -> Content:
    loaded = current_app.extensions[KEY]
    if isinstance(loaded, Exception):
        raise loaded
    return loaded


def validate(root: Path, media_store: Path | None = None) -> list[str]:
    """Every problem in the library and the rules, for `flask content validate`, and every
    referenced media file missing from the local store (by default `<root>/media`)."""
    return check(root, media_store)[0]


def check(root: Path, media_store: Path | None = None) -> tuple[list[str], Content | None]:
    """(every problem, the content when there is none): one read of each file."""
    catalog = rules = None
    try:
        catalog = load_catalog(root)
        problems = list(media.missing(catalog, media_store or root / "media"))
    except ContentError as error:
        problems = list(error.problems)
    try:
        rules = load_rules(rules_path(root))
    except RulesError as error:
        problems.extend(f"safety/rules.yaml: {p}" for p in error.problems)
    return problems, None if problems else Content(catalog, rules)


__all__ = ["Content", "ContentError", "RulesError", "check", "current", "init_app", "validate"]
