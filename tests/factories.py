"""Builders for test data, going through the real services (never raw inserts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fundops.auth.accounts import create_user
from fundops.auth.models import User
from fundops.identifiers import make_uscc
from fundops.models import Company, Fund, Investor
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from fundops.uow import Actor

PASSWORD = "correct-horse-battery"
_counter = {"n": 0}


def next_n() -> int:
    _counter["n"] += 1
    return _counter["n"]


def actor_for(user: User) -> Actor:
    return Actor(user_id=user.id, organisation_id=user.organisation_id, role=user.role.value)


def make_user(org: str, kind: str = "gp", role: str = "admin") -> tuple[User, Actor]:
    n = next_n()
    user = create_user(email=f"user{n}@{kind}.example.cn", display_name=f"User {n}",
                       organisation_name=org, organisation_kind=kind, role=role,
                       password=PASSWORD)
    return user, actor_for(user)


def make_fund(actor: Actor, code: str | None = None, **overrides: object) -> Fund:
    fields: dict[str, object] = {
        "code": code or f"F{next_n()}",
        "name_zh": "测试基金",
        "kind": "sub_fund",
        "currency": "CNY",
        "vintage": 2020,
        "target_size_amount": "1000000000",
        "inception_on": "2020-01-01",
        "investment_period_end_on": "2024-12-31",
        "term_end_on": "2027-12-31",
        "extension_end_on": "2029-12-31",
        "region_code": "440300",
        "stage": "investing",
    }
    fields.update(overrides)
    return services.create_fund(actor, services.FundInput(**fields))  # type: ignore[arg-type]


def make_company(actor: Actor, name: str | None = None, **overrides: object) -> Company:
    n = next_n()
    fields: dict[str, object] = {
        "name": name or f"测试科技{n}有限公司", "uscc": make_uscc(f"914403000{n:08d}"),
        "sector": "半导体", "stage": "start_up", "region_code": "440300", "is_hard_tech": True,
        "is_sme": True, "tags": ["srdi"],
    }
    fields.update(overrides)
    return services.create_company(actor, **fields)  # type: ignore[arg-type]


@dataclass
class World:
    """Two tenants: a GP with a funded sub-fund, and an unrelated GP."""

    gp_user: User
    gp: Actor
    other_user: User
    other: Actor
    fund: Fund
    lps: list[Investor]
    company: Company


def make_world(commitments: tuple[str, ...] = ("300000000", "200000000", "100000000")) -> World:
    gp_user, gp = make_user(f"GP {next_n()}")
    other_user, other = make_user(f"Other GP {next_n()}")
    fund = make_fund(gp)
    lps = []
    for i, amount in enumerate(commitments):
        lp = services.create_investor(gp, f"LP {i} {next_n()}", "private")
        services.add_commitment(gp, fund.id, lp.id, amount, date(2020, 3, 1))
        lps.append(lp)
    company = make_company(gp)
    return World(gp_user, gp, other_user, other, fund, lps, company)


def fund_with_activity(world: World) -> dict[str, int]:
    """Post one of everything in ``world.fund``; returns the ids created."""
    gp, fund = world.gp, world.fund
    call = ledger.record_capital_call(gp, fund.id, value_on="2020-06-30", amount="60000000",
                                      purpose="investment")
    inv = ledger.record_investment(gp, fund.id, company_id=world.company.id, round_name="A",
                                   instrument="preferred_equity", invested_on="2020-07-15",
                                   amount="50000000", shares="1000000", ownership_rate="0.08")
    dist = ledger.record_distribution(gp, fund.id, value_on="2022-06-30", amount="12000000",
                                      distribution_type="gain")
    nav = ledger.record_valuation(gp, fund.id, as_of="2022-12-31", nav_amount="70000000")
    hv = ledger.record_holding_valuation(gp, fund.id, company_id=world.company.id,
                                         as_of="2022-12-31", fair_value_amount="65000000")
    return {"call": call.id, "investment": inv.id, "distribution": dist.id, "nav": nav.id,
            "holding_valuation": hv.id, "entry": call.id}


ZERO = Decimal("0.00")
