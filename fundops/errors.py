"""Domain exceptions for business-rule failures (no Flask; HTTP mapping lives elsewhere).

Every refusal carries a stable machine-readable ``code`` (registered in
:mod:`fundops.messages` with its English template) and the ``params`` the template
needs. ``str(exc)`` is the English text for logs and the command line; pages and the API
render the translated text through :func:`fundops.i18n.localise`, which formats amount
params (:class:`fundops.money.Money`) in the page's display unit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def _english(template: str, params: Mapping[str, Any]) -> str:
    """The template with its params in plain form (amounts as exact numbers)."""
    shown = {k: _plain(v) for k, v in params.items()}
    try:
        return template % shown
    except (KeyError, TypeError, ValueError):
        return template


def _plain(value: Any) -> str:
    from decimal import Decimal
    from enum import Enum

    amount = getattr(value, "amount", None)
    currency = getattr(value, "currency", None)
    if isinstance(amount, Decimal) and isinstance(currency, str):
        return f"{amount:f} {currency}"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def _resolve(code_or_text: str | None, fallback_code: str, default: str) -> tuple[str, str]:
    """(code, template): a registered code gives its template; other text is a literal."""
    from fundops.messages import MESSAGES

    if code_or_text is None:
        return fallback_code, MESSAGES.get(fallback_code, default)
    if code_or_text in MESSAGES:
        return code_or_text, MESSAGES[code_or_text]
    # Unregistered text: kept verbatim (a test keeps the source free of these).
    return fallback_code, code_or_text.replace("%", "%%")


class DomainError(Exception):
    """Base class for every business-rule failure raised by fundops code.

    ``DomainError(code, **params)``: ``code`` is a key of :data:`fundops.messages.MESSAGES`;
    ``template`` its English text with ``%(name)s`` placeholders filled from ``params``;
    ``message`` the English rendering. Subclasses supply ``default_code``.
    """

    default_code: str = "rule_violated"
    default_message: str = "The operation violates a business rule."
    code: str
    template: str
    params: dict[str, Any]
    message: str

    def __init__(self, message: str | None = None, **params: Any) -> None:
        self._fill(message, self.default_message, params)
        super().__init__(self.message)

    def _fill(self, message: str | None, default: str, params: dict[str, Any]) -> None:
        """Set ``code``, ``template``, ``params`` and the English ``message``."""
        self.code, self.template = _resolve(message, self.default_code, default)
        self.params = params
        self.message = _english(self.template, params)

    def __str__(self) -> str:
        return self.message


class ValidationError(DomainError):
    """One input value failed validation.

    ``ValidationError(field, code, **params)``: ``field`` names the offending input (form
    field, column or parameter); ``str(e)`` is ``"{field}: {message}"``.
    """

    default_code = "invalid"
    field: str

    def __init__(self, field: str, message: str | None = None, **params: Any) -> None:
        # Exception.args is (field, message) so the exception pickles and copies cleanly.
        Exception.__init__(self, field, message)
        self.field = field
        self._fill(message, "is invalid", params)

    def __reduce__(self) -> Any:
        return (_rebuild_validation, (self.field, self.args[1], self.params))

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def _rebuild_validation(field: str, message: str | None,
                        params: dict[str, Any]) -> ValidationError:
    return ValidationError(field, message, **params)


class ValidationErrors(DomainError):
    """Several validation failures reported together (e.g. a whole form).

    ``errors`` is the non-empty list of :class:`ValidationError` in the order they
    were found; ``str(e)`` joins their ``str()`` forms with ``"; "``.
    """

    default_code = "invalid"
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
        self.code = "invalid"
        self.template = "%(details)s"
        self.params = {}
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

    default_code = "not_found"
    default_message = "The requested record was not found."


class Forbidden(DomainError):
    """The caller is not allowed to perform the operation."""

    default_code = "forbidden"
    default_message = "You are not allowed to perform this operation."


class ConflictError(DomainError):
    """The operation conflicts with the current state (duplicate, stale or locked record)."""

    default_code = "conflict"
    default_message = "The operation conflicts with the current state of the record."


class ConfirmationRequired(DomainError):
    """Plausibility warnings that the user must confirm (with a reason) before posting.

    ``warnings`` is a list of ``(code, params)``; the API answers 409 with
    ``error = "confirmation_required"`` and the list, pages show them with a
    confirm box. Re-submit with ``confirm`` true and a reason to post anyway.
    """

    default_code = "confirmation_required"
    default_message = "Please confirm: the entry looks implausible."
    warnings: list[tuple[str, dict[str, Any]]]

    def __init__(self, warnings: Iterable[tuple[str, Mapping[str, Any]]]) -> None:
        collected = [(code, dict(params)) for code, params in warnings]
        super().__init__("confirmation_required")
        self.warnings = collected
        self.message = "; ".join(
            _english(_resolve(c, "invalid", c)[1], p) for c, p in collected) or self.message
