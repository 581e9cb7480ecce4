"""Risk-pool pages and the loan page's credit events and warrants, through the test client.

The story: a platform operator sets up the Hubei-style 80 % pool (leverage k = 10) with
the round's bank as member and records 5亿 + 5亿 paid in; the bank enrols a drawn 1,000万
loan (refused while the pool is empty: the leverage cap leaves no room), marks it
overdue, declares the default, records a 100万 recovery, files the claim and records a
later 50万 recovery. The pool pays exactly 80 % of 900万 = 720万 and gets 80 % of the
later recovery back (40万). Amounts on the pages are in 万元 (the default unit).
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.auth.models import User
from fundops.extensions import db
from fundops.syndication.enums import LoanStatus
from fundops.syndication.loans import events as loan_events
from fundops.syndication.loans import services as lending
from fundops.syndication.loans.models import Loan, Warrant
from fundops.syndication.pools import services as pools
from fundops.syndication.pools.models import RiskPool, RiskPoolClaim
from fundops.uow import Actor
from tests.conftest import Browser
from tests.factories import PASSWORD, make_user, next_n
from tests.integration.test_risk_pools import HUBEI, drawn_loan, funded_round
from tests.web.test_pages import compile_catalog, field_error, text
from tests.web.test_syndication_pages import section, send

POOL_TABLES = ("risk_pool", "risk_pool_party", "risk_pool_bank", "risk_pool_contribution",
               "risk_pool_enrolment", "risk_pool_claim", "risk_pool_claim_share",
               "risk_pool_recovery", "loan_entry", "warrant", "audit_event")


@pytest.fixture(scope="module", autouse=True)
def _catalog() -> None:
    compile_catalog()


def writes() -> tuple[int, ...]:
    return tuple(db.session.scalar(sa.text(f"SELECT count(*) FROM {t}")) for t in POOL_TABLES)


def browser_for(app: Flask, actor: Actor, lang: str | None = None) -> Browser:
    """A separate logged-in client per organisation (the story switches between them)."""
    user = db.session.get(User, actor.user_id)
    assert user is not None
    db.session.rollback()  # end the test's read transaction before the server writes
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    if lang:
        browser.post("/preferences", {"lang": lang, "next": "/"})
    return browser


def form_error(html: str) -> str:
    return section(html, 'class="flash error form-errors"', "</div></div>")


def pool_form(bank_id: int, **change: str) -> dict[str, str]:
    return {"name": "湖北省科技金融风险补偿资金池", "currency": "CNY",
            "parties-0-name": "资金池", "parties-0-role": "pool", "parties-0-share": "80",
            "parties-1-name": "贷款银行", "parties-1-role": "bank", "parties-1-share": "20",
            "member_bank_ids": str(bank_id), "leverage_k": "10", "source": "鄂科技发〔2024〕1号"
            } | change


def test_pool_story_pays_80_percent_of_the_loss_after_recoveries(  # noqa: PLR0915 - one story
        app: Flask) -> None:
    r = funded_round()
    bank_org, other_bank_org = r.bank.organisation_id, r.other_bank.organisation_id
    loan_id = drawn_loan(r, "10000000").id
    _, operator = make_user(f"科技金融服务平台 {next_n()}", kind="platform_operator")
    manager = browser_for(app, operator)

    # --- the operator sets up the pool; bad fields are 422 on the field, nothing written
    listing = text(manager.client.get("/pools"))
    assert 'id="nav-pools"' in listing and ">风险池</a>" in listing and 'id="pool-form"' in listing
    assert f'value="{bank_org}"' in section(listing, 'id="pool-form"', "</form>")
    before = writes()
    cases = [({"parties-1-share": "10"}, "parties", "之和须恰好为 1"),
             ({"parties-1-role": "pool"}, "parties", "银行"),
             ({"parties-3-name": "担保公司", "parties-3-role": "guarantor"}, "parties-3", "必填"),
             ({"leverage_k": "abc"}, "leverage_k", ""), ({"name": ""}, "name", ""),
             ({"parties-0-share": "120"}, "parties-0-share", ""),
             ({"cap_per_loan": "1.001"}, "cap_per_loan", "2")]
    for change, field, message in cases:
        response = manager.post("/pools", pool_form(bank_org, **change))
        assert response.status_code == 422, field
        assert message in field_error(text(response), field), field
    assert writes() == before
    response = manager.post("/pools", pool_form(bank_org))
    assert response.status_code == 302
    pool = db.session.scalar(
        sa.select(RiskPool).where(RiskPool.organisation_id == operator.organisation_id)
    )
    assert pool is not None and pool.leverage_k == Decimal(10)
    assert [(p.name, p.role, p.share) for p in pool.parties] == [
        ("资金池", "pool", Decimal("0.8")), ("贷款银行", "bank", Decimal("0.2"))]
    pool_id, url = pool.id, f"/pools/{pool.id}"
    assert response.headers["Location"].endswith(url)
    again = manager.post("/pools", pool_form(bank_org))
    assert again.status_code == 422 and "贵机构已有名为" in field_error(text(again), "name")
    html = text(manager.client.get(url))
    assert "80.00%" in section(html, 'id="party-1"', "</tr>") and "资金池" in html
    assert 'id="contribution-form"' in html and 'id="enrol-form"' not in html

    # --- the bank cannot enrol while the pool is empty: 409 with the reason, nothing written
    bank = browser_for(app, r.bank)
    page = text(bank.client.get(url))
    assert 'id="nav-pools"' in page and f'value="{loan_id}"' in section(
        page, 'id="enrol-form"', "</form>"
    )
    assert 'id="contribution-form"' not in page
    before = writes()
    refused = send(
        bank, f"{url}/enrolments", "enrol", {"loan_id": str(loan_id), "on": "2024-07-10"}
    )
    assert refused.status_code == 409
    assert "入池被拒绝" in form_error(text(refused)) and "放大倍数上限" in form_error(text(refused))
    bad = send(bank, f"{url}/enrolments", "enrol", {"loan_id": str(loan_id), "on": ""})
    assert bad.status_code == 422 and field_error(text(bad), "enrol-on")
    assert writes() == before and db.session.get(RiskPool, pool_id).enrolled_amount == 0

    # --- the operator records 5亿 + 5亿 paid in
    bad = send(manager, f"{url}/contributions", "contribution",
               {"funder": "湖北省财政", "amount": "1.001", "contributed_on": "2024-01-02"})
    assert bad.status_code == 422 and field_error(text(bad), "contribution-amount")
    bad = send(manager, f"{url}/contributions", "contribution",
               {"funder": "", "amount": "1", "contributed_on": "2024-01-02"})
    assert bad.status_code == 422 and field_error(text(bad), "contribution-funder")
    assert writes() == before
    for funder in ("湖北省财政", "武汉市财政"):
        response = send(manager, f"{url}/contributions", "contribution",
                        {"funder": funder, "amount": "500,000,000", "contributed_on": "2024-01-02"})
        assert response.status_code == 302
    html = text(manager.client.get(url))
    assert "50,000.00" in section(html, 'id="contribution-table"')
    assert 'data-amount="1000000000.00"' in section(html, 'id="card-balance"', "</div></div>")

    # --- the bank enrols the loan; the leverage headroom is k × balance − enrolled
    response = send(
        bank, f"{url}/enrolments", "enrol", {"loan_id": str(loan_id), "on": "2024-07-10"}
    )
    assert response.status_code == 302
    before = writes()
    twice = send(bank, f"{url}/enrolments", "enrol", {"loan_id": str(loan_id), "on": "2024-07-11"})
    assert twice.status_code == 409 and "已纳入风险池" in form_error(text(twice))
    assert send(bank, f"{url}/enrolments", "enrol",
                {"loan_id": "2147483000", "on": "2024-07-11"}).status_code == 404
    assert writes() == before
    html = text(bank.client.get(url))
    assert 'data-amount="9990000000.00"' in section(html, 'id="card-headroom"', "</div></div>")
    assert "1,000.00" in section(html, 'id="enrolment-table"') and 'id="enrol-none"' in html
    loan_url = f"/loans/{loan_id}"
    html = text(bank.client.get(loan_url))
    assert pool.name in section(html, 'id="loan-enrolment"', "</dl>")
    assert (
        'id="overdue-form"' in html
        and 'id="default-form"' in html
        and 'id="claim-form"' not in html
    )

    # --- overdue, default (a reason is required), recovery, claim
    assert (
        send(
            bank,
            f"{loan_url}/overdue",
            "overdue",
            {"amount": "450000", "value_on": "2025-01-31", "memo": "第7期未还"},
        ).status_code
        == 302
    )
    before = writes()
    bad = send(bank, f"{loan_url}/default", "default", {"value_on": "2025-03-31", "reason": ""})
    assert bad.status_code == 422 and field_error(text(bad), "default-reason")
    early = send(bank, f"{loan_url}/claims", "claim", {"on": "2025-04-15"})
    assert early.status_code == 409 and "须在违约后才能申请补偿" in form_error(text(early))
    assert writes() == before
    assert send(bank, f"{loan_url}/default", "default",
                {"value_on": "2025-03-31", "reason": "停止经营"}).status_code == 302
    assert db.session.get(Loan, loan_id).status is LoanStatus.DEFAULTED
    html = text(bank.client.get(loan_url))
    for form_id in ("writeoff-form", "recovery-form", "claim-form"):
        assert f'id="{form_id}"' in html, form_id
    assert pool.name in section(html, 'id="claim-form"', "</form>")
    assert 'id="default-form"' not in html and "违约" in section(html, 'id="entry-table"')
    assert (
        send(
            bank,
            f"{loan_url}/recoveries",
            "recovery",
            {"amount": "1000000", "value_on": "2025-04-01", "memo": "保证人代偿"},
        ).status_code
        == 302
    )
    response = send(bank, f"{loan_url}/claims", "claim", {"on": "2025-04-15"})
    assert response.status_code == 302
    claim = db.session.scalar(sa.select(RiskPoolClaim).where(RiskPoolClaim.loan_id == loan_id))
    assert (claim.loss, claim.pool_paid) == (Decimal("9000000.00"), Decimal("7200000.00"))
    html = text(bank.client.get(loan_url))
    assert 'data-pool-paid="7200000.00"' in html and 'data-loss="9000000.00"' in html
    assert "720.00" in section(html, 'id="claim-paid"', "</dd>") and 'id="claim-form"' not in html
    before = writes()
    again = send(bank, f"{loan_url}/claims", "claim", {"on": "2025-04-16"})
    assert again.status_code == 409 and "已有补偿申请" in form_error(text(again))
    assert writes() == before
    assert (
        send(
            bank,
            f"{loan_url}/recoveries",
            "recovery",
            {"amount": "500000", "value_on": "2025-09-30", "memo": "股权质押处置"},
        ).status_code
        == 302
    )
    shares = section(text(bank.client.get(loan_url)), 'id="claim-share-table"')
    assert "40.00" in shares and "10.00" in shares  # 80 % / 20 % of the later 50万

    # --- the pool's page: 10亿 − 720万 + 40万
    html = text(manager.client.get(url))
    assert 'data-amount="7200000.00"' in section(html, 'id="card-claims-paid"', "</div></div>")
    assert 'data-amount="400000.00"' in section(html, 'id="card-recoveries"', "</div></div>")
    assert 'data-amount="993200000.00"' in section(html, 'id="card-balance"', "</div></div>")
    assert "99,320.00" in section(html, 'id="card-balance"', "</div></div>")
    claim_panel = section(html, f'id="claim-{claim.id}"', "</section>")
    assert "资金池" in claim_panel and "720.00" in claim_panel and "180.00" in claim_panel
    assert "贷款银行" not in section(html, 'id="member-banks"', "</p>")  # banks by their names
    assert db.session.get(User, r.bank.user_id).organisation.name in section(
        html, 'id="member-banks"', "</p>")
    assert pools.balance(pool_id) == Decimal("993200000.00")

    # --- a non-member bank and a GP: 404, and the pool is not listed
    before = writes()
    stranger = browser_for(app, r.other_bank)
    assert stranger.client.get(url).status_code == 404
    assert f'id="pool-{pool_id}"' not in text(stranger.client.get("/pools"))
    assert send(stranger, f"{url}/enrolments", "enrol",
                {"loan_id": str(loan_id), "on": "2025-01-01"}).status_code == 404
    assert send(stranger, f"{url}/contributions", "contribution",
                {"funder": "x", "amount": "1", "contributed_on": "2025-01-01"}).status_code == 404
    assert send(bank, f"{url}/contributions", "contribution",  # a member does not manage
                {"funder": "x", "amount": "1", "contributed_on": "2025-01-01"}).status_code == 404
    gp = browser_for(app, r.gp)
    assert gp.client.get("/pools").status_code == 404 and gp.client.get(url).status_code == 404
    assert 'id="nav-pools"' not in text(gp.client.get("/term-sheets"))
    assert writes() == before
    assert other_bank_org != bank_org


def test_write_off_errors_land_on_the_field(app: Flask) -> None:
    r = funded_round()
    loan_id = drawn_loan(r, "5000000").id
    loan_events.declare_default(r.bank, loan_id, value_on="2025-03-31", reason="违约")
    bank = browser_for(app, r.bank)
    url = f"/loans/{loan_id}"
    assert 'id="claim-form"' not in text(bank.client.get(url))  # not enrolled in a pool
    before = writes()
    bad = send(bank, f"{url}/write-offs", "writeoff",
               {"amount": "5000000.01", "value_on": "2025-12-31", "reason": "核销"})
    assert bad.status_code == 422
    assert "超过未偿本金" in field_error(text(bad), "writeoff-amount")
    bad = send(bank, f"{url}/write-offs", "writeoff", {"amount": "1", "value_on": "2025-12-31"})
    assert bad.status_code == 422 and field_error(text(bad), "writeoff-reason")
    refused = send(bank, f"{url}/overdue", "overdue", {"amount": "1", "value_on": "2025-12-31"})
    assert refused.status_code == 409 and "只有已放款的贷款才会逾期" in form_error(text(refused))
    assert writes() == before
    assert (
        send(
            bank,
            f"{url}/write-offs",
            "writeoff",
            {"amount": "5,000,000", "value_on": "2025-12-31", "reason": "核销"},
        ).status_code
        == 302
    )
    assert db.session.get(Loan, loan_id).status is LoanStatus.WRITTEN_OFF
    html = text(bank.client.get(url))
    assert "已核销" in html and 'id="writeoff-form"' not in html and 'id="recovery-form"' in html


def test_warrants_are_added_and_closed_on_the_loan_page(app: Flask) -> None:
    r = funded_round()
    loan = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount="8000000")
    lending.approve_loan(r.bank, loan.id)
    other = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount="1000000")
    lending.approve_loan(r.bank, other.id)
    foreign = loan_events.add_warrant(r.bank, other.id, holder_name="其他", coverage="0.05",
                                      window_from="2024-07-01", window_to="2026-06-30").id
    loan_id = loan.id
    bank = browser_for(app, r.bank)
    url = f"/loans/{loan_id}"
    html = text(bank.client.get(url))
    assert 'id="warrant-form"' in html and "暂无认股权" in section(html, 'id="warrant-table"')
    before = writes()
    base = {"holder_name": "科创投资公司", "coverage": "10", "exercise_price": "",
            "window_from": "2025-01-01", "window_to": "2027-12-31"}
    for change, field, message in (({"window_to": "2024-12-31"}, "window_to", "早于行权期开始日"),
                                   ({"coverage": "120"}, "coverage", ""),
                                   ({"holder_name": ""}, "holder_name", ""),
                                   ({"exercise_price": "1.23456"}, "exercise_price", "4")):
        bad = send(bank, f"{url}/warrants", "warrant", base | change)
        assert bad.status_code == 422, field
        assert message in field_error(text(bad), f"warrant-{field}"), field
    assert writes() == before
    assert send(bank, f"{url}/warrants", "warrant", base).status_code == 302
    warrant = db.session.scalar(sa.select(Warrant).where(Warrant.loan_id == loan_id))
    assert warrant is not None and warrant.amount == Decimal("800000.00")
    assert warrant.exercise_price == Decimal("12.5")  # the round's price per share
    row = section(text(bank.client.get(url)), f'id="warrant-{warrant.id}"', "</tr>")
    assert "科创投资公司" in row and "10.00%" in row and "80.00" in row and "未行权" in row
    close = f"{url}/warrants/{warrant.id}/close"
    prefix = f"close{warrant.id}"
    before = writes()
    bad = send(bank, close, prefix, {"outcome": "exercised", "on": "2028-01-01"})
    assert bad.status_code == 422 and "不在行权期" in field_error(text(bad), f"{prefix}-on")
    assert send(bank, f"{url}/warrants/{foreign}/close", f"close{foreign}",
                {"outcome": "expired", "on": "2026-07-01"}).status_code == 404
    assert writes() == before
    assert (
        send(bank, close, prefix, {"outcome": "exercised", "on": "2026-03-31"}).status_code == 302
    )
    html = text(bank.client.get(url))
    assert "已行权 · 2026-03-31" in section(html, f'id="warrant-{warrant.id}"', "</tr>")
    assert f'id="{prefix}-form"' not in html
    before = writes()
    again = send(bank, close, prefix, {"outcome": "expired", "on": "2028-01-01"})
    assert again.status_code == 409 and f"认股权 {warrant.id} 已行权" in text(again)
    partner = browser_for(app, r.other_bank)
    assert (
        send(partner, close, prefix, {"outcome": "expired", "on": "2028-01-01"}).status_code == 404
    )
    assert writes() == before


def test_viewers_read_pools_and_english_labels(app: Flask) -> None:
    r = funded_round()
    _, operator = make_user(f"融资担保公司 {next_n()}", kind="guarantor")
    pool = pools.create_pool(operator, name="担保风险池", parties=HUBEI,
                             member_bank_ids=[r.bank.organisation_id], leverage_k="5")
    bank_org = db.session.get(User, r.bank.user_id).organisation.name
    _, viewer = make_user(bank_org, kind="bank", role="viewer")
    pool_id = pool.id
    browser = browser_for(app, viewer)
    html = text(browser.client.get(f"/pools/{pool_id}"))
    assert "担保风险池" in html and 'id="enrol-form"' not in html
    assert send(browser, f"/pools/{pool_id}/enrolments", "enrol",
                {"loan_id": "1", "on": "2024-07-10"}).status_code == 403
    english = browser_for(app, operator, "en")
    html = text(english.client.get(f"/pools/{pool_id}"))
    assert (
        "Loss-sharing scheme" in html and "Risk pool" in html and "No claims on the pool." in html
    )
    assert re.search(r"enrolled loans ≤ 5 × balance", html)
    assert 'id="nav-pools"' in html and ">Risk pools</a>" in html
