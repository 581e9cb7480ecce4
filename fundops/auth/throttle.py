"""Log-in throttling and lockout that hold across server processes, and constant-time
password checks for unknown emails.

Every attempt is a ``login_attempt`` row, inserted and committed **before** the password
is looked at (outcome ``pending``), then marked ``success``, ``failed`` or ``locked``.
An attempt is refused (:class:`LoginThrottled`, 429) when, counting its own row, more
than ``LOGIN_MAX_FAILURES`` attempts for the same email — pending or failed, within
``LOGIN_WINDOW_SECONDS`` and after the email's last success — or more than
``LOGIN_MAX_FAILURES_PER_IP`` from the same address are on record. Because each request
counts after its own insert has committed, the k-th attempt to commit sees at least k
rows: however many processes and threads race, at most ``LOGIN_MAX_FAILURES`` attempts
get past the check (no lock needed). A refused attempt is marked ``locked`` and does not
extend the lock; it ends when the failures age out of the window. The right password is
refused just like a wrong one while locked. Emails are counted whether or not an
account exists, so a lockout does not tell which emails exist either.
"""

from __future__ import annotations

import logging
import math
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from fundops.auth.models import User
from fundops.db import UTCDateTime, utcnow
from fundops.errors import DomainError
from fundops.extensions import Model, db
from fundops.uow import unit_of_work

log = logging.getLogger("fundops.auth")

PENDING, SUCCESS, FAILED, LOCKED = "pending", "success", "failed", "locked"
_COUNTED = (PENDING, FAILED)
_dummy_hash: list[str] = []


class LoginAttempt(Model):
    """One log-in attempt: the email typed (normalised), the client address, the outcome."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        sa.Index("ix_login_attempt_email_attempted_at", "email", "attempted_at"),
        sa.Index("ix_login_attempt_ip_attempted_at", "ip", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    ip: Mapped[str] = mapped_column(sa.String(45))
    outcome: Mapped[str] = mapped_column(sa.String(10))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LoginThrottled(DomainError):
    """Too many failed attempts for this email or from this address (HTTP 429)."""

    default_code = "login_throttled"


def dummy_hash() -> str:
    """A hash of a random password made like real ones, so that checking an unknown email
    costs the same as checking a real account."""
    if not _dummy_hash:
        _dummy_hash.append(generate_password_hash(secrets.token_hex(16)))
    return _dummy_hash[0]


def authenticate(email: str, password: str, ip: str) -> User | None:
    """The active user with this email and password, or ``None``; raises
    :class:`LoginThrottled` when the email or address is locked out (see module doc)."""
    email = email.strip().lower()[:254]
    ip = (ip or "unknown")[:45]
    now = utcnow()
    with unit_of_work():
        attempt = LoginAttempt(email=email, ip=ip, outcome=PENDING, attempted_at=now)
        db.session.add(attempt)
    attempt_id = attempt.id
    config = current_app.config
    window = timedelta(seconds=int(config["LOGIN_WINDOW_SECONDS"]))
    if (_failures(LoginAttempt.email == email, now - window, email)
            > int(config["LOGIN_MAX_FAILURES"])
            or _failures(LoginAttempt.ip == ip, now - window, None)
            > int(config["LOGIN_MAX_FAILURES_PER_IP"])):
        _finish(attempt_id, LOCKED)
        log.warning("login refused: too many failures", extra={
            "event": "login.throttled", "email": email, "ip": ip})
        raise LoginThrottled(minutes=math.ceil(window.total_seconds() / 60))
    user = db.session.scalar(sa.select(User).where(User.email == email))
    # Always run the hasher: an unknown email costs as much as a wrong password.
    matches = check_password_hash(user.password_hash if user is not None else dummy_hash(),
                                  password)
    ok = user is not None and user.is_active and matches
    _finish(attempt_id, SUCCESS if ok else FAILED)
    if ok:
        assert user is not None
        log.info("login succeeded", extra={"event": "login.success", "email": email, "ip": ip,
                                           "user_id": user.id})
        return user
    log.warning("login failed", extra={"event": "login.failed", "email": email, "ip": ip,
                                       "known_email": user is not None})
    return None


def _failures(who: sa.ColumnElement[bool], since: datetime, email: str | None) -> int:
    """Pending or failed attempts matching ``who`` after ``since`` (and, for an email,
    after its last success)."""
    if email is not None:
        last_success = db.session.scalar(sa.select(sa.func.max(LoginAttempt.attempted_at))
                                         .where(LoginAttempt.email == email,
                                                LoginAttempt.outcome == SUCCESS))
        if last_success is not None and last_success > since:
            since = last_success
    return int(db.session.scalar(
        sa.select(sa.func.count()).select_from(LoginAttempt)
        .where(who, LoginAttempt.outcome.in_(_COUNTED), LoginAttempt.attempted_at >= since))
        or 0)


def _finish(attempt_id: int, outcome: str) -> None:
    with unit_of_work():
        db.session.execute(sa.update(LoginAttempt).where(LoginAttempt.id == attempt_id)
                           .values(outcome=outcome))
