"""Writes the demo plan through the services (validated, audited, one unit of work each)."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from fundops.auth.accounts import create_user
from fundops.demo import catalogue as cat
from fundops.demo.catalogue import DEMO_END, DEMO_PASSWORD, FundSpec
from fundops.demo.exits import load_exits
from fundops.demo.fees import load_fees
from fundops.demo.ipo import load_ipo
from fundops.demo.linked_loans import load_linked_loans
from fundops.demo.model import (
    CompanyPlan,
    Event,
    FundPlan,
    ceil_to,
    days,
    period_ends,
    quarter_end,
    random_uscc,
)
from fundops.demo.notices import load_notices
from fundops.demo.report_runs import load_report_runs
from fundops.demo.simulate import build_plans
from fundops.demo.transfers import load_transfers
from fundops.demo.waterfalls import load_waterfalls
from fundops.extensions import db
from fundops.models import (
    CashFlow,
    CashFlowAllocation,
    Commitment,
    Company,
    Fund,
    FundValuation,
    HoldingValuation,
    Investor,
    Organisation,
)
from fundops.portfolio import fof_services as fof
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from fundops.uow import Actor, unit_of_work

SEED = 20250630
MISTAKE_FUND = "HTZ-SF01"  # its second investment call is keyed wrongly, then reversed


def parent_link(parent: Fund) -> dict[str, object]:
    """How a GP links its LP record to a parent fund managed by another organisation.

    The parent fund is not visible to the GP, so it is named by its public filing number
    (备案编码). Should the rule change to ids, this is the one line to switch:
    ``return {"fund_id": parent.id}``.
    """
    return {"fund_registration_no": parent.registration_no}


class Loader:
    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
        self.codes: set[str] = set()
        self.plans, self.companies = build_plans(self.rng, self.codes)
        self.actors: dict[str, Actor] = {}
        self.funds: dict[str, Fund] = {}
        self.investors: dict[tuple[str, str], Investor] = {}
        self.company_ids: dict[str, int] = {}
        self.lp_codes = {key: (random_uscc(self.rng, _uscc_prefix(kind), region, self.codes)
                               if region else None)
                         for key, (_, kind, region) in cat.LPS.items()}

    # -- structure ---------------------------------------------------------------------
    def create_users(self) -> None:
        for email, name, org, role, _ in cat.USERS:
            org_name, kind = cat.ORGS[org]
            user = create_user(email=email, display_name=name, organisation_name=org_name,
                               organisation_kind=kind, role=role, password=DEMO_PASSWORD)
            if role == "admin" and org not in self.actors:
                self.actors[org] = Actor(user.id, user.organisation_id, user.role)

    def create_funds(self) -> None:
        for plan in self.plans.values():
            spec = plan.spec
            actor = self.actors[spec.org]
            fund = services.create_fund(actor, services.FundInput(
                code=spec.code, name_zh=spec.name_zh, name_en=spec.name_en, kind=spec.kind,
                currency="CNY", vintage=spec.inception.year,
                target_size_amount=str(plan.size), inception_on=spec.inception,
                investment_period_end_on=plan.inv_end, term_end_on=plan.term_end,
                extension_end_on=plan.ext_end, region_code=spec.region, stage="raising",
                registration_no=spec.registration_no,
                is_guidance_fund=spec.kind == "parent_fund"))
            services.change_stage(actor, fund.id, "investing", spec.inception,
                                  "首次交割完成 / first close")
            self.funds[spec.key] = fund

    def investor(self, spec: FundSpec, lp: str) -> Investor:
        """The GP's (or manager's) LP record for ``lp``, created on first use."""
        key = (spec.org, str(spec.parent) if lp == "@FUND" else lp)
        if key in self.investors:
            return self.investors[key]
        actor = self.actors[spec.org]
        if lp == "@FUND":
            parent = self.funds[spec.parent]  # type: ignore[index]
            inv = services.create_investor(actor, parent.name_zh, "guidance_fund",
                                           **parent_link(parent))  # type: ignore[arg-type]
        elif lp == "@GP":
            org_name, _ = cat.ORGS[spec.org]
            inv = services.create_investor(
                actor, f"{org_name}（普通合伙人）", "private",
                uscc=random_uscc(self.rng, "91", spec.region, self.codes))
        else:
            name, kind, _ = cat.LPS[lp]
            inv = services.create_investor(actor, name, kind, uscc=self.lp_codes[lp])
        self.investors[key] = inv
        return inv

    def create_commitments(self) -> None:
        for plan in self.plans.values():
            fund, actor = self.funds[plan.spec.key], self.actors[plan.spec.org]
            for lp, amount, on, closing in plan.commitments:
                inv = self.investor(plan.spec, lp)
                services.add_commitment(actor, fund.id, inv.id, str(amount), on, closing=closing)

    # -- ledger ------------------------------------------------------------------------
    def company_id(self, actor: Actor, co: CompanyPlan) -> int:
        if co.key not in self.company_ids:
            company = services.create_company(
                actor, name=co.name, uscc=co.uscc, sector=co.sector, stage=co.stage,
                region_code=co.region, is_hard_tech=co.hard_tech,
                is_sme=not co.mature and co.round_idx <= 5, tags=co.tags)
            self.company_ids[co.key] = company.id
        return self.company_ids[co.key]

    def post_events(self, spec: FundSpec, events: list[Event]) -> None:
        fund, actor = self.funds[spec.key], self.actors[spec.org]
        manager = cat.ORGS[spec.org][0]
        investment_calls, called = 0, Decimal(0)
        for e in events:
            if e.kind == "call":
                called += e.amount
                if e.purpose == "investment":
                    investment_calls += 1
                    if spec.key == MISTAKE_FUND and investment_calls == 2:
                        room = fund.target_size_amount - called
                        self.post_mistake(actor, fund, e, room)
                        continue
                ledger.record_capital_call(actor, fund.id, value_on=e.on, amount=e.amount,
                                           purpose=e.purpose, counterparty="全体合伙人",
                                           source_ref=e.ref or None, memo=e.memo)
            elif e.kind == "investment":
                deal, co = e.deal, self.companies[e.company]
                assert deal is not None
                ledger.record_investment(
                    actor, fund.id, company_id=self.company_id(actor, co),
                    round_name=deal.round_name, instrument=deal.instrument, invested_on=e.on,
                    amount=e.amount, ownership_rate=deal.ownership)
            elif e.kind in ("fee", "expense"):
                ledger.record_fund_flow(
                    actor, fund.id, kind="management_fee" if e.kind == "fee" else "expense",
                    value_on=e.on, amount=e.amount, memo=e.memo,
                    counterparty=manager if e.kind == "fee" else "示例会计师事务所及托管银行")
            elif e.kind == "proceeds":
                co = self.companies[e.company]
                ledger.record_fund_flow(actor, fund.id, kind="proceeds", value_on=e.on,
                                        amount=e.amount, company_id=self.company_id(actor, co),
                                        counterparty=co.name, memo=e.memo)
            elif e.kind == "distribution":
                ledger.record_distribution(actor, fund.id, value_on=e.on, amount=e.amount,
                                           distribution_type=e.dtype, counterparty="全体合伙人",
                                           memo=e.memo)

    def post_mistake(self, actor: Actor, fund: Fund, e: Event, room: Decimal) -> None:
        """A call keyed with an extra (or a missing) zero, reversed with a reason, then
        posted correctly."""
        if e.amount * 9 <= room:
            wrong, slip = e.amount * 10, "多录一位0 / an extra zero"
        else:
            wrong, slip = e.amount / 10, "少录一位0 / a missing zero"
        entry = ledger.record_capital_call(actor, fund.id, value_on=e.on, amount=wrong,
                                           purpose=e.purpose, counterparty="全体合伙人",
                                           source_ref=e.ref, memo=e.memo)
        ledger.reverse_entry(
            actor, fund.id, entry.id,
            f"金额录入错误：缴款通知书{e.ref}应为{e.amount:,.2f}元，误录为{wrong:,.2f}元"
            f"（{slip}），冲销后按正确金额重新入账 / wrong amount reversed and re-posted")
        ledger.record_capital_call(actor, fund.id, value_on=e.on, amount=e.amount,
                                   purpose=e.purpose, counterparty="全体合伙人",
                                   source_ref=f"{e.ref}-R", memo=f"{e.memo}（更正）")

    def post_valuations(self, plan: FundPlan) -> None:
        fund, actor = self.funds[plan.spec.key], self.actors[plan.spec.org]
        for on, key, value, method in plan.holding_values:
            ledger.record_holding_valuation(actor, fund.id, company_id=self.company_ids[key],
                                            as_of=on, fair_value_amount=value, method=method)
        for on, nav in plan.navs:
            ledger.record_valuation(actor, fund.id, as_of=on, nav_amount=nav)

    def post_parent(self, plan: FundPlan) -> None:
        """A parent fund's own ledger, rolled up from what its sub-funds allocated to it:
        it calls its LPs for each quarter's sub-fund contributions and passes sub-fund
        distributions through; its NAV is its share of the sub-funds' NAVs plus cash."""
        fund = self.funds[plan.spec.key]
        query = (
            sa.select(CashFlow.kind, CashFlow.value_on, CashFlow.distribution_type,
                      CashFlowAllocation.amount)
            .join(CashFlowAllocation, CashFlowAllocation.cash_flow_id == CashFlow.id)
            .join(Investor, Investor.id == CashFlowAllocation.investor_id)
            .where(Investor.fund_id == fund.id)
        )
        rows: list[tuple[Any, date, Any, Decimal]] = [
            (kind, on, dtype, amount) for kind, on, dtype, amount in db.session.execute(query)]
        sub_flows = self.sub_fund_flows(fund)
        paid: dict[date, list[tuple[date, Decimal]]] = defaultdict(list)
        received: dict[tuple[date, str], list[tuple[date, Decimal]]] = defaultdict(list)
        for kind, on, dtype, amount in rows:
            if kind.value == "capital_call":
                paid[quarter_end(on)].append((on, amount))
            else:
                received[(quarter_end(on), str(dtype.value if dtype else ""))].append((on, amount))
        events = []
        for on, fee in plan.fees:
            events.append(
                Event(on, "call", fee, purpose="management_fee", memo=f"{on.year}年度管理费")
            )
            events.append(Event(on + days(5), "fee", fee, memo=f"{on.year}年度管理费"))
        for q, items in sorted(paid.items()):
            first = max(min(on for on, _ in items) - days(3), plan.spec.inception)
            total = ceil_to(sum((a for _, a in items), Decimal(0)), 100000)
            events.append(Event(first, "call", total, purpose="investment",
                                memo=f"子基金出资（{q:%Y}Q{(q.month + 2) // 3}）"))
        for (_, dist_type), items in sorted(received.items()):
            on = min(max(on for on, _ in items) + days(15), DEMO_END)
            events.append(Event(on, "distribution", sum((a for _, a in items), Decimal(0)),
                                dtype=dist_type, memo="子基金分配款转付"))
        events.sort(key=lambda e: (e.on, e.kind != "call"))
        for n, e in enumerate((e for e in events if e.kind == "call"), start=1):
            e.ref = f"{plan.spec.key}-CN-{n:03d}"
        self.post_events(plan.spec, events)
        actor = self.actors[plan.spec.org]
        for (sub_fund_id, kind, on), amount in sorted(sub_flows.items()):
            if amount > 0:
                fof.record_sub_fund_flow(actor, fund.id, kind=kind, target_fund_id=sub_fund_id,
                                         value_on=on, amount=amount)
        self.post_parent_navs(plan, events, rows)

    def sub_fund_flows(self, fund: Fund) -> dict[tuple[int, str, date], Decimal]:
        """What each sub-fund called from / distributed to the parent, netted per day, so
        that the parent's own books show its contributions and returns per sub-fund."""
        query = (
            sa.select(CashFlow.fund_id, CashFlow.kind, CashFlow.value_on,
                      sa.func.sum(CashFlowAllocation.amount))
            .join(CashFlowAllocation, CashFlowAllocation.cash_flow_id == CashFlow.id)
            .join(Investor, Investor.id == CashFlowAllocation.investor_id)
            .where(Investor.fund_id == fund.id)
            .group_by(CashFlow.fund_id, CashFlow.kind, CashFlow.value_on)
        )
        flows: dict[tuple[int, str, date], Decimal] = {}
        for sub_fund_id, kind, on, amount in db.session.execute(query):
            name = "fund_contribution" if kind.value == "capital_call" else "fund_return"
            flows[(sub_fund_id, name, on)] = amount
        return flows

    def post_parent_navs(self, plan: FundPlan, events: list[Event],
                         rows: Sequence[tuple[Any, date, Any, Decimal]]) -> None:
        fund, actor = self.funds[plan.spec.key], self.actors[plan.spec.org]
        own = dict(db.session.execute(
            sa.select(Commitment.fund_id, sa.func.sum(Commitment.amount))
            .join(Investor, Investor.id == Commitment.investor_id)
            .where(Investor.fund_id == fund.id).group_by(Commitment.fund_id)).all())
        totals = dict(db.session.execute(
            sa.select(Commitment.fund_id, sa.func.sum(Commitment.amount))
            .where(Commitment.fund_id.in_(list(own))).group_by(Commitment.fund_id)).all())
        navs = db.session.execute(
            sa.select(FundValuation.fund_id, FundValuation.as_of, FundValuation.nav_amount)
            .where(FundValuation.fund_id.in_(list(own))).order_by(FundValuation.as_of)).all()
        if not events:
            return
        for q in period_ends(min(e.on for e in events), plan.last_day, (3, 6, 9, 12)):
            latest: dict[int, Decimal] = {}
            for fid, on, nav in navs:
                if on <= q:
                    latest[fid] = nav
            look_through = sum((latest[f] * own[f] / totals[f] for f in latest), Decimal(0))
            cash = sum((e.amount if e.kind == "call" else -e.amount
                        for e in events if e.on <= q), Decimal(0))
            for kind, on, _, amount in rows:
                if on <= q:
                    cash += -amount if kind.value == "capital_call" else amount
            nav = look_through.quantize(Decimal("0.01")) + cash
            ledger.record_valuation(actor, fund.id, as_of=q, nav_amount=max(nav, Decimal(0)))

    def finish_stages(self) -> None:
        for plan in self.plans.values():
            if plan.inv_end < DEMO_END:
                services.change_stage(self.actors[plan.spec.org], self.funds[plan.spec.key].id,
                                      "managing", plan.inv_end + days(1),
                                      "投资期届满，进入管理期 / investment period ended")

    def run(self) -> str:
        """Load everything as one transaction: the services' units of work join this outer
        one, so a failure leaves the database as it was (and a rerun can start clean)."""
        with unit_of_work():
            self._load()
            extra = load_linked_loans(self.actors, self.funds, self.rng, self.codes)
            extra += load_ipo(self.actors, self.funds)
            extra += load_exits(self.actors, self.funds)
            extra += load_transfers(self.actors, self.funds)
            extra += load_waterfall_stories(self.actors, self.funds)
            extra += load_notices(self.actors)
            extra += load_fees(self.actors)  # last: its fee calls change no other story
            extra += load_report_runs(self.actors, self.funds)  # last: reads everything
        return "\n".join([summary(), *extra])

    def _load(self) -> None:
        self.create_users()
        self.create_funds()
        self.create_commitments()
        active = [p for p in self.plans.values() if p.spec.profile != "fof"]
        for plan in active:
            self.post_events(plan.spec, plan.events)
            self.post_valuations(plan)
        for plan in self.plans.values():
            if plan.spec.profile == "fof":
                self.post_parent(plan)
        self.finish_stages()


def load_waterfall_stories(actors: dict[str, Actor], funds: dict[str, Fund]) -> list[str]:
    """The waterfall stories (:mod:`fundops.demo.waterfalls`): a whole-fund (European)
    waterfall distribution with carry in one sub-fund, and a 让利 case in which the
    government LP cedes part of its excess to the social LPs. It runs last in
    :meth:`Loader.run` (after the exits and transfers, in the same unit of work) and
    returns one summary line per story."""
    return load_waterfalls(actors, funds)


def _uscc_prefix(kind: str) -> str:
    return {"fiscal": "11", "social_security": "12"}.get(kind, "91")


def summary() -> str:
    def count(model: type) -> int:
        return int(db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)

    valuations = count(FundValuation) + count(HoldingValuation)
    return (f"{count(Organisation)} organisations, {count(Fund)} funds, "
            f"{count(Investor)} LP records, {count(Company)} companies, "
            f"{count(CashFlow):,} ledger entries, {valuations:,} valuations "
            "(illustrative data, fictional names)")


__all__ = ["Loader", "parent_link", "summary"]
