"""The demo portfolio loads through the services and tells a consistent story.

Loading takes a few seconds, so one test per database loads it and checks everything.
"""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.security import check_password_hash

from fundops.audit import verify_chain
from fundops.auth.models import Organisation, User
from fundops.demo import DEMO_PASSWORD, DEMO_USERS, load_demo
from fundops.demo.catalogue import EXPLICIT_LPS, wan
from fundops.demo.simulate import build_plans
from fundops.extensions import db
from fundops.models import (
    CashFlow,
    CashFlowAllocation,
    Commitment,
    Company,
    Fund,
    FundValuation,
    HoldingValuation,
    Investment,
    Investor,
)
from fundops.portfolio.access import Access, fund_access, list_companies, list_funds
from fundops.portfolio.enums import FundKind, InvestorType
from fundops.uow import Actor


def actor(email: str) -> Actor:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    assert user is not None, email
    return Actor(user.id, user.organisation_id, user.role.value)


def funds_by_code() -> dict[str, Fund]:
    return {f.code: f for f in db.session.scalars(sa.select(Fund))}


def check_structure() -> None:
    funds = funds_by_code()
    kinds = [f.kind for f in funds.values()]
    assert kinds.count(FundKind.PARENT_FUND) >= 4
    assert kinds.count(FundKind.SUB_FUND) >= 12
    assert FundKind.MA_FUND in kinds and FundKind.DIRECT_VEHICLE in kinds
    htz_parents = [f for c, f in funds.items() if c.startswith("HTZ-FOF-")]
    htz_subs = [f for c, f in funds.items() if c.startswith("HTZ-SF")]
    prov_subs = [f for c, f in funds.items() if c.startswith("PROV-SF")]
    assert (len(htz_parents), len(htz_subs), len(prov_subs)) == (4, 18, 12)
    assert sum(f.target_size_amount for f in htz_parents) == Decimal("5186000000.00")
    assert sum(f.target_size_amount for f in htz_subs) == Decimal("8291000000.00")
    assert sum(f.target_size_amount for f in prov_subs) == Decimal("5700000000.00")
    assert funds["HTZ-MA-1"].target_size_amount == Decimal("1200000000.00")
    assert funds["PROV-FOF"].target_size_amount == Decimal("10000000000.00")
    for fund in funds.values():  # commitments add up to each fund's size
        committed = db.session.scalar(
            sa.select(sa.func.sum(Commitment.amount)).where(Commitment.fund_id == fund.id))
        assert committed == fund.target_size_amount, fund.code
    types = set(db.session.scalars(sa.select(Investor.investor_type).distinct()))
    assert types == set(InvestorType)
    companies = db.session.scalar(sa.select(sa.func.count()).select_from(Company)) or 0
    assert 40 <= companies <= 62
    invested = db.session.scalar(sa.select(sa.func.count(Investment.company_id.distinct())))
    assert invested == companies  # every demo company is a portfolio company


def check_linked_loans() -> None:
    from fundops.syndication.enums import LoanStatus, TermSheetStatus
    from fundops.syndication.loans import services as lending
    from fundops.syndication.pools import services as pools
    from fundops.syndication.pools.models import RiskPool
    from fundops.syndication.term_sheets.models import TermSheet

    rounds = {ts.round_name: ts for ts in db.session.scalars(sa.select(TermSheet))}
    series_b = rounds["B轮"]
    assert series_b.status is TermSheetStatus.FUNDED
    assert series_b.reserved_amount == Decimal("30000000.00")  # the product's limit, filled
    bank, bank2 = actor("bank@demo.fundops.cn"), actor("bank2@demo.fundops.cn")
    mine = lending.list_loans(bank)
    assert [x.status for x in mine] == [LoanStatus.DEFAULTED, LoanStatus.ACTIVE, LoanStatus.ACTIVE]
    assert [len(x.shares) for x in lending.list_loans(bank2)] == [2]  # only the joint loan
    pool = db.session.scalar(sa.select(RiskPool))
    position = pools.pool_position(actor("platform@demo.fundops.cn"), pool.id)
    assert (position.claims_paid, position.recoveries_back, position.balance) == (
        Decimal("3200000.00"), Decimal("240000.00"), Decimal("97040000.00"))


