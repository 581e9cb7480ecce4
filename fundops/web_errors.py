"""Turns domain errors and HTTP errors into HTML pages or JSON, as the client wants."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from fundops.errors import ConflictError, DomainError, Forbidden, NotFound, ValidationError


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best_match(["application/json", "text/html"]) == "application/json"
    )


def _respond(status: int, code: str, message: str, field: str | None = None) -> Any:
    if wants_json():
        body: dict[str, Any] = {"error": code, "message": message}
        if field:
            body["field"] = field
        return jsonify(body), status
    return render_template("error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(NotFound)
    def _not_found(exc: NotFound) -> Any:
        return _respond(404, "not_found", "Not found")

    @app.errorhandler(Forbidden)
    def _forbidden(exc: Forbidden) -> Any:
        return _respond(403, "forbidden", exc.message)

    @app.errorhandler(ValidationError)
    def _invalid(exc: ValidationError) -> Any:
        return _respond(422, "invalid", str(exc), exc.field)

    @app.errorhandler(ConflictError)
    def _conflict(exc: ConflictError) -> Any:
        return _respond(409, "conflict", exc.message)

    @app.errorhandler(DomainError)
    def _domain(exc: DomainError) -> Any:
        return _respond(422, "invalid", str(exc))

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> Any:
        return _respond(400, "csrf", "The form expired or lacks its CSRF token; reload and retry.")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        return _respond(exc.code or 500, "http_error", exc.description or exc.name)
