"""Company identities: the public registry facts shared by every organisation's records."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from fundops.db import utcnow
from fundops.extensions import db
from fundops.portfolio.models import CompanyIdentity


def find_identity(uscc: str) -> CompanyIdentity | None:
    """The identity registered under the (validated) credit code, if any."""
    return db.session.scalar(sa.select(CompanyIdentity).where(CompanyIdentity.uscc == uscc))


def identity_for(uscc: str, registered_name: str, region_code: str) -> CompanyIdentity:
    """The identity of ``uscc``, created with the given public facts on its first registration.

    An existing identity is returned unchanged (its registered name and region win over
    the ones given). Safe against a concurrent first registration of the same code in
    another transaction: the insert skips on the unique conflict (``ON CONFLICT DO
    NOTHING``; on PostgreSQL it waits for the other transaction to finish) and the row is
    read afterwards, so both transactions use one identity and neither fails. Call inside
    a unit of work.
    """
    found = find_identity(uscc)
    if found is not None:
        return found
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(CompanyIdentity)
        .values(uscc=uscc, registered_name=registered_name, region_code=region_code,
                created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["uscc"]))
    return db.session.scalars(
        sa.select(CompanyIdentity).where(CompanyIdentity.uscc == uscc)).one()


__all__ = ["find_identity", "identity_for"]
