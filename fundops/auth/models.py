"""Organisations (tenants), users with roles, and hashed API tokens."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundops.db import UTCDateTime, enum_column, utcnow
from fundops.extensions import Model
from fundops.roles import WRITER_ROLES, Role

__all__ = ["WRITER_ROLES", "ApiToken", "OrgKind", "Organisation", "Role", "TokenScope", "User"]


class OrgKind(enum.StrEnum):
    """What an organisation is; decides which features it uses."""

    GUIDANCE_FUND_MANAGER = "guidance_fund_manager"
    GP = "gp"
    BANK = "bank"
    PLATFORM_OPERATOR = "platform_operator"
    GUARANTOR = "guarantor"


class TokenScope(enum.StrEnum):
    """What an API token was issued for. Every token issued so far is ``read``; the scope
    is recorded but not enforced (a token acts with its user's role)."""

    READ = "read"


class Organisation(Model):
    """A tenant: every business row belongs to, or is shared with, organisations."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[OrgKind] = mapped_column(enum_column(OrgKind))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class User(UserMixin, Model):
    """A person who logs in; belongs to exactly one organisation."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    is_active_flag: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    # Bumped on logout/password change so that old session cookies stop working.
    session_version: Mapped[int] = mapped_column(sa.Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:
        return bool(self.is_active_flag)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def can_write(self) -> bool:
        return self.role in WRITER_ROLES


class ApiToken(Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    label: Mapped[str] = mapped_column(sa.String(100))
    scope: Mapped[TokenScope] = mapped_column(enum_column(TokenScope), default=TokenScope.READ)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