def check_eye_fund_government_share() -> None:
    fund = funds_by_code()["EYE-IND-1"]
    rows = db.session.execute(
        sa.select(Investor.investor_type, sa.func.sum(Commitment.amount))
        .join(Commitment, Commitment.investor_id == Investor.id)
        .where(Commitment.fund_id == fund.id).group_by(Investor.investor_type)).all()
    by_type = dict(rows)
    government = by_type[InvestorType.GUIDANCE_FUND] + by_type[InvestorType.STATE_OWNED]
    assert government / fund.target_size_amount == Decimal("0.49")
    assert sum(w for _, w in EXPLICIT_LPS["EYE-IND-1"]) * 10000 == fund.target_size_amount


def check_ledger() -> None:
    kinds = {k.value: n for k, n in db.session.execute(
        sa.select(CashFlow.kind, sa.func.count()).group_by(CashFlow.kind)).all()}
    for kind in ("capital_call", "distribution", "investment", "proceeds", "management_fee",
                 "expense"):
        assert kinds.get(kind, 0) > 0, kind
    allocated = sa.select(CashFlow.id, CashFlow.amount,
                          sa.func.sum(CashFlowAllocation.amount).label("allocated"),
                          sa.func.count(CashFlowAllocation.id).label("lines")) \
        .join(CashFlowAllocation, CashFlowAllocation.cash_flow_id == CashFlow.id, isouter=True) \
        .where(CashFlow.kind.in_(["capital_call", "distribution"])).group_by(CashFlow.id)
    rows = db.session.execute(allocated).all()
    assert len(rows) > 300
    for entry_id, amount, total, lines in rows:
        assert lines > 0 and total == amount, f"entry {entry_id}: {total} != {amount}"
    grand = db.session.scalar(sa.select(sa.func.sum(CashFlowAllocation.amount)))
    posted = db.session.scalar(sa.select(sa.func.sum(CashFlow.amount))
                               .where(CashFlow.kind.in_(["capital_call", "distribution"])))
    assert grand == posted
    committed = (
        sa.select(sa.func.sum(Commitment.amount))
        .where(Commitment.fund_id == CashFlow.fund_id,
               Commitment.investor_id == CashFlowAllocation.investor_id)
        .correlate(CashFlow, CashFlowAllocation).scalar_subquery())
    over_called = db.session.execute(
        sa.select(CashFlow.fund_id, CashFlowAllocation.investor_id)
        .join(CashFlowAllocation, CashFlowAllocation.cash_flow_id == CashFlow.id)
        # paid-in in the register: calls, plus paid-in bought (− sold) with an LP interest
        .where(CashFlow.kind.in_(["capital_call", "lp_transfer"]))
        .group_by(CashFlow.fund_id, CashFlowAllocation.investor_id)
        .having(sa.func.sum(CashFlowAllocation.amount) > committed)).all()
    assert over_called == []
    reversals = db.session.scalars(
        sa.select(CashFlow).where(CashFlow.reverses_id.is_not(None))).all()
    assert len(reversals) == 1
    reversal = reversals[0]
    assert reversal.memo and reversal.amount + reversal.reverses.amount == 0  # type: ignore[union-attr]
    for model in (FundValuation, HoldingValuation):
        assert (db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0) > 300


