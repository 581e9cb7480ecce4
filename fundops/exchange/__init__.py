"""Whole-dataset export and import (JSON or xlsx); the format is in docs/exchange-format.md.

``export_dataset(path)`` writes every organisation, user, fund, investor, commitment,
company and ledger record, the policy rules and index levels, and the term sheets,
loans and risk pools to ``path`` and returns the number of records per type.
``import_dataset(path)`` validates a whole file and inserts it with new ids in one
transaction, or raises :class:`ImportFailed` listing every problem and writes nothing.
Both run inside a Flask application context and use ``fundops.extensions.db``.
"""

from __future__ import annotations

from fundops.exchange.export import export_dataset
from fundops.exchange.load import import_dataset
from fundops.exchange.problems import ImportFailed

__all__ = ["ImportFailed", "export_dataset", "import_dataset"]
