"""Concurrent writers of one fund's ledger and of the commitment graph, in real threads on
both databases: every check-then-write runs under the fund lock (or the graph lock), so
no LP is called beyond its commitment, an entry is reversed once, a source reference is
used once and two commitments cannot close a fund-of-funds cycle between them."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.errors import ConflictError, DomainError, ValidationError
from fundops.extensions import db
from fundops.models import Fund
from fundops.portfolio import fof_services as fof
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from fundops.portfolio.enums import CashFlowKind
from fundops.portfolio.ledger import CashFlow, Investment
from fundops.uow import Actor
from tests.conftest import Browser
from tests.factories import PASSWORD, make_fund, make_user, make_world, next_n
from tests.integration.test_parent_api import get as api_get
from tests.threads import race


def outcomes(app: Flask, call: Callable[[int], object], args: list[int]) -> Counter[str]:
    """Run ``call`` per arg in racing threads: "ok", ``Class:code`` of a refusal, or
    ``error: …`` for anything else (a database error: what the web would answer 500)."""
    seen: list[str] = []

    def run(arg: int) -> None:
        try:
            call(arg)
            seen.append("ok")
        except DomainError as exc:
            seen.append(f"{type(exc).__name__}:{exc.code}")
        except Exception as exc:  # noqa: BLE001 - reported, so the count check names it
            seen.append(f"error: {type(exc).__name__}: {exc}")

    db.session.remove()
    race(app, run, args, Exception)
    db.session.remove()
    return Counter(seen)


def only(got: Counter[str], *refusals: str) -> bool:
    """Every outcome is "ok" or a refusal starting with one of ``refusals``."""
    return all(k == "ok" or k.startswith(refusals) for k in got)


def entries(fund_id: int, kind: CashFlowKind) -> list[CashFlow]:
    return list(db.session.scalars(sa.select(CashFlow).where(
        CashFlow.fund_id == fund_id, CashFlow.kind == kind).order_by(CashFlow.id)))


def assert_no_lp_beyond_commitment(fund_id: int) -> None:
    """Paid-in per LP ≤ commitment + recallable distributions (the room calls may use)."""
    fund = db.session.get(Fund, fund_id)
    assert fund is not None
    paid = ledger.lp_position_totals(fund_id, CashFlowKind.CAPITAL_CALL)
    recallable = ledger.recallable_totals(fund_id)
    for inv, committed in ledger.committed_by_investor(fund_id, fund.life_end_on):
        limit = committed + recallable.get(inv.id, Decimal(0))
        assert paid.get(inv.id, Decimal(0)) <= limit, (inv.name, paid.get(inv.id), limit)


# --- capital calls -------------------------------------------------------------------------


def test_sixteen_calls_of_40_percent_of_the_uncalled_post_exactly_two(app: Flask) -> None:
    for _ in range(2):
        world = make_world()  # commitments 300M + 200M + 100M, nothing called
        gp, fund_id = world.gp, world.fund.id
        got = outcomes(app, lambda _i, gp=gp, fund_id=fund_id: ledger.record_capital_call(
            gp, fund_id, value_on="2021-03-31", amount="240000000", purpose="investment"),
            list(range(16)))
        assert got["ok"] == 2 and sum(got.values()) == 16, got
        assert only(got, "ValidationError:"), got  # the call exceeds the uncalled capital
        calls = entries(fund_id, CashFlowKind.CAPITAL_CALL)
        assert [c.amount for c in calls] == [Decimal("240000000.00")] * 2
        assert_no_lp_beyond_commitment(fund_id)


def test_calls_with_one_source_reference_post_once(app: Flask) -> None:
    world = make_world()
    gp, fund_id = world.gp, world.fund.id
    got = outcomes(app, lambda _i: ledger.record_capital_call(
        gp, fund_id, value_on="2021-03-31", amount="1000000", purpose="investment",
        source_ref="CALL-2021-1"), list(range(8)))
    assert got == Counter({"ok": 1, "ConflictError:source_ref_exists": 7}), got
    assert len(entries(fund_id, CashFlowKind.CAPITAL_CALL)) == 1


def test_a_duplicate_source_reference_is_a_conflict_and_writes_nothing(app: Flask) -> None:
    world = make_world()
    ledger.record_distribution(world.gp, world.fund.id, value_on="2021-03-31", amount="10",
                               distribution_type="gain", source_ref="D-1")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(CashFlow))
    with pytest.raises(ConflictError) as err:
        ledger.record_fund_flow(world.gp, world.fund.id, kind="expense", value_on="2021-04-01",
                                amount="5", source_ref=" D-1 ")
    assert err.value.code == "source_ref_exists" and err.value.params == {"source_ref": "D-1"}
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CashFlow)) == before


# --- distributions, investments, fund flows ----------------------------------------------


def test_distributions_with_one_source_reference_post_once(app: Flask) -> None:
    world = make_world()
    gp, fund_id = world.gp, world.fund.id
    ledger.record_capital_call(gp, fund_id, value_on="2021-03-31", amount="100000000",
                               purpose="investment")
    got = outcomes(
        app,
        lambda _i: ledger.record_distribution(
            gp,
            fund_id,
            value_on="2022-03-31",
            amount="30000000",
            distribution_type="return_of_capital",
            recallable=True,
            source_ref="DIST-7",
        ),
        list(range(8)),
    )
    assert got == Counter({"ok": 1, "ConflictError:source_ref_exists": 7}), got
    dists = entries(fund_id, CashFlowKind.DISTRIBUTION)
    assert len(dists) == 1 and sum(a.amount for a in dists[0].allocations) == dists[0].amount


def test_investments_with_one_source_reference_post_once(app: Flask) -> None:
    world = make_world()
    gp, fund_id, company_id = world.gp, world.fund.id, world.company.id
    got = outcomes(app, lambda _i: ledger.record_investment(
        gp, fund_id, company_id=company_id, round_name="A", instrument="preferred_equity",
        invested_on="2021-05-01", amount="20000000", source_ref="INV-A"), list(range(8)))
    assert got == Counter({"ok": 1, "ConflictError:source_ref_exists": 7}), got
    assert len(entries(fund_id, CashFlowKind.INVESTMENT)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Investment).where(
        Investment.fund_id == fund_id)) == 1


def test_sub_fund_flows_with_one_source_reference_post_once(app: Flask) -> None:
    n = next_n()
    _, gp = make_user(f"FoF GP {n}")
    parent, child = make_fund(gp, kind="parent_fund"), make_fund(gp)
    as_lp = services.create_investor(gp, f"parent as LP {n}", "guidance_fund", fund_id=parent.id)
    services.add_commitment(gp, child.id, as_lp.id, "100000000", "2020-06-01")
    parent_id, child_id = parent.id, child.id
    got = outcomes(app, lambda _i: fof.record_sub_fund_flow(
        gp, parent_id, kind="fund_contribution", target_fund_id=child_id, value_on="2021-01-05",
        amount="1000000", source_ref="SUB-1"), list(range(6)))
    assert got == Counter({"ok": 1, "ConflictError:source_ref_exists": 5}), got


# --- reversals -----------------------------------------------------------------------------


def test_ten_concurrent_reversals_of_one_entry_post_one(app: Flask) -> None:
    world = make_world()
    gp, fund_id = world.gp, world.fund.id
    for _ in range(3):
        entry = ledger.record_capital_call(gp, fund_id, value_on="2021-03-31", amount="1000000",
                                           purpose="investment").id
        got = outcomes(app, lambda i, e=entry: ledger.reverse_entry(gp, fund_id, e, f"错 {i}"),
                       list(range(10)))
        assert got == Counter({"ok": 1, "ConflictError:entry_already_reversed": 9}), got
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CashFlow).where(
            CashFlow.reverses_id == entry)) == 1


class _HiddenInputs(HTMLParser):
    """The hidden inputs of a page's form (CSRF and any one-time form token)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "input" and a.get("type") == "hidden" and a.get("name"):
            self.fields[str(a["name"])] = a.get("value") or ""


