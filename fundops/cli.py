"""The ``fundops`` console script: a Flask CLI bound to the app factory, whose commands
are in :mod:`fundops.commands` (the factory adds them, so this module imports only the
factory and nothing imports this module)."""

from __future__ import annotations

import sys

from flask.cli import FlaskGroup


def main() -> None:
    """Entry point of the ``fundops`` console script (a Flask CLI bound to the factory)."""
    from fundops import create_app

    cli = FlaskGroup(create_app=create_app, help="fundops: fund ledger and metrics")
    cli.main(args=sys.argv[1:], prog_name="fundops")
