"""Operator commands: flask --app backend users|demo ..."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from backend.extensions import db
from backend.models import Clinic

users = AppGroup("users", help="Manage staff accounts.")
demo = AppGroup("demo", help="Demo data for trying Onward locally.")


def _clinic_id(name_or_id: str) -> str:
    from backend.services import accounts

    clinic = db.session.get(Clinic, name_or_id) or db.session.scalar(
        select(Clinic).where(Clinic.name == name_or_id)
    )
    if clinic is None:
        clinic = accounts.create_clinic(name_or_id)
        click.echo(f"Created clinic '{name_or_id}' ({clinic.id}).")
    return clinic.id


def _create_staff(role: str, email: str, password: str, clinic: str, name: str | None) -> None:
    from backend.errors import DomainError
    from backend.services import accounts

    try:
        user = accounts.create_staff(email, password, _clinic_id(clinic), role, name or email)
    except DomainError as error:
        raise click.ClickException(error.detail) from None
    click.echo(f"Created {role} {user.email} ({user.id}).")


@users.command("create-clinician")
@click.option("--email", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--clinic", required=True, help="clinic name or id (a new name creates the clinic)")
@click.option("--name", default=None, help="display name")
def create_clinician(email, password, clinic, name):
    """Create a physiotherapist account."""
    _create_staff("clinician", email, password, clinic, name)


@users.command("create-admin")
@click.option("--email", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--clinic", required=True, help="clinic name or id (a new name creates the clinic)")
@click.option("--name", default=None)
def create_admin(email, password, clinic, name):
    """Create a clinic administrator (audit access, no patient records)."""
    _create_staff("admin", email, password, clinic, name)


@demo.command("seed")
def seed():
    """Create a demo clinic with one physio and three patients; print their logins."""
    from backend.services import demo as demo_service

    for line in demo_service.seed():
        click.echo(line)


content_cli = AppGroup("content", help="The exercise library and safety rules.")


@content_cli.command("validate")
@click.option(
    "--root", type=click.Path(file_okay=False, exists=True), default=None, help="content folder"
)
def validate_content(root):
    """Check every exercise, programme and safety rule; list every problem."""
    from pathlib import Path

    from flask import current_app

    from backend.services import content

    folder = Path(root) if root else Path(current_app.config["CONTENT_ROOT"])
    problems = content.validate(folder)
    if problems:
        click.echo(f"{len(problems)} problem(s) in {folder}:", err=True)
        for problem in problems:
            click.echo(f"  - {problem}", err=True)
        raise SystemExit(1)
    catalog, rules = content.load(folder)
    click.echo(
        f"Content OK: {len(catalog.exercises)} exercises, {len(catalog.programmes)} programmes, "
        f"content version {catalog.version}, rules version {rules.version}"
    )


COMMANDS = (users, demo, content_cli)
