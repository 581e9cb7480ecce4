"""The JSON API under /api/v1, on flask-smorest: each feature declares its routes with
marshmallow schemas in its own ``api.py`` (a :class:`fundops.api.blueprint.Blueprint`);
one declaration validates the request, serialises the response and generates the OpenAPI
document served (to a bearer token) at ``GET /api/v1/openapi.json``. No interactive docs
page is served (it would need assets from a CDN).

Contract, for every route: bearer token (401 ``unauthorized``); another organisation's
object is 404 ``not_found``, the same as one that does not exist; 422 names the field;
409 gives the rule's code; money-moving POSTs require ``Idempotency-Key``. Error bodies
are ``{"error": code, "message": text[, "field": name]}`` (:mod:`fundops.web.errors`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import flask_smorest
from flask import Flask, request

from fundops.api.auth import authenticate
from fundops.api.blueprint import PREFIX
from fundops.api.fields import OPENAPI_TYPES

ERRORS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "400": ("BadRequest", "the Idempotency-Key header is missing or malformed",
            ("idempotency_key_required", "bad_idempotency_key")),
    "401": ("Unauthorized", "no, invalid or expired bearer token", ("unauthorized",)),
    "403": ("Forbidden", "the caller's role may not record changes", ("forbidden",)),
    "404": ("NotFound", "no such object for the caller (another organisation's is the same)",
            ("not_found",)),
    "409": ("Conflict", "refused in the current state; ``message`` says why",
            ("conflict", "duplicate", "confirmation_required", "busy_retry")),
    "413": ("TooLarge", "the body is larger than the JSON limit (2 MB) or the request limit",
            ("json_body_too_large", "body_too_large")),
    "422": ("Invalid", ("a field is missing, unknown or invalid (a NUL character, an unpaired "
                        "surrogate, text that is not UTF-8, JSON nested more than 64 deep), or "
                        "the Idempotency-Key was used for a different request; ``field`` "
                        "names it"),
            ("invalid", "text_nul", "text_surrogate", "text_not_utf8", "json_too_deep")),
}
"""Error answers: status → (component name, description, the generic ``error`` codes; a
refusal may also carry a rule's own code of :mod:`fundops.messages`)."""

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": False, "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$",
                  "description": "a stable code; each error response lists its generic "
                                 "codes in x-error-codes"},
        "message": {"type": "string"},
        "field": {"type": "string", "description": "the field refused (422)"},
        "errors": {"type": "array", "items": {"type": "object"}},
        "warnings": {"type": "array", "items": {"type": "object"},
                     "description": "plausibility warnings (409 confirmation_required)"},
    },
}


class _Api(flask_smorest.Api):
    """flask-smorest's Api without its error handlers: :mod:`fundops.web.errors` answers
    every error of the app (pages and API) in one format."""

    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self) -> None:
        return None

    def _register_responses(self) -> None:
        self.spec.components.schema("Error", ERROR_SCHEMA)
        for name, text, codes in ERRORS.values():
            self.spec.components.response(name, {
                "description": text, "x-error-codes": list(codes),
                "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Error"}}}})


def init_app(app: Flask, blueprints: Iterable[flask_smorest.Blueprint]) -> None:
    """Registers the API blueprints, the OpenAPI document and token authentication."""
    app.config.update({
        "API_TITLE": "fundops API", "API_VERSION": "1", "OPENAPI_VERSION": "3.1.0",
        "OPENAPI_URL_PREFIX": PREFIX, "OPENAPI_JSON_PATH": "openapi.json",
    })
    api = _Api(app, spec_kwargs={
        "info": {"description": __doc__}, "security": [{"bearer": []}]})
    for field_type, (kind, fmt) in OPENAPI_TYPES.items():
        api.register_field(field_type, kind, fmt)
    api.spec.components.security_scheme("bearer", {
        "type": "http", "scheme": "bearer",
        "description": "an API token issued to a user (`fundops create-token`)"})
    names = {"api-docs"}
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
        names.add(blueprint.name)

    @app.before_request
    def _api_token() -> Any:
        if request.blueprint in names:
            return authenticate()
        return None
