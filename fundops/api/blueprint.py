"""The API's route declarations: a flask-smorest Blueprint whose request parser answers
in the app's coded errors, plus the decorators every feature's ``api.py`` uses.

A route is declared once::

    @bp.route(f"/loans/<{ID}:loan_id>/disburse", methods=["POST"])
    @guard(lambda actor, loan_id: lending.get_loan(actor, loan_id, write=True))
    @idempotent
    @bp.arguments(DisburseIn)
    @bp.response(200, LoanOut)
    def loan_disburse(data, loan_id): ...

``guard`` checks access before the body is read (another organisation gets 404 whatever
it sends); ``idempotent`` runs the rest at most once per Idempotency-Key
(:mod:`fundops.idempotency`); ``arguments`` validates the body with the schema (422
naming the field); ``response`` serialises with the schema. The route adds the common
error answers (401, 403, 404, 409, 413, 422, 400) to the generated document.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import flask_smorest
from flask import jsonify, request
from webargs.flaskparser import FlaskParser

from fundops.api.errors import as_validation_error
from fundops.api.fields import MAX_ID
from fundops.auth.current import current_actor
from fundops.errors import NotFound, ValidationError
from fundops.idempotency import once
from fundops.uow import Actor

# What fundops.idempotency accepts of a header value: after stripping whitespace, printable
# characters only (no control characters, no no-break space or soft hyphen), not empty.
_SPACE = r"[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0]"
_SOLID = r"[\x21-\x7e\xa1-\xac\xae-\uffff]"
_PRINTABLE = r"[\x20-\x7e\xa1-\xac\xae-\uffff]"
IDEMPOTENCY_KEY_PATTERN = rf"^{_SPACE}*{_SOLID}(?:{_PRINTABLE}*{_SOLID})?{_SPACE}*$"
ID = f"int(max={MAX_ID})"  # an id beyond the 32-bit columns is a routing 404, not a 500
PREFIX = "/api/v1"


def body_object() -> dict[str, Any]:
    """The request's JSON object; an empty body is ``{}``; anything else (a list, a
    string, text that is not JSON) is a 422 on ``body``."""
    if not request.get_data(cache=True):
        return {}
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError("body", "syn_body_not_object")
    return data


class _Parser(FlaskParser):
    """webargs parser: the JSON body as :func:`body_object` reads it; a refusal raises the
    app's :class:`ValidationError` (one field, one code)."""

    def load_json(self, req: Any, schema: Any) -> Any:
        return body_object()

    def handle_error(self, error: Any, req: Any, schema: Any, *, error_status_code: Any,
                     error_headers: Any) -> Any:
        raise as_validation_error(error.messages)


def _not_found(exc: NotFound) -> Any:
    """The API's one 404 body, whatever the object and whoever asks (no page text)."""
    return jsonify({"error": "not_found", "message": "Not found"}), 404


class Blueprint(flask_smorest.Blueprint):
    """An API blueprint under /api/v1; operation ids are ``<blueprint>.<function>``."""

    ARGUMENTS_PARSER = _Parser()

    def __init__(self, name: str, import_name: str, **kwargs: Any) -> None:
        kwargs.setdefault("url_prefix", PREFIX)
        super().__init__(name, import_name, **kwargs)
        self.register_error_handler(NotFound, _not_found)

    def route(self, rule: str, *, parameters: Any = None, tags: Any = None,
              **options: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        methods = options.get("methods", ["GET"])

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            apidoc = func.__dict__.setdefault("_apidoc", {})
            manual = apidoc.setdefault("manual_doc", {})
            manual["operationId"] = f"{self.name}.{func.__name__}"
            responses = manual.setdefault("responses", {})
            responses["401"] = "Unauthorized"
            if "<" in rule:
                responses["404"] = "NotFound"
            arguments = apidoc.get("arguments", {}).get("parameters", [])
            if arguments:  # a refused body or query parameter (replaces smorest's own 422)
                responses["422"] = "Invalid"
            if any(p.get("in") == "json" for p in arguments):
                responses["413"] = "TooLarge"
            if any(m != "GET" for m in methods):
                responses.update({"403": "Forbidden", "409": "Conflict", "422": "Invalid"})
            if getattr(func, "_idempotent", False):
                responses["400"] = "BadRequest"
                manual.setdefault("parameters", []).append({
                    "name": "Idempotency-Key", "in": "header", "required": True,
                    "description": "a unique value per operation (at most 255 printable "
                                   "characters); a retry with the same key replays the answer",
                    "schema": {"type": "string", "minLength": 1, "maxLength": 255,
                               "pattern": IDEMPOTENCY_KEY_PATTERN}})
            return super(Blueprint, self).route(rule, parameters=parameters, tags=tags,
                                                **options)(func)

        return decorator


def guard(check: Callable[..., object]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Run ``check(actor, **path_args)`` (an access check raising NotFound/Forbidden)
    before the body is parsed."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            check(current_actor(), **kwargs)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """A money-moving operation: requires ``Idempotency-Key``; parse, service call and
    response run at most once per key (:func:`fundops.idempotency.once`)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return once(current_actor(), lambda: view(*args, **kwargs))

    wrapper._idempotent = True  # type: ignore[attr-defined]
    return wrapper


def actor() -> Actor:
    """The token's user (set by :mod:`fundops.api.auth`)."""
    return current_actor()
