"""Request hygiene: hostile bytes are refused as bad input before any view runs.

Runs first among the ``before_request`` functions (ahead of the CSRF check, which parses
the form). What it refuses, and how:

- a JSON body (``application/json``) larger than ``MAX_JSON_BYTES`` → 413
  ``json_body_too_large``; any body beyond ``MAX_CONTENT_LENGTH`` → 413 (Werkzeug);
- a JSON body nested deeper than ``MAX_JSON_DEPTH`` arrays/objects → 422
  ``json_too_deep`` (counted on the raw bytes, strings skipped, *before* parsing, so a
  100,000-deep body never reaches the recursive parser);
- a JSON body that is not UTF-8 → 422 ``text_not_utf8``; a NUL character or an unpaired
  surrogate (``"\\ud800"``) in any key or string → 422 ``text_nul`` / ``text_surrogate``
  naming the field path (``note``, ``co_investors[0].name``);
- a query string or url-encoded form whose percent-encoding is not UTF-8, or with a NUL
  → 422 naming the parameter; multipart form fields with a NUL → 422.

Malformed JSON is left to the view (it answers 422 naming ``body``). Pages get the error
page in their language with the field named; the API gets ``{"error", "message",
"field"}``.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from fundops.errors import ValidationError

# A JSON string literal, possessive so that an unclosed string runs to the end of the body
# in one linear pass (a backtracking pattern is quadratic on '"' + '\\"' * n).
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"?', re.S)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")


class JsonBodyTooLarge(RequestEntityTooLarge):
    """A JSON body above ``MAX_JSON_BYTES`` (smaller than the general body limit)."""


def init_app(app: Flask) -> None:
    """Register the guard as the very first ``before_request`` function."""
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)

    @app.errorhandler(JsonBodyTooLarge)
    def _json_too_large(exc: JsonBodyTooLarge) -> Any:
        from fundops.i18n import localise_message
        from fundops.messages import MESSAGES
        from fundops.web.errors import respond

        limit = int(current_app.config["MAX_JSON_BYTES"])
        shown = f"{limit / 1024 / 1024:g} MB" if limit >= 1024 * 1024 else f"{limit} bytes"
        return respond(413, "json_body_too_large",
                       localise_message(MESSAGES["json_body_too_large"], {"limit": shown}))


def check_request() -> None:
    """Refuse the request (by raising) if its query string or body carries hostile text."""
    if request.query_string:
        check_urlencoded(request.query_string)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.is_json:
        check_json_body()
    elif request.mimetype == "application/x-www-form-urlencoded":
        check_urlencoded(request.get_data(cache=True))
    elif request.mimetype == "multipart/form-data":
        for key, value in request.form.items(multi=True):
            _check_text(key, key)
            _check_text(value, key)


def check_json_body() -> None:
    limit = int(current_app.config["MAX_JSON_BYTES"])
    if request.content_length is not None and request.content_length > limit:
        raise JsonBodyTooLarge()
    raw = request.get_data(cache=True)
    if len(raw) > limit:
        raise JsonBodyTooLarge()
    if not raw:
        return
    depth = int(current_app.config["MAX_JSON_DEPTH"])
    if json_depth(raw, stop_above=depth) > depth:
        raise ValidationError("body", "json_too_deep", limit=depth)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError("body", "text_not_utf8", name="body") from None
    try:
        value = json.loads(text)
    except ValueError:
        return  # malformed: the view answers 422 naming ``body``
    check_json_value(value, "")


def json_depth(raw: bytes, stop_above: int | None = None) -> int:
    """The deepest nesting of ``[``/``{`` in ``raw`` outside JSON strings (0 for a scalar).

    Counts bytes only, so it is safe on any input; stops early once ``stop_above`` is
    exceeded. Brackets in an unterminated string count (such a body is invalid anyway).
    """
    brackets = _STRING.sub(b'""', raw).translate(None, _NOT_BRACKET)
    depth = deepest = 0
    for byte in brackets:
        if byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > deepest:
                deepest = depth
                if stop_above is not None and deepest > stop_above:
                    break
        else:
            depth -= 1
    return deepest


def check_json_value(value: Any, path: str) -> None:
    """Raise for the first key or string in ``value`` with a NUL or unpaired surrogate."""
    if isinstance(value, str):
        _check_text(value, path or "body")
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            _check_text(key, name)
            check_json_value(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_json_value(item, f"{path}[{index}]")


def check_urlencoded(raw: bytes) -> None:
    """Raise for a parameter of ``raw`` (``a=1&b=2``) whose decoded bytes are not UTF-8
    or contain a NUL."""
    for pair in raw.split(b"&"):
        if not pair:
            continue
        name_raw, _, value_raw = pair.partition(b"=")
        name_bytes = unquote_to_bytes(name_raw.replace(b"+", b" "))
        name = name_bytes.decode("utf-8", "replace")
        for part in (name_bytes, unquote_to_bytes(value_raw.replace(b"+", b" "))):
            try:
                text = part.decode("utf-8")
            except UnicodeDecodeError:
                field = shown_name(name)
                raise ValidationError(field, "text_not_utf8", name=field) from None
            _check_text(text, name)


def _check_text(text: str, field: str) -> None:
    bad = _BAD_TEXT.search(text)
    if bad is None:
        return
    shown = shown_name(field)
    code = "text_nul" if bad.group() == "\x00" else "text_surrogate"
    raise ValidationError(shown, code, name=shown)


def shown_name(name: str) -> str:
    """``name`` safe to show and to encode: NUL, controls and surrogates escaped, cut to
    100 characters."""
    out = []
    for char in name[:100]:
        if char < " " or "\ud800" <= char <= "\udfff" or char == "\x7f":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)
