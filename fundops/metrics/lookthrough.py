"""Look-through of a parent fund: loads the fund-of-funds graph and holdings, then runs the calc.

The loader reads each table once with a handful of grouped SELECTs (amounts as raw
BIGINT fen, never through float) for every fund reachable from the root, so one date
and forty quarter-ends cost about the same. Access is checked on the root fund only
(manager or LP access): looking through is the point, so the result shows companies
held by sub-sub-funds that the actor could not open directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa

from fundops.calc.lookthrough import (
    HOLDING_VALUES,
    SHARE_BASES,
    CompanyInfo,
    LookThroughHistory,
    LookThroughInputs,
    LookThroughResult,
    compute_look_through,
    compute_look_through_history,
    fund_order,
)
from fundops.errors import ValidationError
from fundops.extensions import db
from fundops.metrics.cache import cached
from fundops.metrics.lookthrough_facts import fund_links, kind_text, load_facts, raw_rows
from fundops.portfolio.access import get_fund
from fundops.portfolio.ledger import Investment
from fundops.portfolio.models import Commitment, Company, CompanyTagLink, Fund, Investor
from fundops.uow import Actor
from fundops.validation import require_date

__all__ = [
    "LOOK_THROUGH_DEFINITION",
    "SHARE_DEFINITIONS",
    "direct_sub_fund_ids",
    "fund_links",
    "load_company_infos",
    "load_look_through_inputs",
    "look_through",
    "look_through_history",
    "parse_share_basis",
    "raw_rows",
]


# What the figures mean, in Chinese and English (the page, the API and reports show them).
LOOK_THROUGH_DEFINITION = (
    (
        "穿透敞口：母基金经各层子基金对每家企业的间接持有 = Σ 各路径上份额之积 × "
        "该基金对企业的持仓价值（估值日前最近一次公允价值，加其后的投资、减其后的退出回款，"
        "不低于零；无估值时按净成本）；"
        "母基金直投份额为1；多条路径到达的企业合并为一行。"
    ),
    (
        "Look-through exposure: for each company, Σ over every path parent → … → fund → company "
        "of the product of the shares along the path × that fund's holding value (latest fair "
        "value on or before the date plus later investments less later proceeds, never below "
        "zero; else net cost); the parent's own holdings count with share 1; "
        "a company reached by several paths appears once."
    ),
)
SHARE_DEFINITIONS = {
    "paid_in": ("实缴份额 = 母基金对子基金的实缴 / 子基金全部实缴（子基金尚无实缴时为0）。",
                ("Paid-in share = the parent's paid-in to the sub-fund / all of the sub-fund's "
                "paid-in (0 while the sub-fund has none).")),
    "commitment": ("认缴份额 = 母基金对子基金的认缴 / 子基金全部认缴。",
                   ("Commitment share = the parent's commitments to the sub-fund / all "
                   "commitments to the sub-fund.")),
}


def parse_share_basis(basis: object) -> str:
    """``"paid_in"`` or ``"commitment"`` (``"subscribed"`` is accepted for ``"commitment"``)."""
    text = str(basis or "").strip()
    text = "commitment" if text == "subscribed" else text
    if text not in SHARE_BASES:
        raise ValidationError("basis", "not_one_of", value=basis, allowed="paid_in, commitment")
    return text


def _holding_value(value: str) -> str:
    if value not in HOLDING_VALUES:
        raise ValidationError("holding_value", "not_one_of", value=value,
                              allowed="fair_value, cost")
    return value


def direct_sub_fund_ids(fund_id: int, as_of: date) -> list[int]:
    """Funds in which ``fund_id`` holds a commitment dated on or before ``as_of``, by id."""
    return sorted(set(db.session.scalars(
        sa.select(Commitment.fund_id).join(Investor, Investor.id == Commitment.investor_id)
        .where(Investor.fund_id == fund_id, Commitment.committed_on <= as_of)
    )))


def load_look_through_inputs(root_fund_id: int, up_to: date, *, latest_only: bool = False,
                             net_assets: bool = True, shared: bool = False) -> LookThroughInputs:
    """Every fact the look-through of ``root_fund_id`` needs for dates up to ``up_to``.

    A dozen SELECTs at most, whatever the number of funds, companies or dates. With
    ``latest_only`` the holdings and the funds' books come pre-reduced to what the single
    date ``up_to`` needs (the latest valuations and the flows after them; the ledger cash
    of the root only: see :mod:`fundops.metrics.lookthrough_facts`).
    A company held under several organisations' records is labelled with the root
    fund's organisation's record when it has one (see :func:`load_company_infos`).
    Without ``net_assets`` the funds' NAVs and flows are not read (the history does not
    show the cash lines). With ``shared`` the rows of the funds below the root come from
    the shared cache (:mod:`fundops.metrics.cache`, valid while nothing below the root
    changed; keyed by the set of funds below, so a new link is a miss) and only the
    root's own rows, the links and the company labels are read live.
    """
    links = fund_links(up_to)
    funds = fund_order(root_fund_id, {(p, s) for p, s, _, _ in links})
    reachable = set(funds)
    options = {"latest_only": latest_only, "net_assets": net_assets}
    if shared and len(funds) > 1:
        below = funds[1:]
        params = f"{up_to.isoformat()}|{int(latest_only)}|{int(net_assets)}"
        facts = cached("look_through_facts", root_fund_id, params, lambda: load_facts(
            root_fund_id, funds, below, up_to, **options), scope=below, on=up_to).value
        facts = facts + load_facts(root_fund_id, funds, [root_fund_id], up_to, **options)
    else:
        facts = load_facts(root_fund_id, funds, funds, up_to, **options)
    return LookThroughInputs(
        root_fund_id=root_fund_id,
        parent_commitments=[row for row in links if row[0] in reachable],
        # Core rows index like tuples; ids and BIGINT fen already arrive as ints
        parent_paid_in=facts.parent_paid_in, fund_commitments=facts.fund_commitments,
        fund_paid_in=facts.fund_paid_in, investments=facts.investments,
        valuations=facts.valuations, proceeds=facts.proceeds,
        companies=load_company_infos(funds, _organisation_of(root_fund_id)),
        fund_navs=facts.fund_navs, fund_flows=facts.fund_flows,
    )


def _organisation_of(fund_id: int) -> int | None:
    fund = db.session.get(Fund, fund_id)
    return None if fund is None else fund.organisation_id


def load_company_infos(fund_ids: Iterable[int],
                       organisation_id: int | None = None) -> dict[int, CompanyInfo]:
    """Attributes (and sorted tags) of every company record the funds invested in, by record id.

    Records of one company identity (credit code) held by different organisations map to
    one shared :class:`CompanyInfo`, so the look-through shows the company once. Its
    ``company_id`` and private facts (sector, stage, flags, tags) are those of one held
    record: ``organisation_id``'s (the root fund's manager: its own facts label its own
    view) when one of the funds holds it, else the earliest registered (smallest id, so
    the label is the same at every date). Only held records are read: a label never shows
    a fact the look-through did not show before identities were shared.
    """
    held = sa.select(Investment.company_id).where(Investment.fund_id.in_(list(fund_ids)))
    tags: dict[int, list[str]] = {}
    for company_id, tag in raw_rows(  # DB-API rows: the stored values, no enum objects
        sa.select(CompanyTagLink.company_id, CompanyTagLink.tag)
        .where(CompanyTagLink.company_id.in_(held))
    ):
        tags.setdefault(company_id, []).append(kind_text(tag))
    rows = raw_rows(
        sa.select(Company.id, Company.identity_id, Company.created_by_organisation_id,
                  Company.name, Company.sector, Company.stage, Company.region_code,
                  Company.is_hard_tech).where(Company.id.in_(held)).order_by(Company.id)
    )
    label: dict[int, Any] = {}
    for row in rows:  # ascending id: an identity's first record, unless the root's own
        if row[1] not in label or (row[2] == organisation_id != label[row[1]][2]):
            label[row[1]] = row
    infos = {
        identity: CompanyInfo(cid, name, sector, kind_text(stage), region, bool(hard),
                              tuple(sorted(tags.get(cid, ()))))
        for identity, (cid, _, _, name, sector, stage, region, hard) in label.items()
    }
    return {row[0]: infos[row[1]] for row in rows}


def look_through(actor: Actor, fund_id: int, as_of: object, basis: str = "paid_in", *,
                 holding_value: str = "fair_value") -> LookThroughResult:
    """The fund's exposure to every company through its sub-funds, at any depth, at ``as_of``.

    ``basis`` selects the share of each sub-fund: ``"paid_in"`` (paid-in share, 0 while
    the sub-fund has no paid-in) or ``"commitment"`` (commitment share). Holdings are at
    the latest fair value on or before ``as_of`` or else at cost (``holding_value="cost"``:
    always cost). Amounts are yuan; exact Fractions plus 0.01-yuan half-even roundings
    (see :mod:`fundops.calc.lookthrough`). Raises NotFound when the actor cannot see the
    fund and ValidationError for a bad date or basis.
    """
    fund, _ = get_fund(actor, fund_id)
    when = require_date(as_of, "as_of")
    share_basis = parse_share_basis(basis)
    inputs = load_look_through_inputs(fund.id, when, latest_only=True)
    return compute_look_through(inputs, when, share_basis, _holding_value(holding_value))


def look_through_history(actor: Actor, fund_id: int, quarter_ends: Iterable[object],
                         basis: str = "paid_in", *,
                         holding_value: str = "fair_value") -> LookThroughHistory:
    """Total (exact) and per-sector (float, yuan) exposure at each date in ``quarter_ends``.

    The data are loaded once up to the last date and bucketed onto the dates in memory;
    dates are deduplicated and returned ascending. Same rules as :func:`look_through`.
    """
    fund, _ = get_fund(actor, fund_id)
    dates = sorted({require_date(d, "quarter_ends") for d in quarter_ends})
    share_basis = parse_share_basis(basis)
    if not dates:
        raise ValidationError("quarter_ends", "no_dates")
    inputs = load_look_through_inputs(fund.id, dates[-1], net_assets=False)
    return compute_look_through_history(inputs, dates, share_basis, _holding_value(holding_value))
