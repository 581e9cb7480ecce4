"""Domain exceptions for business-rule failures (no Flask; HTTP mapping lives elsewhere)."""

from __future__ import annotations

from collections.abc import Iterable


class DomainError(Exception):
    """Base class for every business-rule failure raised by fundops code.

    ``message`` is a human-readable explanation that may be shown to the user.
    Subclasses supply a ``default_message`` used when no message is given.
    """

    default_message: str = "The operation violates a business rule."
    message: str

    def __init__(self, message: str | None = None) -> None:
        text = self.default_message if message is None else message
        super().__init__(text)
        self.message = text

    def __str__(self) -> str:
        return self.message


class ValidationError(DomainError):
    """One input value failed validation.

    ``field`` names the offending input (form field, column or parameter) and
    ``message`` says what is wrong with it; ``str(e)`` is ``"{field}: {message}"``.
    """

    field: str

    def __init__(self, field: str, message: str) -> None:
        # Exception.args is (field, message) so the exception pickles and copies cleanly.
        Exception.__init__(self, field, message)
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class ValidationErrors(DomainError):
    """Several validation failures reported together (e.g. a whole form).

    ``errors`` is the non-empty list of :class:`ValidationError` in the order they
    were found; ``str(e)`` joins their ``str()`` forms with ``"; "``.
    """

    errors: list[ValidationError]

    def __init__(self, errors: Iterable[ValidationError]) -> None:
        collected = list(errors)
        if not collected:
            raise ValueError("ValidationErrors needs at least one ValidationError")
        for err in collected:
            if not isinstance(err, ValidationError):
                raise TypeError(f"expected ValidationError, got {type(err).__name__}")
        Exception.__init__(self, collected)
        self.errors = collected
        self.message = "; ".join(str(err) for err in collected)

    def __str__(self) -> str:
        return self.message

    def by_field(self) -> dict[str, list[str]]:
        """Group the messages by field name, preserving first-seen field order."""
        grouped: dict[str, list[str]] = {}
        for err in self.errors:
            grouped.setdefault(err.field, []).append(err.message)
        return grouped


class NotFound(DomainError):
    """The requested record does not exist (or is not visible to the caller)."""

    default_message = "The requested record was not found."


class Forbidden(DomainError):
    """The caller is not allowed to perform the operation."""

    default_message = "You are not allowed to perform this operation."


class ConflictError(DomainError):
    """The operation conflicts with the current state (duplicate, stale or locked record)."""

    default_message = "The operation conflicts with the current state of the record."
