"""Turns domain errors and HTTP errors into HTML pages or JSON, as the client wants.

Every answer carries a stable ``error`` code; the ``message`` is in the page's language
(Chinese by default) with amounts in the page's display unit. Database contention
(a deadlock, a serialisation failure, SQLite's "database is locked") is a 503 with
``Retry-After``; a unique or foreign-key violation that a race let through is a 409.
Nothing here ever turns bad input into a 500.
"""

from __future__ import annotations

import logging
from typing import Any, TypeAlias

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, IntegrityError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from fundops.errors import (
    ConfirmationRequired,
    ConflictError,
    DomainError,
    Forbidden,
    NotFound,
    ValidationError,
    ValidationErrors,
)

log = logging.getLogger("fundops.web")

ErrorAnswer: TypeAlias = tuple[Response | str, int, dict[str, str]]
"""An error handler's answer: the JSON response or the rendered page, status, headers."""


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best_match(["application/json", "text/html"]) == "application/json"
    )


def respond(status: int, code: str, message: str, field: str | None = None,
            extra: dict[str, Any] | None = None,
            headers: dict[str, str] | None = None) -> ErrorAnswer:
    """One error answer: JSON ``{"error", "message", "field"?}`` or the error page."""
    response: Response | str
    if wants_json():
        body: dict[str, Any] = {"error": code, "message": message}
        if field:
            body["field"] = field
        body.update(extra or {})
        response = jsonify(body)
    else:
        response = render_template("error.html", status=status, message=message, code=code)
    return response, status, headers or {}


def is_contention(exc: BaseException) -> bool:
    """A lock wait that gave up, a deadlock or a serialisation failure (retryable)."""
    orig = getattr(exc, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if sqlstate in {"40001", "40P01", "55P03"}:
        return True
    text = str(orig or exc).lower()
    return "database is locked" in text or "database table is locked" in text


def _http_text(status: int, fallback: str) -> str:
    texts = {
        400: gettext("The request could not be understood."),
        401: gettext("Please sign in."),
        403: gettext("You are not allowed to do this."),
        404: gettext("The page or record was not found."),
        405: gettext("This address does not accept that method."),
        409: gettext("The request conflicts with the current state of the record."),
        413: gettext("The request body is too large."),
        415: gettext("The request body has an unsupported type."),
        422: gettext("The input is invalid."),
        429: gettext("Too many attempts; please wait and retry."),
        500: gettext("Something went wrong on our side; nothing was saved."),
        503: gettext("The service is busy; please retry shortly."),
    }
    return texts.get(status, fallback)


def init_app(app: Flask) -> None:
    from fundops.i18n import localise

    @app.errorhandler(NotFound)
    def _not_found(exc: NotFound) -> ErrorAnswer:
        return respond(404, "not_found", _http_text(404, "Not found"))

    @app.errorhandler(Forbidden)
    def _forbidden(exc: Forbidden) -> ErrorAnswer:
        return respond(403, exc.code, localise(exc))

    @app.errorhandler(ValidationError)
    def _invalid(exc: ValidationError) -> ErrorAnswer:
        return respond(422, exc.code, localise(exc), exc.field)

    @app.errorhandler(ValidationErrors)
    def _invalid_many(exc: ValidationErrors) -> ErrorAnswer:
        first = exc.errors[0]
        details = [{"field": e.field, "error": e.code, "message": localise(e)} for e in exc.errors]
        return respond(422, first.code, localise(exc), first.field, {"errors": details})

    @app.errorhandler(ConfirmationRequired)
    def _confirm(exc: ConfirmationRequired) -> ErrorAnswer:
        from fundops.i18n import localise_message
        from fundops.messages import MESSAGES

        warnings = [{"code": c, "message": localise_message(MESSAGES.get(c, c), p)}
                    for c, p in exc.warnings]
        return respond(409, "confirmation_required", localise(exc), "confirm",
                       {"warnings": warnings})

    @app.errorhandler(ConflictError)
    def _conflict(exc: ConflictError) -> ErrorAnswer:
        return respond(409, exc.code, localise(exc))

    @app.errorhandler(DomainError)
    def _domain(exc: DomainError) -> ErrorAnswer:
        return respond(422, exc.code, localise(exc))

    @app.errorhandler(DBAPIError)  # also IntegrityError and OperationalError
    def _dbapi(exc: DBAPIError) -> ErrorAnswer:
        return _db_error(exc)

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> ErrorAnswer:
        return respond(400, "csrf", gettext(
            "The form expired or lacks its security token; reload the page and retry."))

    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(500, _server_error)


def _http(exc: HTTPException) -> ErrorAnswer:
    """Any other HTTP error, with its ``Allow``, ``Retry-After`` or ``WWW-Authenticate``."""
    status = exc.code or 500
    headers: dict[str, str] = {}
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    given = dict(exc.get_headers())
    for key in ("Retry-After", "WWW-Authenticate"):
        if given.get(key):
            headers[key] = given[key]
    return respond(status, _HTTP_CODES.get(status, "http_error"),
                   _http_text(status, exc.name), headers=headers)


def _server_error(exc: Any) -> ErrorAnswer:
    """An unhandled exception: a database error's answer if it is one, else a logged 500."""
    original = getattr(exc, "original_exception", None)
    if original is not None and isinstance(original, DBAPIError):
        return _db_error(original)
    log.exception("unhandled error on %s %s", request.method, request.path,
                  exc_info=original or exc)
    return respond(500, "server_error", _http_text(500, "Internal error"))


_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "body_too_large",
               415: "unsupported_media_type", 422: "invalid", 429: "too_many_requests",
               503: "unavailable"}


def _rollback() -> None:
    from fundops.extensions import db

    try:
        db.session.rollback()
    except Exception:  # logged: the connection may be gone; the answer still goes out
        log.exception("rollback after a database error failed")


def _db_error(exc: DBAPIError) -> ErrorAnswer:
    _rollback()
    if is_contention(exc):
        log.warning("contention on %s %s: %s", request.method, request.path, exc.orig)
        return respond(503, "busy_retry", gettext(
            "The system is busy with another change to the same record; please retry."),
            headers={"Retry-After": "1"})
    if isinstance(exc, IntegrityError):  # a race let a duplicate reach a unique key
        log.warning("integrity refusal on %s %s: %s", request.method, request.path, exc.orig)
        return respond(409, "duplicate", gettext(
            "A record with the same identity already exists, or the record changed meanwhile."))
    log.error("database error on %s %s: %s", request.method, request.path, exc)
    return respond(500, "server_error", _http_text(500, "Internal error"))
