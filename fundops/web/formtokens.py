"""One-time tokens of rendered web forms: a resubmission shows the first result, writes nothing.

Every state-changing page form derives from :class:`TokenForm`, whose hidden ``form_token``
is minted when the form is rendered (a GET never writes or consumes anything). A token is
``<nonce>.<HMAC(secret key, user, organisation, nonce)>``: only the user it was minted for
can submit it; another user's, a forged or a missing token is refused with 400 when the
form is validated.

On a POST (outside the JSON API, which has ``Idempotency-Key``, :mod:`fundops.idempotency`):

- a token already stored → redirect (303) to the first submission's result with a notice,
  before the view runs: nothing is written again;
- a form that validates *arms* its token; the next outermost :func:`fundops.uow.unit_of_work`
  inserts it into ``form_submission`` (UNIQUE token) as its first write. A concurrent twin
  waits on the unique index and fails once the first commits: it rolls back and gets the
  same redirect. A transaction that rolls back (a refused input) releases the token, so
  the user can correct the form and submit it again;
- after the response, the redirect's ``Location`` is stored as the submission's result
  (best effort; without it the duplicate goes back to the page the form came from).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import (
    Flask,
    Response,
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response as BaseResponse
from wtforms import HiddenField

from fundops.db import UTCDateTime, utcnow
from fundops.extensions import Model, db
from fundops.uow import on_first_write, unit_of_work

if TYPE_CHECKING:
    from fundops.web.errors import ErrorAnswer

log = logging.getLogger("fundops.web")

FIELD = "form_token"
MAX_TOKEN = 64
_SIGNATURE_CHARS = 32  # 192 bits of the HMAC-SHA256, URL-safe base64
_REDIRECTS = {301, 302, 303, 307, 308}
_WAIT_FOR_RESULT_S = 1.0  # how long a concurrent twin waits for the first one's result URL
# flask.g keys
_SUBMITTED = "form_token_submitted"  # the request's token, verified for the current user
_ARMED = "form_token_armed"  # validated form: claim it in the next outermost unit of work
_DONE = "form_token_done"  # claimed and committed in this request


class FormSubmission(Model):
    """A rendered form's one-time token, consumed by the transaction that acted on it."""

    __tablename__ = "form_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(MAX_TOKEN), unique=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    result_url: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FormTokenMissing(BadRequest):
    """The POST lacks a valid one-time token of the current user (400, nothing done)."""


class FormAlreadySubmitted(Exception):
    """A twin request committed this token first (raised inside the unit of work, which
    then rolls back)."""

    def __init__(self, token: str) -> None:
        super().__init__("form already submitted")
        self.token = token


# --- minting and checking ---------------------------------------------------------------


def _signature(secret: str | bytes, user_id: int, organisation_id: int, nonce: str) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    message = f"fundops.form_token|{user_id}|{organisation_id}|{nonce}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:_SIGNATURE_CHARS]


def mint(secret: str | bytes, user_id: int, organisation_id: int) -> str:
    """A fresh token (57 characters) that only this user of this organisation can submit."""
    nonce = secrets.token_urlsafe(18)
    return f"{nonce}.{_signature(secret, user_id, organisation_id, nonce)}"


def verify(secret: str | bytes, token: str, user_id: int, organisation_id: int) -> bool:
    """Whether ``token`` was minted with ``secret`` for this user and organisation."""
    nonce, dot, signature = token.partition(".")
    if not dot or not nonce or len(token) > MAX_TOKEN:
        return False
    expected = _signature(secret, user_id, organisation_id, nonce)
    return hmac.compare_digest(signature.encode(), expected.encode())


def _current_ids() -> tuple[int, int] | None:
    if not getattr(current_user, "is_authenticated", False):
        return None
    return int(current_user.id), int(current_user.organisation_id)


def fresh_token() -> str:
    """A token for the logged-in user (empty for anonymous pages): the field's default."""
    ids = _current_ids()
    return mint(current_app.secret_key, *ids) if ids else ""  # type: ignore[arg-type]


class TokenForm(FlaskForm):
    """Base of every state-changing page form: carries the one-time ``form_token``."""

    form_token = HiddenField(default=fresh_token)

    def validate(self, extra_validators: Any = None) -> bool:
        """Validate the fields; refuse (400) a POST without the user's token; a valid form
        arms the token for the action's unit of work."""
        token = g.get(_SUBMITTED)
        if not token:
            raise FormTokenMissing()
        valid = super().validate(extra_validators)
        if valid:
            setattr(g, _ARMED, token)
        return valid


def data_fields(form: FlaskForm) -> dict[str, Any]:
    """The form's input values by field name, without the CSRF and one-time tokens."""
    return {name: field.data for name, field in form._fields.items()
            if name not in ("csrf_token", FIELD)}