def _form_fields(browser: Browser, url: str) -> dict[str, str]:
    page = browser.client.get(url)
    assert page.status_code == 200, page.status_code
    parser = _HiddenInputs()
    parser.feed(page.get_data(as_text=True))
    return parser.fields


def test_ten_concurrent_reversal_forms_give_one_302_and_nine_409(app: Flask) -> None:
    world = make_world()
    entry = ledger.record_capital_call(world.gp, world.fund.id, value_on="2021-03-31",
                                       amount="1000000", purpose="investment").id
    url = f"/funds/{world.fund.id}/entries/{entry}/reverse"
    users = []
    for _ in range(10):  # ten sessions of the same GP, each with the form it was shown
        browser = Browser(app.test_client())
        assert browser.login(world.gp_user.email, PASSWORD).status_code == 302
        users.append((browser, _form_fields(browser, url) | {"reason": "录入错误"}))
    statuses: list[object] = []

    def post(i: int) -> None:
        browser, fields = users[i]
        try:
            statuses.append(browser.client.post(url, data=fields).status_code)
        except Exception as exc:  # noqa: BLE001 - TESTING propagates what would be a 500
            statuses.append(type(exc).__name__)

    db.session.remove()
    race(app, post, list(range(10)), Exception)
    db.session.remove()
    assert Counter(statuses) == Counter({302: 1, 409: 9}), statuses
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CashFlow).where(
        CashFlow.reverses_id == entry)) == 1


