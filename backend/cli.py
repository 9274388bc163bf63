"""Operator commands: flask --app backend users|demo ..."""

from __future__ import annotations

import json

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


@users.command("deactivate")
@click.option("--email", required=True)
def deactivate(email):
    """Close an account: no more sign-ins, and its dashboard sessions and API tokens end now."""
    from backend.errors import DomainError
    from backend.services import accounts

    try:
        user = accounts.deactivate(email)
    except DomainError as error:
        raise click.ClickException(error.detail) from None
    click.echo(f"Deactivated {user.id}; its sign-ins have ended.")


@users.command("clinic-timezone")
@click.option("--clinic", required=True, help="clinic name or id")
@click.option("--timezone", "zone", required=True, help="IANA zone, e.g. Europe/London")
def clinic_timezone(clinic, zone):
    """Set the time zone the clinic's dashboard shows times in."""
    from backend.errors import DomainError
    from backend.services import accounts

    found = db.session.get(Clinic, clinic) or db.session.scalar(
        select(Clinic).where(Clinic.name == clinic)
    )
    if found is None:
        raise click.ClickException(f"No clinic named {clinic!r}.")
    try:
        accounts.set_clinic_timezone(found.id, zone)
    except DomainError as error:
        raise click.ClickException(error.detail) from None
    click.echo(f"Clinic {found.name!r} now shows times in {zone}.")


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
    problems, summary = _check_content(root)
    if problems:
        click.echo(summary, err=True)
        for problem in problems:
            click.echo(f"  - {problem}", err=True)
        raise SystemExit(1)
    click.echo(summary)


def _check_content(root: str | None = None) -> tuple[list[str], str]:
    """(problems, one summary line) for the content folder (default: the app's)."""
    from pathlib import Path

    from flask import current_app

    from backend.services import content

    folder = Path(root) if root else Path(current_app.config["CONTENT_ROOT"])
    store = current_app.config.get("MEDIA_ROOT")
    problems, found = content.check(folder, Path(store) if store else None)
    if problems:
        return problems, f"{len(problems)} problem(s) in {folder}:"
    catalog = found.catalog
    return [], (
        f"Content OK: {len(catalog.exercises)} exercises, {len(catalog.programmes)} programmes, "
        f"content version {catalog.version}, rules version {found.rules.version}"
    )


ml_cli = AppGroup("ml", help="The tolerance model: evaluate, train, roll back, simulate.")


def _now():
    from backend import clock

    return clock.now()


@ml_cli.command("evaluate")
@click.option(
    "--logs",
    "logs_path",
    required=True,
    type=click.Path(dir_okay=False, exists=True),
    help="canonical CSV to test on",
)
@click.option(
    "--train-logs",
    "train_path",
    type=click.Path(dir_okay=False, exists=True),
    help="train here, test on --logs",
)
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
@click.option(
    "--plot",
    "plot_path",
    type=click.Path(dir_okay=False),
    help="reliability plot (default: beside --logs)",
)
def ml_evaluate(logs_path, train_path, as_json, plot_path):
    """Metrics of the model against the baselines (grouped by patient, or train A / test B)."""
    from backend.services import model_reports

    report, text = model_reports.evaluate_files(logs_path, train_path, plot_path)
    click.echo(json.dumps(report) if as_json else text)


@ml_cli.command("train")
@click.option(
    "--logs",
    "logs_path",
    type=click.Path(dir_okay=False, exists=True),
    help="canonical CSV (default: the database)",
)
@click.option(
    "--source", default=None, help="label recorded with the model (default: csv or database)"
)
@click.option(
    "--prior/--no-prior",
    default=True,
    show_default=True,
    help="also learn from the simulated population, as the nightly job does "
    "(never scored; docs/architecture.md, item 22)",
)
def ml_train(logs_path, source, prior):
    """Train a candidate; it goes live only if it is not worse than the active model."""
    from backend.services import training
    from ml.dataio import read_logs

    logs = read_logs(logs_path) if logs_path else training.database_logs(_now())
    result = training.train_and_maybe_promote(
        logs,
        source=source or ("csv" if logs_path else "database"),
        now=_now(),
        prior=training.population_prior() if prior else None,
    )
    click.echo(json.dumps(result, default=str, indent=2))


@ml_cli.command("bootstrap")
def ml_bootstrap():
    """Give a fresh install a population model trained on simulated logs (no-op if one is active)."""
    from backend.services import training

    result = training.bootstrap_population_model(_now())
    click.echo(
        result.get("version")
        and f"Population model {result['version']} is active."
        or result.get("reason")
    )


@ml_cli.command("rollback")
def ml_rollback():
    """Re-activate the previously promoted model."""
    from backend.services import training

    try:
        version = training.rollback(_now())
    except LookupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Model {version} is active again.")


@ml_cli.command("status")
def ml_status():
    """Which model is active, how calibrated it is on recent sessions, and the registry."""
    from backend.services import model_reports

    click.echo(model_reports.status_text(_now()))


onward = AppGroup("onward", help="Bring an install up to date in one start-up.")


@onward.command("setup")
@click.option(
    "--demo/--no-demo",
    "with_demo",
    default=None,
    help="seed the demo clinic (default: in development only)",
)
def setup(with_demo):
    """Migrate, check the content, train the day-one model unless a usable one is active, and
    seed the demo clinic: each step a no-op when already done, so a restart costs one start-up."""
    from alembic.util import CommandError
    from flask import current_app
    from flask_migrate import upgrade
    from sqlalchemy.exc import SQLAlchemyError

    from backend.errors import DomainError
    from backend.services import demo as demo_service
    from backend.services import training

    if with_demo is None:
        with_demo = current_app.config["ENV"] in ("development", "test")
    step = "migrate"
    try:
        upgrade()
        click.echo("Database schema is up to date.")
        step = "content check"
        problems, summary = _check_content()
        if problems:
            raise click.ClickException(
                f"setup stopped at the content check: {summary.rstrip(':')} (first: "
                f"{problems[0]}); `flask --app backend content validate` lists them all"
            )
        click.echo(summary)
        step = "day-one model"
        result = training.bootstrap_population_model(_now())
        click.echo(
            f"Population model {result['version']} is active."
            if result.get("version")
            else f"Day-one model skipped: {result.get('reason')}."
        )
        step = "demo seed"
        for line in demo_service.seed() if with_demo else ["Demo clinic skipped."]:
            click.echo(line)
    except SQLAlchemyError as error:
        cause = getattr(error, "orig", None) or error
        first = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
        raise click.ClickException(f"setup stopped at {step}: database error: {first}") from None
    except DomainError as error:  # e.g. --demo outside development
        raise click.ClickException(f"setup stopped at {step}: {error.detail}") from None
    except (CommandError, RuntimeError) as error:  # unknown revision; a bad POPULATION_PRIOR
        raise click.ClickException(f"setup stopped at {step}: {error}") from None


COMMANDS = (users, demo, content_cli, ml_cli, onward)
