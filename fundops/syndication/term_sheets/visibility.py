"""Which companies a term sheet's syndicate makes visible: a co-investor must see the
company to record and link its investment. Registered with the portfolio's tenant scoping
(:func:`fundops.portfolio.access.add_company_reach`) by :func:`fundops.syndication.register`,
since the portfolio imports no other feature."""

from __future__ import annotations

import sqlalchemy as sa

from fundops.portfolio.models import Fund
from fundops.syndication.term_sheets.models import TermSheet, TermSheetAllocation


def syndicate_company_ids(organisation_id: int,
                          company_id: int | None = None) -> sa.Select[int]:
    """Companies of term sheets in whose syndicate one of the organisation's funds is
    (only ``company_id``, if given and reached)."""
    own = sa.select(Fund.id).where(Fund.organisation_id == organisation_id)
    query = (sa.select(TermSheet.company_id)
             .join(TermSheetAllocation, TermSheetAllocation.term_sheet_id == TermSheet.id)
             .where(TermSheetAllocation.fund_id.in_(own)))
    return query if company_id is None else query.where(TermSheet.company_id == company_id)