def check_visibility() -> None:
    guidance = actor("guidance@demo.fundops.cn")
    seen = {f.code: f for f in list_funds(guidance)}
    subs = [c for c in seen if c.startswith("HTZ-SF")]
    assert len(subs) == 18
    assert {"HTZ-FOF-1", "HTZ-DV-1", "HTZ-MA-1", "EYE-IND-1"} <= set(seen)
    assert "PROV-FOF" not in seen and not any(c.startswith("PROV-SF") for c in seen)
    assert fund_access(guidance.organisation_id, seen["HTZ-SF01"]) is Access.LP
    assert len(list_companies(guidance)) >= 40  # look-through to the sub-funds' companies
    province = actor("province@demo.fundops.cn")
    assert sorted(f.code for f in list_funds(province)) == ["PROV-FOF"] + [
        f"PROV-SF{i:02d}" for i in range(1, 13)]
    gp = actor("gp@demo.fundops.cn")
    gp_codes = {f.code for f in list_funds(gp)}
    assert "HTZ-SF01" in gp_codes and "HTZ-FOF-1" not in gp_codes and "HTZ-SF02" not in gp_codes
    bank = actor("bank@demo.fundops.cn")
    assert list_funds(bank) == [] and list_companies(bank) == []


def check_logins_and_audit() -> None:
    assert len(DEMO_USERS) >= 7
    emails = [email for email, _ in DEMO_USERS]
    assert {"guidance@demo.fundops.cn", "gp@demo.fundops.cn", "bank@demo.fundops.cn"} <= set(emails)
    for email, description in DEMO_USERS:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        assert user is not None and description
        assert check_password_hash(user.password_hash, DEMO_PASSWORD), email
    for org_id in db.session.scalars(sa.select(Organisation.id)):
        assert verify_chain(org_id)


def check_exits() -> None:
    """An IPO with lock-up and a sell-down, a trade sale with escrow partly released, an
    open buy-back claim at 8 % simple with its accrued price, a tolerated write-off with
    reason and approval document, and an S-fund sale of an LP interest at a discount."""
    from fundops.calc.exit_pricing import InterestMethod
    from fundops.clock import business_today
    from fundops.exits import claims
    from fundops.exits.enums import ClaimStatus, EscrowOutcome, ExitKind
    from fundops.exits.models import (
        BuybackClaim,
        EscrowRelease,
        ExitEvent,
        InterestTransfer,
        IpoListing,
    )
    from fundops.exits.transfer_enums import TransferKind

    listing = db.session.scalar(sa.select(IpoListing))
    assert listing is not None and listing.lockup_ends_on > listing.listed_on
    events = {e.kind: e for e in db.session.scalars(sa.select(ExitEvent))}
    sell_down = events[ExitKind.IPO_SALE]
    assert sell_down.listing_id == listing.id and sell_down.value_on >= listing.lockup_ends_on
    assert not sell_down.closes_holding
    sale = events[ExitKind.TRADE_SALE]
    assert sale.escrow_amount > 0 and sale.escrow_due_on is not None and sale.closes_holding
    released = db.session.scalars(sa.select(EscrowRelease).where(
        EscrowRelease.exit_event_id == sale.id)).all()
    assert [r.outcome for r in released] == [EscrowOutcome.RELEASED]
    assert 0 < released[0].amount < sale.escrow_amount  # part released, the rest outstanding
    assert released[0].value_on > sale.value_on
    claim = db.session.scalar(sa.select(BuybackClaim))
    assert claim is not None and claim.status is ClaimStatus.OPEN
    assert (claim.rate, claim.method) == (Decimal("0.08"), InterestMethod.SIMPLE)
    assert claims.claim_price(claim, business_today()) > claim.principal_amount
    write_off = events[ExitKind.WRITE_OFF]
    assert write_off.tolerated and write_off.reason and write_off.approval_doc
    assert write_off.realised_gain_amount < 0 and write_off.closes_holding
    transfer = db.session.scalar(sa.select(InterestTransfer))
    assert transfer is not None and transfer.kind is TransferKind.S_FUND
    assert transfer.discount_rate is not None and transfer.discount_rate > 0


