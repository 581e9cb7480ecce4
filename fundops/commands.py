"""The ``fundops`` console's commands: database set-up, users, demo data, import and export,
index levels, metrics and jobs; :func:`init_app` adds them to ``app.cli`` (the app factory
calls it; the console script itself is :mod:`fundops.cli`)."""

from __future__ import annotations

import logging
import secrets

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import with_appcontext

from fundops.extensions import db
from fundops.metrics.cli import metrics_command


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database schema by running every Alembic migration."""
    from flask_migrate import upgrade

    upgrade()
    click.echo("Database is at the latest migration.")


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--organisation", required=True, help="Organisation name (created if new).")
@click.option("--kind", default="gp", show_default=True, help="Organisation kind if created.")
@click.option("--role", default="admin", show_default=True)
@click.option("--password", default=None, help="Omit to generate one.")
@with_appcontext
def create_user_command(
    email: str, display_name: str, organisation: str, kind: str, role: str, password: str | None
) -> None:
    """Create a user (and its organisation if it does not exist yet)."""
    from fundops.auth.accounts import create_user

    password = password or secrets.token_urlsafe(12)
    user = create_user(email=email, display_name=display_name, organisation_name=organisation,
                       organisation_kind=kind, role=role, password=password)
    click.echo(f"Created {user.email} ({user.role.value}) in {organisation}; password: {password}")


@click.command("create-token")
@click.option("--email", required=True)
@click.option("--label", default="api")
@click.option("--days", default=90, show_default=True, type=int)
@with_appcontext
def create_token_command(email: str, label: str, days: int) -> None:
    """Issue an API bearer token for a user; it is shown once and stored hashed."""
    from fundops.auth.accounts import issue_token

    token = issue_token(email=email, label=label, days=days)
    click.echo(token)


@click.command("load-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when funds already exist.")
@click.option("--force", is_flag=True,
              help="Load even outside development/test (creates accounts with one shared "
                   "password).")
@with_appcontext
def load_demo_command(if_empty: bool, force: bool) -> None:
    """Load the illustrative demo portfolio and print the demo logins.

    Refused outside ENV_NAME development or test unless ``--force``: the demo creates
    ten accounts that share one published password.
    """
    from flask import current_app

    from fundops.demo import DEMO_PASSWORD, DEMO_USERS, load_demo
    from fundops.models import Fund

    env_name = str(current_app.config.get("ENV_NAME", "production"))
    if env_name not in ("development", "test") and not force:
        raise click.ClickException(
            f"load-demo creates accounts with a shared, published password; it runs only "
            f"with ENV_NAME development or test (this is {env_name}). Pass --force to load "
            f"it anyway.")
    if env_name not in ("development", "test"):
        logging.getLogger("fundops.cli").warning(
            "demo data loaded with --force", extra={"event": "demo.forced", "env": env_name})
    if if_empty and db.session.scalar(sa.select(sa.func.count(Fund.id))):
        click.echo("Funds exist already; demo not loaded again.")
    else:
        summary = load_demo()
        click.echo(f"Demo portfolio loaded: {summary}")
    for email, what in DEMO_USERS:
        click.echo(f"  demo login: {email} / {DEMO_PASSWORD}   ({what})")


@click.command("export")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def export_command(path: str) -> None:
    """Export the whole dataset to PATH (.json or .xlsx)."""
    from fundops.exchange import export_dataset

    counts = export_dataset(path)
    click.echo(f"Exported to {path}: {counts}")


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_command(path: str) -> None:
    """Import a whole dataset from PATH (.json or .xlsx); all rows land or none do."""
    from fundops.exchange import ImportFailed, import_dataset

    try:
        counts = import_dataset(path)
    except ImportFailed as exc:
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        raise click.ClickException(
            f"import refused: {len(exc.problems)} bad row(s); nothing written"
        ) from None
    click.echo(f"Imported from {path}: {counts}")


@click.command("load-index")
@click.argument("code")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--replace", is_flag=True, help="Overwrite levels already loaded for a date.")
@with_appcontext
def load_index_command(code: str, path: str, replace: bool) -> None:
    """Load a benchmark index (CSV with columns date,level) for PME; all rows or none."""
    import csv
    from datetime import date

    from fundops.errors import ValidationError
    from fundops.metrics.policy import load_index_levels
    from fundops.money import D

    rows = []
    with open(path, newline="", encoding="utf-8") as fh:
        for n, row in enumerate(csv.DictReader(fh), start=2):
            try:
                rows.append((date.fromisoformat(row["date"].strip()), D(row["level"].strip())))
            except (KeyError, ValueError, TypeError) as exc:
                raise click.ClickException(f"{path} line {n}: {exc}") from None
    try:
        written = load_index_levels(code, rows, replace=replace)
    except ValidationError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Loaded {written} levels of {code}.")


def init_app(app: Flask) -> None:
    """Add every command of the console to ``app.cli``."""
    from fundops.jobs.cli import jobs_group
    from fundops.reports.runs.cli import reports_group

    app.cli.add_command(jobs_group)
    app.cli.add_command(reports_group)
    for command in (init_db_command, create_user_command, create_token_command,
                    load_demo_command, export_command, import_command,
                    load_index_command, metrics_command):
        app.cli.add_command(command)
