"""Plans the demo ledger in memory: commitments, fees, deals, exits, calls and valuations.

The plan is built before anything is written, so every amount is known to fit: calls
never exceed commitments, investments are always covered by an earlier call, and NAVs
equal undeployed cash plus the holdings' fair values.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from fundops.demo import catalogue as cat
from fundops.demo.catalogue import DEMO_END, FundSpec
from fundops.demo.model import (
    ONE,
    ROUND_POST_WAN,
    ROUND_STAGE,
    ROUNDS,
    CompanyPlan,
    Deal,
    Event,
    FundPlan,
    Sale,
    add_years,
    ceil_to,
    chance,
    days,
    pct,
    period_ends,
    quarter_end,
    random_date,
    random_uscc,
    yuan,
)

MILLION = 1_000_000
# ticket size in per mille of the fund size, minimum ticket (万元), first round index range
TICKETS = {"vc": (60, 130, 1000, (2, 4)), "angel": (50, 90, 500, (0, 1)),
           "eye": (70, 120, 800, (1, 4)), "direct": (50, 100, 500, (0, 3)),
           "ma": (200, 330, 20000, (7, 7)), "prov": (50, 60, 3000, (1, 3))}


def build_companies(rng: random.Random, used_codes: set[str]) -> dict[str, CompanyPlan]:
    out = {}
    for org, brand, sector, region, hint in cat.COMPANIES:
        roll = rng.randint(1, 100)
        if roll <= 6:
            mu = -pct(rng, 20, 30)  # fails, written off
        elif roll <= 32:
            mu = -pct(rng, 0, 12)
        elif roll <= 70:
            mu = pct(rng, 5, 20)
        else:
            mu = pct(rng, 25, 50)
        mature = hint == "mature"
        out[brand] = CompanyPlan(
            key=brand, org=org, name=cat.company_name(brand, sector, mature), sector=sector,
            region=region, mature=mature, reserved=hint == "prov",
            mu=max(mu, Decimal("0.05")) if mature else mu,
            uscc=random_uscc(rng, "91", region, used_codes),
            hard_tech=sector in cat.HARD_TECH_SECTORS)
    return out


def new_plan(spec: FundSpec) -> FundPlan:
    inv_end = add_years(spec.inception, spec.inv_years) - days(1)
    term_end = add_years(spec.inception, spec.term_years) - days(1)
    return FundPlan(spec, inv_end, term_end, add_years(term_end, spec.ext_years))


def plan_commitments(plan: FundPlan, n: int, rng: random.Random) -> None:
    """LP commitments: explicit lists, or parent fund + GP 1 % + rotating social LPs."""
    spec = plan.spec
    start = spec.inception
    if spec.key in cat.EXPLICIT_LPS:
        plan.commitments = [(lp, cat.wan(w), start, 1) for lp, w in cat.EXPLICIT_LPS[spec.key]]
        return
    parent_w = spec.size_wan * spec.parent_pct // 100
    gp_w = spec.size_wan // 100
    rest = spec.size_wan - parent_w - gp_w
    k = rng.randint(4, 6)
    types = [cat.SOCIAL_TYPES[(n * 3 + j) % len(cat.SOCIAL_TYPES)] for j in range(k)]
    weights = [cat.SOCIAL_WEIGHT[t] * rng.randint(8, 12) for t in types]
    amounts = [rest * w // sum(weights) // 100 * 100 for w in weights]
    amounts[0] += rest - sum(amounts)
    late = rng.randint(1, k - 1) if chance(rng, 50) else -1
    plan.commitments = [("@FUND", cat.wan(parent_w), start, 1), ("@GP", cat.wan(gp_w), start, 1)]
    for j, (t, w) in enumerate(zip(types, amounts, strict=True)):
        closing_on, closing = (start + days(45), 2) if j == late else (start, 1)
        plan.commitments.append((rng.choice(cat.SOCIAL_POOL[t]), cat.wan(w), closing_on, closing))


def plan_fees(plan: FundPlan) -> None:
    """Yearly management fee: pro rata in the first year, reduced by 1/4 after the
    investment period."""
    spec = plan.spec
    for year in range(spec.inception.year, DEMO_END.year + 1):
        first = year == spec.inception.year
        on = spec.inception + days(20) if first else date(year, 1, 10)
        remaining = (date(year, 12, 31) - on).days + 1
        if on > DEMO_END or remaining < 30:
            continue
        rate = Decimal(spec.fee_bp if on <= plan.inv_end else spec.fee_bp * 3 // 4) / 10000
        fraction = Decimal(remaining) / 365 if first else ONE
        plan.fees.append((on, yuan(plan.size * rate * fraction)))


def plan_slots(plan: FundPlan, rng: random.Random) -> None:
    """Deal dates and amounts (companies are assigned later, across a GP's funds)."""
    spec = plan.spec
    lo_pm, hi_pm, min_wan, _ = TICKETS[spec.profile]
    start = spec.inception + days(90)
    end = min(plan.inv_end, DEMO_END - days(25))
    if spec.profile == "prov":
        if spec.inception <= date(2025, 9, 30):
            plan.deals.append(Deal(spec.key, spec.inception + days(rng.randint(75, 95)),
                                   cat.wan(3000)))
        return
    if end <= start:
        return
    elapsed = min(ONE, Decimal((DEMO_END - start).days) / (plan.inv_end - start).days)
    budget = plan.size * pct(rng, 55, 72) * (Decimal("0.35") + Decimal("0.65") * elapsed)
    cap = plan.size * Decimal("0.88") - sum((f for _, f in plan.fees), Decimal(0))
    budget = min(budget, cap)
    amounts: list[Decimal] = []
    while sum(amounts, Decimal(0)) < budget:
        ticket = max(plan.size * rng.randint(lo_pm, hi_pm) / 1000, cat.wan(min_wan))
        ticket = min(yuan(ticket, MILLION), budget - sum(amounts, Decimal(0)))
        if ticket < cat.wan(min_wan) // 2:
            break
        amounts.append(yuan(ticket, 100000))
    on_dates = sorted(random_date(rng, start, end) for _ in amounts)
    plan.deals = [Deal(spec.key, d, a) for d, a in zip(on_dates, amounts, strict=True)]


def assign_companies(plans: list[FundPlan], companies: dict[str, CompanyPlan],
                     rng: random.Random) -> None:
    """Give each deal a company of the fund's GP: a new one, or a follow-on round."""
    by_org: dict[str, list[tuple[Deal, FundPlan]]] = defaultdict(list)
    for plan in plans:
        for deal in plan.deals:
            by_org[plan.spec.org].append((deal, plan))
    for org, slots in by_org.items():
        pool = [c for c in companies.values() if c.org == org]
        for deal, plan in sorted(slots, key=lambda s: (s[0].on, s[0].fund)):
            spec = plan.spec
            ma = spec.profile == "ma"
            prov = spec.profile == "prov"
            fresh = [c for c in pool if c.first_on is None and c.mature == ma
                     and c.reserved == prov]
            fitting = [c for c in fresh if c.sector in spec.sectors] or fresh
            held = [c for c in pool if c.first_on is not None and c.first_on < deal.on
                    and c.mature == ma and c.mu > 0]
            follow = held and (not fitting or (not ma and chance(rng, 25)))
            if follow:
                co = rng.choice(held)
                co.round_idx = co.round_idx + rng.randint(1, 2)
            elif fitting:
                co = rng.choice(fitting)
                lo, hi = TICKETS[spec.profile][3]
                co.round_idx = rng.randint(lo, hi)
                co.first_on, co.stage = deal.on, ROUND_STAGE[co.round_idx]
                co.tags = _tags(co, rng)
            else:
                deal.amount = Decimal(0)  # nothing left to invest in; dropped below
                continue
            co.last_on = deal.on
            deal.company = co.key
            if ma:
                deal.round_name = "控股收购"
            else:
                deal.round_name = ROUNDS[co.round_idx] if co.round_idx < len(ROUNDS) else "战略融资"
            co.round_idx = min(co.round_idx, 7)
            deal.instrument = _instrument(co, ma, rng)
            post = cat.wan(ROUND_POST_WAN[co.round_idx]) * rng.randint(8, 13) / 10
            share = pct(rng, 51, 67) if ma else min(deal.amount / post, Decimal("0.3"))
            deal.ownership = share.quantize(Decimal("0.00000001"), ROUND_HALF_UP)
    for plan in plans:
        plan.deals = [d for d in plan.deals if d.company]


def _tags(co: CompanyPlan, rng: random.Random) -> tuple[str, ...]:
    tags = []
    if co.hard_tech and chance(rng, 75):
        tags.append("high_tech")
    if co.round_idx >= 2 and chance(rng, 45):
        tags.append("srdi")
        if chance(rng, 35):
            tags.append("little_giant")
    return tuple(tags)


def _instrument(co: CompanyPlan, ma: bool, rng: random.Random) -> str:
    if ma:
        return "ordinary_equity"
    if co.round_idx <= 1 and chance(rng, 20):
        return "convertible"
    return "preferred_equity" if chance(rng, 45) else "ordinary_equity"


def mark_writeoffs(companies: dict[str, CompanyPlan], rng: random.Random) -> None:
    for co in companies.values():
        if co.first_on is None or co.last_on is None or co.mu > Decimal("-0.2"):
            continue
        earliest = max(co.last_on + days(450), date(2024, 6, 30))
        ends = period_ends(earliest, DEMO_END, (6, 12))
        co.writeoff_on = rng.choice(ends) if ends else None


def plan_exits(plan: FundPlan, companies: dict[str, CompanyPlan], rng: random.Random) -> None:
    """IPO sell-downs and trade sales of winners, buy-backs of laggards (older funds)."""
    if plan.spec.inception > date(2021, 12, 31) or plan.spec.profile not in ("vc", "angel",
                                                                             "direct"):
        return
    held = sorted({d.company for d in plan.deals if d.on <= date(2022, 12, 31)})
    exits = 0
    for key in held:
        co = companies[key]
        if co.writeoff_on is not None or exits >= 2:
            continue
        last = max(d.on for d in plan.deals if d.company == key)
        lo = max(last + days(540), date(2023, 3, 1))
        hi = min(date(2025, 11, 15), plan.last_day)
        if lo > hi:
            continue
        on = random_date(rng, lo, hi)
        if co.mu >= Decimal("0.25") and chance(rng, 70):
            if co.listed_on is None and chance(rng, 60):
                co.listed_on = on - days(400)
            kind, fraction = ("ipo", pct(rng, 30, 50)) if co.listed_on else ("trade", ONE)
            value = plan.position_value(co, on) * fraction * pct(rng, 95, 115)
        elif co.mu <= Decimal("0.05") and chance(rng, 40):
            kind, fraction = "buyback", ONE
            first = min(d.on for d in plan.deals if d.company == key)
            years = Decimal((on - first).days) / 365
            value = plan.cost(key, on) * (ONE + Decimal("0.08") * years)
        else:
            continue
        plan.sales[key] = Sale(on, fraction, yuan(value), kind)
        exits += 1


def plan_events(plan: FundPlan, rng: random.Random) -> None:
    """Calls (management fee yearly; investment per quarter), fees, deals, exits, expenses."""
    spec, events = plan.spec, plan.events
    for on, fee in plan.fees:
        events.append(Event(on, "call", fee, purpose="management_fee", memo=f"{on.year}年度管理费"))
        events.append(Event(on + days(5), "fee", fee, memo=f"{on.year}年度管理费"))
    by_quarter: dict[date, list[Deal]] = defaultdict(list)
    for deal in plan.deals:
        by_quarter[quarter_end(deal.on)].append(deal)
        events.append(Event(deal.on, "investment", deal.amount, company=deal.company, deal=deal))
    for deals in by_quarter.values():
        first = min(d.on for d in deals)
        call_on = max(first - days(rng.randint(7, 20)), spec.inception + days(50))
        total = ceil_to(sum((d.amount for d in deals), Decimal(0)), MILLION)
        events.append(Event(call_on, "call", total, purpose="investment", memo="项目投资款"))
    for key, sale in plan.sales.items():
        events.append(Event(sale.on, "proceeds", sale.proceeds, company=key,
                            memo={"ipo": "上市后减持", "trade": "股权转让",
                                  "buyback": "创始人回购"}[sale.kind]))
        cost = (plan.cost(key, sale.on) * sale.fraction).quantize(ONE, ROUND_DOWN)
        roc = min(cost, sale.proceeds)
        pay_on = min(sale.on + days(rng.randint(20, 45)), plan.last_day)
        events.append(Event(pay_on, "distribution", roc, dtype="return_of_capital",
                            company=key, memo="项目退出返还本金"))
        if sale.proceeds > roc:
            events.append(Event(pay_on, "distribution", sale.proceeds - roc, dtype="gain",
                                company=key, memo="项目退出收益分配"))
    if plan.deals:
        for year in range(plan.deals[0].on.year, DEMO_END.year + 1):
            on = date(year, 12, 20)
            fee = cat.wan(rng.randint(12, 35))
            later = [on] + [e.on for e in events if e.on > on]
            if on <= plan.last_day and min(plan.cash(d) for d in later) >= fee:
                events.append(Event(on, "expense", fee, memo=f"{year}年度审计及托管费"))
    events.sort(key=lambda e: (e.on, e.kind != "call"))
    refs = 0
    for e in events:
        if e.kind == "call":
            refs += 1
            e.ref = f"{spec.key}-CN-{refs:03d}"
    called = sum((e.amount for e in events if e.kind == "call"), Decimal(0))
    assert called <= plan.size * Decimal("0.97"), f"{spec.key} over-called in the plan"


_METHODS = {"writeoff": "减值核销（停止经营）", "listed": "上市公司收盘价（扣除流动性折扣）",
            "recent": "最近融资价格法", "market": "市场法（可比公司倍数）"}


def plan_valuations(plan: FundPlan, companies: dict[str, CompanyPlan]) -> None:
    """Half-yearly holding fair values and quarterly NAV = cash + holdings."""
    calls = [e.on for e in plan.events if e.kind == "call"]
    if not calls or not plan.deals:
        return
    for key in sorted({d.company for d in plan.deals}):
        co = companies[key]
        first = min(d.on for d in plan.deals if d.company == key)
        sale = plan.sales.get(key)
        for on in period_ends(first, plan.last_day, (6, 12)):
            value = plan.position_value(co, on)
            if co.writeoff_on and on >= co.writeoff_on:
                method = "writeoff"
            elif co.listed_on and on >= co.listed_on:
                method = "listed"
            else:
                recent = co.last_on is not None and (on - co.last_on).days < 365
                method = "recent" if recent else "market"
            plan.holding_values.append((on, key, value, _METHODS[method]))
            gone = (sale and sale.fraction == ONE and on >= sale.on) or method == "writeoff"
            if gone:
                break
    for on in period_ends(min(calls), plan.last_day, (3, 6, 9, 12)):
        holdings = sum((plan.position_value(companies[k], on)
                        for k in {d.company for d in plan.deals}), Decimal(0))
        plan.navs.append((on, plan.cash(on) + holdings))


def build_plans(rng: random.Random, used_codes: set[str]) -> tuple[dict[str, FundPlan],
                                                                  dict[str, CompanyPlan]]:
    """The whole demo plan, keyed by fund code, and the companies it invests in."""
    companies = build_companies(rng, used_codes)
    plans = {spec.key: new_plan(spec) for spec in cat.ALL_FUNDS}
    active = [p for p in plans.values() if p.spec.profile != "fof"]
    for n, plan in enumerate(plans.values()):
        plan_commitments(plan, n, rng)
        plan_fees(plan)
    for plan in active:
        plan_slots(plan, rng)
    assign_companies(active, companies, rng)
    mark_writeoffs(companies, rng)
    for plan in active:
        plan_exits(plan, companies, rng)
        plan_events(plan, rng)
        plan_valuations(plan, companies)
    return plans, companies