def check_waterfalls(summary: str) -> None:
    """A whole-fund waterfall run paying carry in one sub-fund, and a 让利 run in another
    in which the government LP cedes part of its excess to the social LPs."""
    from fundops.calc.waterfall_terms import Structure
    from fundops.clock import business_today
    from fundops.exits.models import WaterfallRun
    from fundops.exits.transfer_enums import GOVERNMENT_TYPES

    runs = db.session.scalars(sa.select(WaterfallRun).order_by(WaterfallRun.id)).all()
    assert len(runs) == 2 and runs[0].fund_id != runs[1].fund_id
    carry, concession = runs
    for run in runs:
        assert run.terms.structure is Structure.WHOLE_FUND
        assert run.value_on <= business_today() and run.value_on.year == 2026
        assert f"waterfall run #{run.id}" in summary
        assert sum(s.payment_amount for s in run.slices) == run.amount - run.escrow_amount
    assert carry.carry_amount > 0 and not carry.terms.concessions
    assert (carry.terms.carry_rate, carry.terms.hurdle_rate) == (Decimal("0.2"), Decimal("0.08"))
    lps = {s.investor_id: s for s in carry.slices
           if s.investor_id != carry.terms.carry_recipient_id}
    assert all(s.capital > 0 and s.pref > 0 for s in lps.values())
    tier = concession.terms.concessions[0]
    assert tier.government.investor_type in GOVERNMENT_TYPES
    assert (tier.threshold_rate, tier.share_rate) == (Decimal("0.03"), Decimal("0.5"))
    ceded = {s.investor_id: s for s in concession.slices}
    assert ceded[tier.government_id].concession_out > 0
    assert sum(ceded[b.investor_id].concession_in for b in tier.beneficiaries) == \
        ceded[tier.government_id].concession_out
    assert concession.carry_amount > 0


def check_capital_accounts() -> None:
    """Issue 11: every LP of every demo fund, every quarter from inception to today: its
    capital account closes, continues from the last quarter and ends on its NAV share
    (the LP position), to the fen; carry, realised gains, transfers and fees appear."""
    from fundops.calc.capital_account import Line
    from fundops.clock import business_today
    from tests.integration.test_statements import check_closes

    seen: set[Line] = set()
    for fund in funds_by_code().values():
        manager = db.session.scalars(sa.select(User).where(
            User.organisation_id == fund.organisation_id)).first()
        assert manager is not None
        statements = check_closes(actor(manager.email), fund, business_today())
        seen.update(line for st in statements for lp in st.lps for line in Line
                    if lp.account.lines[line])
    assert {Line.CARRY, Line.REALISED, Line.TRANSFERS, Line.MANAGEMENT_FEES} <= seen


def test_load_demo_builds_a_consistent_portfolio(app: Flask) -> None:
    summary = load_demo()
    assert "funds" in summary and "illustrative" in summary
    check_structure()
    check_eye_fund_government_share()
    check_ledger()
    check_linked_loans()
    check_visibility()
    check_exits()
    check_waterfalls(summary)
    check_capital_accounts()
    check_logins_and_audit()


def test_demo_plan_is_deterministic_and_exact() -> None:
    first, _ = build_plans(random.Random(1), set())
    second, _ = build_plans(random.Random(1), set())
    assert [(e.on, e.kind, e.amount) for p in first.values() for e in p.events] == [
        (e.on, e.kind, e.amount) for p in second.values() for e in p.events]
    for plan in first.values():
        for e in plan.events:
            assert isinstance(e.amount, Decimal) and e.amount > 0
            assert e.amount == e.amount.quantize(Decimal("0.01"))
        for _, nav in plan.navs:
            assert nav >= 0 and nav == nav.quantize(Decimal("0.01"))
    assert wan(1) == Decimal(10000)


def test_a_failed_load_writes_nothing(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    from fundops.demo.loader import Loader

    def fail(self: Loader) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(Loader, "create_commitments", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        load_demo()
    for model in (User, Organisation, Fund, Investor):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0