def test_a_recallable_distribution_called_again_cannot_be_reversed(app: Flask) -> None:
    world = make_world()
    gp, fund_id = world.gp, world.fund.id
    ledger.record_capital_call(gp, fund_id, value_on="2021-01-31", amount="600000000",
                               purpose="investment")
    dist = ledger.record_distribution(gp, fund_id, value_on="2021-06-30", amount="60000000",
                                      distribution_type="return_of_capital", recallable=True)
    recall = ledger.record_capital_call(gp, fund_id, value_on="2021-09-30", amount="60000000",
                                        purpose="investment")
    with pytest.raises(ConflictError) as err:
        ledger.reverse_entry(gp, fund_id, dist.id, "not recallable after all")
    assert err.value.code == "recallable_already_called"
    assert err.value.params["amount"].amount > 0
    db.session.rollback()
    ledger.reverse_entry(gp, fund_id, recall.id, "recalled by mistake")
    ledger.reverse_entry(gp, fund_id, dist.id, "not recallable after all")
    assert_no_lp_beyond_commitment(fund_id)


def test_a_recall_racing_the_reversal_of_its_recallable_distribution(app: Flask) -> None:
    for _ in range(3):
        world = make_world()
        gp, fund_id = world.gp, world.fund.id
        ledger.record_capital_call(gp, fund_id, value_on="2021-01-31", amount="600000000",
                                   purpose="investment")
        dist = ledger.record_distribution(gp, fund_id, value_on="2021-06-30", amount="60000000",
                                          distribution_type="return_of_capital",
                                          recallable=True).id

        def act(i: int, gp: Actor = gp, fund_id: int = fund_id, dist: int = dist) -> None:
            if i == 0:
                ledger.reverse_entry(gp, fund_id, dist, "not recallable")
            else:
                ledger.record_capital_call(gp, fund_id, value_on="2021-09-30", amount="60000000",
                                           purpose="investment")

        got = outcomes(app, act, [0, 1])
        assert got["ok"] == 1 and sum(got.values()) == 2, got
        assert only(got, "ValidationError:", "ConflictError:recallable_already_called"), got
        assert_no_lp_beyond_commitment(fund_id)


# --- the commitment graph -------------------------------------------------------------------


def _funds_as_lps(gp: Actor, count: int) -> tuple[list[int], list[int]]:
    """``count`` funds of ``gp`` and, for each, an investor record naming it as an LP."""
    n = next_n()
    funds = [make_fund(gp, kind="parent_fund").id for _ in range(count)]
    lps = [services.create_investor(gp, f"fund {f} as LP {n}", "guidance_fund", fund_id=f).id
           for f in funds]
    return funds, lps


def test_a_and_b_committing_to_each_other_at_once_accepts_one(app: Flask) -> None:
    user, gp = make_user(f"FoF GP {next_n()}")
    email = user.email
    for _ in range(4):
        (a, b), (a_lp, b_lp) = _funds_as_lps(gp, 2)
        pairs = [(b, a_lp), (a, b_lp)]  # A invests in B; B invests in A
        got = outcomes(app, lambda i, pairs=pairs: services.add_commitment(
            gp, pairs[i][0], pairs[i][1], "100000000", "2020-06-01"), [0, 1])
        assert got == Counter({"ok": 1, "ConflictError:commitment_cycle": 1}), got
    for fund_id in (a, b):
        for path in ("look-through", "leverage"):
            response = api_get(app, f"/api/v1/funds/{fund_id}/{path}?as_of=2022-12-31", gp)
            assert response.status_code == 200, (path, response.get_json())
    browser = Browser(app.test_client())
    assert browser.login(email, PASSWORD).status_code == 302
    for fund_id in (a, b):
        for page in (f"/funds/{fund_id}", f"/funds/{fund_id}/look-through"):
            assert browser.client.get(page).status_code == 200, page


def test_a_three_fund_cycle_cannot_form_from_two_disjoint_pairs(app: Flask) -> None:
    _, gp = make_user(f"FoF GP {next_n()}")
    for _ in range(3):
        (a, b, c), (a_lp, b_lp, c_lp) = _funds_as_lps(gp, 3)
        services.add_commitment(gp, b, a_lp, "100000000", "2020-06-01")  # A → B
        pairs = [(c, b_lp), (a, c_lp)]  # B → C and C → A would close A → B → C → A
        got = outcomes(app, lambda i, pairs=pairs: services.add_commitment(
            gp, pairs[i][0], pairs[i][1], "100000000", "2020-06-01"), [0, 1])
        assert got == Counter({"ok": 1, "ConflictError:commitment_cycle": 1}), got


