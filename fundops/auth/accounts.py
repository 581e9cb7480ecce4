"""Account administration: organisations, users and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from fundops.audit import record
from fundops.auth.models import ApiToken, Organisation, OrgKind, Role, User
from fundops.db import utcnow
from fundops.errors import ValidationError
from fundops.extensions import db
from fundops.uow import unit_of_work


def get_or_create_organisation(name: str, kind: str) -> Organisation:
    """Find an organisation by name or create it with ``kind`` (joins the caller's unit of work)."""
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == name))
    if org is None:
        try:
            org_kind = OrgKind(kind)
        except ValueError:
            raise ValidationError("kind", "org_kind_invalid", value=kind) from None
        org = Organisation(name=name, kind=org_kind)
        db.session.add(org)
        db.session.flush()
    return org


def create_user(
    *, email: str, display_name: str, organisation_name: str, organisation_kind: str,
    role: str, password: str, locale: str | None = None,
) -> User:
    """Create a user with a hashed password; the organisation is created when new."""
    email = email.strip().lower()
    if "@" not in email:
        raise ValidationError("email", "email_invalid", email=email)
    try:
        user_role = Role(role)
    except ValueError:
        raise ValidationError("role", "role_invalid", value=role) from None
    if len(password) < 8:
        raise ValidationError("password", "password_too_short", min_len=8)
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise ValidationError("email", "email_taken", email=email)
    with unit_of_work():
        org = get_or_create_organisation(organisation_name, organisation_kind)
        user = User(organisation_id=org.id, email=email, display_name=display_name,
                    password_hash=generate_password_hash(password), role=user_role, locale=locale)
        db.session.add(user)
        db.session.flush()
        record(organisation_id=org.id, user_id=None, action="user.create", object_type="user",
               object_id=user.id, changes={"email": email, "role": user_role.value},
               auth_method="cli")
    return user


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(*, email: str, label: str, days: int = 90) -> str:
    """Create an API token for a user; returns the plaintext once (only its hash is kept)."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise ValidationError("email", "user_unknown", email=email)
    token = "fo_" + secrets.token_urlsafe(32)
    with unit_of_work():
        db.session.add(ApiToken(user_id=user.id, token_sha256=token_digest(token), label=label,
                                expires_at=utcnow() + timedelta(days=days)))
        record(organisation_id=user.organisation_id, user_id=user.id, action="token.issue",
               object_type="user", object_id=user.id, changes={"label": label}, auth_method="cli")
    return token
