"""Request-shape errors of the API as the app's coded errors: a marshmallow/webargs
refusal becomes one :class:`fundops.errors.ValidationError` naming the first field
(``partners[1].bank_id`` for a nested line), answered 422 by :mod:`fundops.web.errors`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fundops.errors import ValidationError


def _first(messages: Any, path: str) -> tuple[str, str]:
    """The first (field path, message) of marshmallow's nested error messages."""
    if isinstance(messages, Mapping):
        key = sorted(messages, key=lambda k: (isinstance(k, str), str(k)))[0] \
            if any(isinstance(k, int) for k in messages) else next(iter(messages))
        if isinstance(key, int):
            return _first(messages[key], f"{path}[{key}]")
        if key == "_schema":
            return _first(messages[key], path)
        return _first(messages[key], f"{path}.{key}" if path else str(key))
    if isinstance(messages, list | tuple) and messages:
        return _first(messages[0], path)
    return path, str(messages)


def as_validation_error(messages: Any) -> ValidationError:
    """Marshmallow ``messages`` (as webargs gives them, per location) → one coded error.
    Messages of :mod:`fundops.api.fields` are ``"<code> <json params>"``; any other
    (a library's own text) is reported as the generic ``invalid`` of that field."""
    if isinstance(messages, Mapping) and len(messages) == 1 and (
            "json" in messages or "query" in messages):  # webargs keys them by location
        messages = next(iter(messages.values()))
    field, text = _first(messages, "")
    code, _, raw = text.partition(" ")
    try:
        params = json.loads(raw) if raw else {}
    except ValueError:
        code, params = "invalid", {}
    if not code.isidentifier() or not isinstance(params, dict):
        code, params = "invalid", {}
    return ValidationError(field or "body", code, **params)
