"""The daily job raises exit reminders once: lock-up ends, escrow due dates, buy-back
trigger dates within the lookahead; the fund page shows the open ones to its manager."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import Flask

from fundops.calc.exit_pricing import InterestMethod
from fundops.calc.lockup import HolderCategory
from fundops.clock import business_today
from fundops.exits import reminders
from fundops.exits.enums import (
    BuybackTrigger,
    ClaimStatus,
    EscrowOutcome,
    ExitKind,
    ObligorKind,
    ReminderKind,
)
from fundops.exits.models import BuybackClaim, EscrowRelease, ExitEvent, ExitReminder, IpoListing
from fundops.extensions import db
from fundops.jobs.runner import run_daily
from fundops.uow import unit_of_work
from tests.conftest import Browser
from tests.factories import PASSWORD, World, fund_with_activity, make_world
from tests.threads import race

D0 = Decimal("0.00")


def _add(row: object) -> int:
    with unit_of_work():
        db.session.add(row)
        db.session.flush()
        return int(row.id)  # type: ignore[attr-defined]


def _listing(w: World, lockup_ends_on: date) -> int:
    return _add(IpoListing(
        fund_id=w.fund.id, company_id=w.company.id, listed_on=date(2025, 1, 10),
        exchange="SSE", ticker="688001", total_shares=Decimal("100000000.0000"),
        shares_held=Decimal("1000000.0000"), holder_category=HolderCategory.GENERAL,
        qualifying_vc=False, investment_start_on=date(2020, 7, 15), lockup_months=12,
        lockup_ends_on=lockup_ends_on, currency="CNY"))


def _sale_with_escrow(w: World, due: date, escrow: str = "1000000.00") -> int:
    return _add(ExitEvent(
        fund_id=w.fund.id, company_id=w.company.id, kind=ExitKind.TRADE_SALE,
        value_on=date(2025, 3, 1), fraction_disposed=Decimal("0.5"),
        proceeds_amount=Decimal("40000000.00"), escrow_amount=Decimal(escrow),
        escrow_due_on=due, cost_basis_amount=Decimal("25000000.00"),
        realised_gain_amount=Decimal("15000000.00"), value_before_amount=Decimal("65000000.00"),
        remaining_value_amount=Decimal("32500000.00"), currency="CNY"))


def _claim(w: World, triggered_on: date, status: ClaimStatus = ClaimStatus.OPEN) -> int:
    return _add(BuybackClaim(
        fund_id=w.fund.id, company_id=w.company.id, obligor_kind=ObligorKind.FOUNDERS,
        obligor_name="创始人张三", trigger=BuybackTrigger.NO_IPO_BY_DATE,
        triggered_on=triggered_on, principal_amount=Decimal("50000000.00"),
        accrues_from=date(2020, 7, 15), rate=Decimal("0.08"), method=InterestMethod.SIMPLE,
        currency="CNY", status=status))


def _reminders() -> list[tuple[ReminderKind, int, date, date]]:
    db.session.rollback()
    return [tuple(r) for r in db.session.execute(  # type: ignore[misc]
        sa.select(ExitReminder.kind, ExitReminder.object_id, ExitReminder.due_on,
                  ExitReminder.raised_on).order_by(ExitReminder.id))]


def test_each_matter_is_reminded_once_within_the_lookahead(app: Flask) -> None:
    w = make_world()
    fund_with_activity(w)
    listing = _listing(w, date(2026, 1, 10))
    sale = _sale_with_escrow(w, date(2026, 1, 20))
    claim = _claim(w, date(2026, 3, 1))
    _claim(w, date(2026, 1, 5), ClaimStatus.WITHDRAWN)  # withdrawn: never reminded

    assert run_daily(date(2025, 12, 1)).ran
    assert _reminders() == []  # nothing within 30 days yet
    run_daily(date(2025, 12, 11))  # the lock-up end is 30 days ahead
    assert _reminders() == [(ReminderKind.LOCKUP_END, listing, date(2026, 1, 10),
                             date(2025, 12, 11))]
    run_daily(date(2025, 12, 21))  # escrow due in 30 days
    run_daily(date(2025, 12, 21))  # a rerun of the day: the job ran already
    assert reminders.raise_fund_reminders(w.fund.id, date(2025, 12, 22)) is False  # nothing new
    run_daily(date(2026, 2, 10))
    assert _reminders() == [
        (ReminderKind.LOCKUP_END, listing, date(2026, 1, 10), date(2025, 12, 11)),
        (ReminderKind.ESCROW_DUE, sale, date(2026, 1, 20), date(2025, 12, 21)),
        (ReminderKind.BUYBACK_TRIGGER, claim, date(2026, 3, 1), date(2026, 2, 10)),
    ]


def test_a_job_that_missed_days_still_reminds_until_the_due_date(app: Flask) -> None:
    w = make_world()
    fund_with_activity(w)
    sale = _sale_with_escrow(w, date(2026, 1, 20))
    assert reminders.funds_with_due_reminders(date(2026, 1, 20)) == [w.fund.id]
    assert reminders.funds_with_due_reminders(date(2026, 1, 21)) == []  # past: not raised late
    assert reminders.raise_fund_reminders(w.fund.id, date(2026, 1, 20))
    assert _reminders() == [(ReminderKind.ESCROW_DUE, sale, date(2026, 1, 20), date(2026, 1, 20))]


def test_settled_escrow_and_closed_holdings_are_not_reminded(app: Flask) -> None:
    w = make_world()
    fund_with_activity(w)
    sale = _sale_with_escrow(w, date(2026, 1, 20))
    _add(EscrowRelease(exit_event_id=sale, value_on=date(2025, 12, 1),
                       amount=Decimal("1000000.00"), currency="CNY",
                       outcome=EscrowOutcome.RELEASED))
    _listing(w, date(2026, 1, 10))
    _add(ExitEvent(  # the whole holding sold: no lock-up reminder for it
        fund_id=w.fund.id, company_id=w.company.id, kind=ExitKind.TRADE_SALE,
        value_on=date(2025, 6, 1), fraction_disposed=Decimal("1"),
        proceeds_amount=Decimal("30000000.00"), cost_basis_amount=Decimal("25000000.00"),
        realised_gain_amount=Decimal("5000000.00"), value_before_amount=Decimal("32500000.00"),
        remaining_value_amount=D0, closes_holding=True, currency="CNY"))
    assert reminders.funds_with_due_reminders(date(2026, 1, 1)) == []


def test_two_runners_raise_each_reminder_once(app: Flask) -> None:
    w = make_world()
    fund_with_activity(w)
    _sale_with_escrow(w, date(2026, 1, 20))
    _listing(w, date(2026, 1, 10))
    db.session.commit()
    outcomes = race(app, lambda _: reminders.raise_fund_reminders(w.fund.id, date(2026, 1, 1)),
                    [0, 1, 2], Exception)
    assert outcomes == ["ok", "ok", "ok"]
    assert len(_reminders()) == 2


def test_the_fund_page_shows_open_reminders_to_its_manager_only(app: Flask,
                                                                 browser: Browser) -> None:
    w = make_world()
    fund_with_activity(w)
    today = business_today()
    _sale_with_escrow(w, today)
    assert reminders.raise_fund_reminders(w.fund.id, today)
    browser.login(w.gp_user.email, PASSWORD)
    html = browser.client.get(f"/funds/{w.fund.id}").get_data(as_text=True)
    assert 'id="exit-reminders"' in html and "托管款到期待释放" in html and "今天" in html
    assert "escrow_due" not in html.replace('class="reminder-escrow_due"', "")
    other = Browser(app.test_client())
    other.login(w.other_user.email, PASSWORD)
    assert other.client.get(f"/funds/{w.fund.id}").status_code == 404


def test_sell_down_windows_and_buy_out_windows_are_reminded(app: Flask) -> None:
    from fundops.exits import transfer_options
    from fundops.exits.ipo import record_listing
    from fundops.portfolio import services

    w = make_world()
    fund_with_activity(w)  # 1,000,000 shares bought 2020-07-15
    # a qualifying VC fund 23 months in at listing: ≤ 1 % of 50,000,000 per 90 days by
    # centralised bidding → two windows of 500,000 from the unlock date 2023-06-15
    listing = record_listing(w.gp, w.fund.id, w.company.id, "2022-06-15", "SSE", "688001",
                             "50000000", "1000000", "qualifying_vc", True)
    gov = services.create_investor(w.gp, "市引导基金", "guidance_fund")
    services.add_commitment(w.gp, w.fund.id, gov.id, "50000000", "2020-03-01")
    option = transfer_options.create_option(
        w.gp, w.fund.id, holder_id=gov.id, window_from="2023-09-01", window_to="2026-08-31",
        eligible="social_lps", rate="0.03")
    run_daily(date(2023, 5, 20))
    run_daily(date(2023, 8, 20))
    run_daily(date(2026, 8, 10))
    assert _reminders() == [
        (ReminderKind.LOCKUP_END, listing.id, date(2023, 6, 15), date(2023, 5, 20)),
        (ReminderKind.BUYOUT_OPENS, option.id, date(2023, 9, 1), date(2023, 8, 20)),
        (ReminderKind.SELLDOWN_WINDOW, listing.id, date(2023, 9, 13), date(2023, 8, 20)),
        (ReminderKind.BUYOUT_CLOSES, option.id, date(2026, 8, 31), date(2026, 8, 10)),
    ]
    shown = reminders.open_reminders(w.fund.id, date(2026, 8, 10))
    assert [(r.kind, r.subject) for r in shown] == [(ReminderKind.BUYOUT_CLOSES, "市引导基金")]
