"""The registry of report packs: what each kind builds, about what, from which inputs.

A *builder* is ``(actor, subject_id, quarter) -> [(filename, bytes), …]``: for a fund
pack the subject is the fund's id (``fundops.reports.quarterly.fund_pack`` has exactly this
signature), for an organisation pack (a bank's loan book) the organisation's id. It reads,
never writes, and returns the same bytes for the same inputs (no clock, no random ids).

Registering the fund quarterly pack is one line (in :func:`fundops.reports.register`)::

    register_pack("fund_quarterly", fund_pack)

and the guidance fund's consolidated pack reads its sub-funds as well::

    register_pack("guidance_consolidated", consolidated_pack, inputs=fund_tree_inputs)

The runs (:mod:`fundops.reports.runs.services`), the command line, the scheduler and
the pages offer every registered kind of the subject.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from fundops.calc.periods import Quarter
from fundops.errors import ValidationError
from fundops.reports.runs.enums import RunSubject
from fundops.reports.runs.inputs import InputRow, fund_inputs
from fundops.uow import Actor

Builder = Callable[[Actor, int, Quarter], list[tuple[str, bytes]]]
InputsReader = Callable[[int, date], list[InputRow]]
Check = Callable[[Actor, int], None]
Candidates = Callable[[], list[int]]

_KIND = re.compile(r"^[a-z][a-z0-9_]{1,39}$")

LABELS: dict[str, Any] = {
    "fund_quarterly": _l("Fund quarterly report"),
    "guidance_consolidated": _l("Consolidated quarterly pack (parent and sub-funds)"),
    "bank_loan_book": _l("Loan book"),
}
"""Page labels of the known kinds (a kind's internal name is never shown on a page)."""
DEFAULT_LABEL = _l("Report pack")


@dataclass(frozen=True)
class Pack:
    """A registered kind: its builder, its subject, the reader of its inputs, and for an
    organisation pack the check that the organisation may have it (e.g. is a bank) and
    the organisations the scheduler runs it for (``candidates``)."""

    kind: str
    builder: Builder
    subject: RunSubject
    inputs: InputsReader
    check: Check | None = None
    candidates: Candidates | None = None

    @property
    def label(self) -> Any:
        return LABELS.get(self.kind, DEFAULT_LABEL)


_PACKS: dict[str, Pack] = {}


def register_pack(kind: str, builder: Builder, *, subject: RunSubject = RunSubject.FUND,
                  inputs: InputsReader | None = None, check: Check | None = None,
                  candidates: Candidates | None = None) -> Pack:
    """Register ``builder`` under ``kind`` (lower-case letters, digits and ``_``).

    A fund pack's inputs default to :func:`~fundops.reports.runs.inputs.fund_inputs`; an
    organisation pack names its own. Registering the same pack again is a no-op (the app
    factory runs once per app); another pack under a taken kind is refused (ValueError).
    """
    if not _KIND.match(kind):
        raise ValueError(f"report kind {kind!r}: lower-case letters, digits and _ only")
    if inputs is None:
        if subject is not RunSubject.FUND:
            raise ValueError(f"report kind {kind!r}: an organisation pack names its inputs")
        inputs = fund_inputs
    pack = Pack(kind, builder, subject, inputs, check, candidates)
    known = _PACKS.get(kind)
    if known is not None and known != pack:
        raise ValueError(f"report kind {kind!r} is registered already")
    _PACKS[kind] = pack
    return pack


def unregister_pack(kind: str) -> None:
    """Forget ``kind`` (tests that register a pack of their own)."""
    _PACKS.pop(kind, None)


def get_pack(kind: object, field: str = "kind") -> Pack:
    """The pack registered as ``kind``; ``report_kind_unknown`` naming ``field`` if none."""
    pack = _PACKS.get(kind) if isinstance(kind, str) else None
    if pack is None:
        raise ValidationError(field, "report_kind_unknown", kind=str(kind)[:40])
    return pack


def packs_for(subject: RunSubject) -> list[Pack]:
    """The registered packs about ``subject``, by kind."""
    return sorted((p for p in _PACKS.values() if p.subject is subject), key=lambda p: p.kind)


def label_of(kind: str) -> Any:
    """The page label of ``kind`` (registered or not)."""
    return LABELS.get(kind, DEFAULT_LABEL)
