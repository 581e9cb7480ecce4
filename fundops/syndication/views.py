"""Pages of the investment-linked lending feature (blueprint ``syndication``)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("syndication", __name__)
