"""Investment-linked loans (投联贷): term sheets a bank can verify, loans sized against the
round, released with the equity, joint loans, schedules, warrants and risk pools."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Register the ``syndication`` blueprint with every page's routes on it, and make the
    companies of a term sheet's syndicate visible to its co-investors.

    The view modules add their routes to :data:`fundops.syndication.web.bp` when imported;
    they are imported here, not by ``web.py``, so no module imports its importer.
    """
    from fundops.portfolio.access import add_company_reach
    from fundops.syndication.loans import event_views  # noqa: F401
    from fundops.syndication.loans import views as loan_views  # noqa: F401
    from fundops.syndication.pools import views as pool_views  # noqa: F401
    from fundops.syndication.term_sheets import views as term_sheet_views  # noqa: F401
    from fundops.syndication.term_sheets.visibility import syndicate_company_ids
    from fundops.syndication.web import bp

    add_company_reach(syndicate_company_ids)
    app.register_blueprint(bp)
