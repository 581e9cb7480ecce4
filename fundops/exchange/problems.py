"""Problem collection for dataset imports and the exception that carries the problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_LISTED = 500
"""At most this many problems are listed; a final line counts the rest."""


class ImportFailed(Exception):
    """A dataset import was refused and nothing was written.

    ``problems`` lists every problem found, in sheet order then row order, each as
    ``"sheet 'cash_flow', row 7, field 'amount': <what is wrong>"`` (row-level),
    ``"sheet 'cash_flow': <what is wrong>"`` (sheet-level) or ``"file: <what is wrong>"``.
    """

    def __init__(self, problems: list[str], details: list[Problem] | None = None) -> None:
        super().__init__(f"import refused with {len(problems)} problem(s); nothing written")
        self.problems = problems
        self.details = details or []

    def __str__(self) -> str:
        head = super().__str__()
        return "\n".join([head, *self.problems[:20]])


@dataclass(order=True, frozen=True, slots=True)
class Problem:
    """One problem; sorts by sheet position, then row, then discovery order."""

    sheet_rank: int
    row: int
    seq: int
    text: str = field(compare=False)
    code: str = field(default="", compare=False)
    """The message code (fundops.messages) when the problem came from a validator."""
    params: dict[str, Any] = field(default_factory=dict, compare=False)
    where: str = field(default="", compare=False)

    def localised(self) -> str:
        """The problem in the page's language (a request context is needed); problems
        without a code keep their English text."""
        from fundops.i18n import localise_message
        from fundops.messages import MESSAGES

        if not self.code or self.code not in MESSAGES:
            return self.text
        return f"{self.where}: {localise_message(MESSAGES[self.code], self.params)}"


@dataclass
class Problems:
    """Collects problems found while reading and validating a dataset."""

    sheet_order: tuple[str, ...]
    items: list[Problem] = field(default_factory=list)

    def _rank(self, sheet: str | None) -> int:
        if sheet is None:
            return -1
        try:
            return self.sheet_order.index(sheet)
        except ValueError:
            return len(self.sheet_order)

    def file(self, message: str) -> None:
        """A problem with the file as a whole (format, size, encoding)."""
        self.items.append(Problem(-2, 0, len(self.items), f"file: {message}"))

    def sheet(self, sheet: str, message: str) -> None:
        """A problem with one sheet (JSON: one record type) as a whole."""
        self.items.append(Problem(self._rank(sheet), 0, len(self.items),
                                  f"sheet '{sheet}': {message}"))

    def row(self, sheet: str, row: int, field_name: str | None, message: str,
            code: str = "", params: dict[str, Any] | None = None) -> None:
        """A problem with one row, optionally with one field of it (``code`` and ``params``
        when it is a validator's refusal, so a page can show it translated)."""
        where = f"sheet '{sheet}', row {row}"
        if field_name is not None:
            where += f", field '{field_name}'"
        self.items.append(Problem(self._rank(sheet), row, len(self.items), f"{where}: {message}",
                                  code, dict(params or {}), where))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        """Raise :class:`ImportFailed` listing every problem (capped at :data:`MAX_LISTED`)."""
        if not self.items:
            return
        ordered = sorted(self.items)
        texts = [p.text for p in ordered]
        if len(texts) > MAX_LISTED:
            rest = len(texts) - MAX_LISTED
            texts = [*texts[:MAX_LISTED], f"... and {rest} more problem(s) not listed"]
        raise ImportFailed(texts, ordered[:MAX_LISTED])