@contextmanager
def not_consumed() -> Iterator[None]:
    """Run a block (e.g. a preview) whose units of work must not consume the armed token."""
    token = g.pop(_ARMED, None)
    try:
        yield
    finally:
        if token:
            setattr(g, _ARMED, token)


# --- the unit of work's hook ---------------------------------------------------------------


def claim_armed() -> Callable[[], None] | None:
    """Insert the armed token as the transaction's first write (called by the outermost
    unit of work). Returns the callback to run after the commit, or None outside a request
    or if no token is armed. A twin that committed the token first →
    :class:`FormAlreadySubmitted`."""
    if not has_request_context():
        return None
    token = g.get(_ARMED)
    ids = _current_ids()
    if not token or ids is None:
        return None
    db.session.add(FormSubmission(token=token, user_id=ids[0], organisation_id=ids[1]))
    try:
        db.session.flush()  # a concurrent twin waits here until the first commits
    except sa.exc.IntegrityError:
        raise FormAlreadySubmitted(token) from None  # (no savepoint: the uow rolls back)

    def committed() -> None:
        g.pop(_ARMED, None)
        setattr(g, _DONE, token)

    return committed


# --- request hooks ------------------------------------------------------------------------


def _stored(token: str) -> Any:
    return db.session.execute(sa.select(
        FormSubmission.user_id, FormSubmission.organisation_id, FormSubmission.result_url,
    ).where(FormSubmission.token == token)).first()


def _local(url: str | None) -> str | None:
    """``url`` as a path on this site, or None if it is empty or points elsewhere."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", request.host):
        return None
    if not parts.path.startswith("/") or parts.path.startswith(("//", "/\\")) or "\\" in url:
        return None
    return (parts.path + (f"?{parts.query}" if parts.query else "")
            + (f"#{parts.fragment}" if parts.fragment else ""))


def _replay(result_url: str | None) -> BaseResponse:
    """Redirect to the first submission's result, or back to the form's page."""
    from fundops.i18n import localise_message
    from fundops.messages import MESSAGES

    target = _local(result_url) or _local(request.referrer)
    if target is None:
        rule = request.url_rule
        target = (
            request.full_path.rstrip("?")
            if rule is not None and "GET" in (rule.methods or ())
            else url_for("portfolio.fund_list")
        )
    flash(localise_message(MESSAGES["form_already_submitted"]), "info")
    return redirect(target, 303)


def _submitted_token() -> str | None:
    """The single token posted (``form_token`` or a prefixed ``<form>-form_token``)."""
    values = {value for key, value in request.form.items(multi=True)
              if key == FIELD or key.endswith("-" + FIELD)}
    return values.pop() if len(values) == 1 else None


def _before_request() -> BaseResponse | None:
    if request.method in ("GET", "HEAD", "OPTIONS") or request.path.startswith("/api/"):
        return None
    token, ids = _submitted_token(), _current_ids()
    if not token or ids is None or not verify(current_app.secret_key, token, *ids):  # type: ignore[arg-type]
        return None  # a TokenForm refuses the POST when it is validated
    earlier = _stored(token)
    if earlier is None:
        setattr(g, _SUBMITTED, token)
        return None
    if (earlier.user_id, earlier.organisation_id) != ids:
        return None
    return _replay(earlier.result_url)


def _after_request(response: Response) -> Response:
    """Store where the first submission led (best effort: a failure only loses the link)."""
    token = g.pop(_DONE, None)
    location = _local(response.headers.get("Location"))
    if not token or response.status_code not in _REDIRECTS or not location:
        return response
    try:
        with unit_of_work():
            db.session.execute(sa.update(FormSubmission).where(FormSubmission.token == token)
                               .values(result_url=location[:500]))
    except sa.exc.SQLAlchemyError:
        log.warning("could not store the result of form token on %s %s", request.method,
                    request.path, exc_info=True)
    return response


def _already_submitted(exc: FormAlreadySubmitted) -> BaseResponse:
    """The twin committed first: wait briefly for its result URL, then redirect there."""
    deadline = time.monotonic() + _WAIT_FOR_RESULT_S
    while True:
        earlier = _stored(exc.token)
        db.session.rollback()  # end the read so the next look sees new commits
        if earlier is None or earlier.result_url or time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    return _replay(earlier.result_url if earlier is not None else None)


def _token_missing(exc: FormTokenMissing) -> ErrorAnswer:
    from fundops.i18n import localise_message
    from fundops.messages import MESSAGES
    from fundops.web.errors import respond

    return respond(400, "form_token_missing", localise_message(MESSAGES["form_token_missing"]),
                   FIELD)


def init_app(app: Flask) -> None:
    """Register the hooks (after CSRFProtect, so a duplicate is answered only past CSRF)."""
    on_first_write(claim_armed)
    app.before_request(_before_request)
    app.after_request(_after_request)
    app.register_error_handler(FormAlreadySubmitted, _already_submitted)
    app.register_error_handler(FormTokenMissing, _token_missing)