def test_a_cycle_is_a_conflict_naming_the_investor_and_writes_nothing(app: Flask) -> None:
    _, gp = make_user(f"FoF GP {next_n()}")
    (a, b), (a_lp, b_lp) = _funds_as_lps(gp, 2)
    services.add_commitment(gp, b, a_lp, "1000", "2020-06-01")
    before = db.session.scalar(sa.text("SELECT count(*) FROM commitment"))
    with pytest.raises(ConflictError) as err:
        services.add_commitment(gp, a, b_lp, "1000", "2020-06-01")
    assert err.value.code == "commitment_cycle" and "as LP" in err.value.params["investor"]
    db.session.rollback()
    assert db.session.scalar(sa.text("SELECT count(*) FROM commitment")) == before
    with pytest.raises(ValidationError) as own:
        services.add_commitment(gp, a, a_lp, "1000", "2020-06-01")
    assert (own.value.field, own.value.code) == ("investor_id", "commitment_to_own_fund")


# --- funds, investors, stages -----------------------------------------------------------------


def test_concurrent_funds_with_one_code_or_registration_create_one(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    _, other = make_user(f"GP {next_n()}")
    code, reg = f"DUP{next_n()}", f"SX{next_n()}"
    got = outcomes(app, lambda _i: make_fund(gp, code=code), list(range(6)))
    assert got["ok"] == 1 and only(got, "ValidationError:", "ConflictError:fund_exists"), got
    actors = [gp, other] * 3  # one registration number, two organisations
    got = outcomes(app, lambda i: make_fund(actors[i], registration_no=reg), list(range(6)))
    assert got["ok"] == 1 and only(got, "ValidationError:", "ConflictError:fund_exists"), got


def test_concurrent_investors_with_one_name_create_one(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    name = f"社保基金 {next_n()}"
    got = outcomes(app, lambda _i: services.create_investor(gp, name, "social_security"),
                   list(range(6)))
    assert got["ok"] == 1 and only(got, "ValidationError:", "ConflictError:investor_exists"), got


def test_concurrent_stage_changes_record_one(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund_id = make_fund(gp).id  # investing
    got = outcomes(app, lambda _i: services.change_stage(gp, fund_id, "exiting", "2025-01-01"),
                   list(range(6)))
    assert got["ok"] == 1 and only(got, "ValidationError:", "ConflictError:fund_stage_changed"), got
    fund = db.session.get(Fund, fund_id)
    assert fund is not None and [c.stage.value for c in fund.stage_changes].count("exiting") == 1


def test_concurrent_settings_of_one_policy_rule_keep_one_row(app: Flask) -> None:
    from fundops.metrics.models import PolicyRule
    from fundops.metrics.policy import set_policy_rule

    _, gp = make_user(f"GP {next_n()}")
    fund_id = make_fund(gp, kind="parent_fund").id
    got = outcomes(app, lambda i: set_policy_rule(
        gp, fund_id, "gov_share_cap", {"max_share": f"0.{i + 1}"}, "subscribed", "2021-01-01"),
        list(range(6)))
    assert got == Counter({"ok": 6}), got  # the later ones replace the first
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PolicyRule).where(
        PolicyRule.fund_id == fund_id)) == 1


# --- pools ------------------------------------------------------------------------------------


def test_pool_claims_race_one_per_loan_and_within_the_balance(app: Flask) -> None:
    from fundops.syndication.loans import events as loan_events
    from fundops.syndication.loans import services as lending
    from fundops.syndication.pools import services as pools
    from fundops.syndication.pools.models import RiskPoolClaim
    from tests.integration.test_idempotency import funded_loan
    from tests.integration.test_races import _pool_with_loan

    r, loan_a = funded_loan()
    loan_ids = [loan_a]
    for _ in range(2):
        loan = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id,
                                      amount="5000000")
        lending.approve_loan(r.bank, loan.id)
        loan_ids.append(loan.id)
    _, pool = _pool_with_loan(r, loan_a, contribution="6000000")
    for lid in loan_ids[1:]:
        pools.enrol_loan(r.bank, pool.id, lid, "2024-07-01")
    for lid in loan_ids:
        lending.disburse(r.bank, lid, amount="5000000", value_on="2024-07-10")
        loan_events.declare_default(r.bank, lid, value_on="2025-01-10", reason="停止经营")
    bank, pool_id = r.bank, pool.id
    start = pools.balance(pool_id)
    # three claims per loan at once: one claim per loan, paid within the pool's balance
    got = outcomes(app, lambda i: pools.file_claim(bank, loan_ids[i % 3], "2025-03-01"),
                   list(range(9)))
    assert got["ok"] == 3 and sum(got.values()) == 9, got
    assert only(got, "ConflictError:"), got
    claims = list(db.session.scalars(sa.select(RiskPoolClaim).where(
        RiskPoolClaim.pool_id == pool_id)))
    assert sorted(c.loan_id for c in claims) == sorted(loan_ids)
    assert sum(c.pool_paid for c in claims) <= start
    assert pools.balance(pool_id) >= 0
