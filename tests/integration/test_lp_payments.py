"""LP payments on both databases: payment terms, issuing a call with its due date, receipts
(partial, refused beyond what is due, reversed), arrears with default interest exact to the
fen, charges as a receivable of the fund, the equalisation of a later closer (the worked
example through the ledger), real-thread races, bad input writing nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.errors import ConflictError, DomainError, ValidationError
from fundops.extensions import db
from fundops.models import CashFlow, Commitment, Fund, Investor
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from fundops.portfolio.enums import CashFlowKind
from fundops.reports.payments import equalisation as eq
from fundops.reports.payments import queries
from fundops.reports.payments import services as pay
from fundops.reports.payments.models import (
    CallIssue,
    CallReceipt,
    Equalisation,
    InterestCharge,
    PaymentTerms,
)
from fundops.reports.payments.queries import LineState
from fundops.uow import Actor
from tests.factories import make_fund, make_user, next_n
from tests.integration.test_ledger_races import outcomes

D = Decimal


def count(model: type) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def payments_objects(gp: Actor, fund_id: int, entry_id: int, investor_id: int) -> dict[str, int]:
    """Payment terms and one receipt on an LP's line of a call (left unissued, so the issue
    form shows), and the LP's commitment: the ids the route walks need."""
    pay.set_payment_terms(gp, fund_id, effective_on="2020-01-01", default_rate="0.0005")
    receipt = pay.record_receipt(gp, fund_id, entry_id, investor_id=investor_id,
                                 received_on="2020-07-10", amount="1000000",
                                 bank_reference="BOC-0001")
    commitment = db.session.scalar(sa.select(sa.func.min(Commitment.id)).where(
        Commitment.fund_id == fund_id, Commitment.investor_id == investor_id))
    return {"receipt_id": receipt.id, "commitment_id": commitment}


def two_lps(amounts: tuple[str, ...] = ("6000000", "4000000")) -> tuple[Actor, Fund,
                                                                      list[Investor]]:
    _, gp = make_user(f"GP {next_n()}")
    fund = make_fund(gp)
    lps = []
    for i, amount in enumerate(amounts):
        lp = services.create_investor(gp, f"LP {i} {next_n()}", "private")
        services.add_commitment(gp, fund.id, lp.id, amount, "2024-01-01")
        lps.append(lp)
    return gp, fund, lps


def a_call(gp: Actor, fund: Fund, amount: str = "1000000", on: str = "2025-03-01") -> CashFlow:
    return ledger.record_capital_call(gp, fund.id, value_on=on, amount=amount,
                                      purpose="investment")


def test_payment_terms_versions_and_refusals(app: Flask) -> None:
    gp, fund, _ = two_lps()
    pay.set_payment_terms(gp, fund.id, effective_on="2024-01-01", default_rate="0.0005")
    later = pay.set_payment_terms(gp, fund.id, effective_on="2025-01-01", default_rate="0.18",
                                  default_convention="annual_act365", days_to_pay=15,
                                  grace_days=3, equalisation_rate="0.08",
                                  equalisation_compounding="annual")
    assert queries.terms_on(fund.id, date(2024, 6, 1)).default_rate == D("0.0005")
    current = queries.terms_on(fund.id, date(2025, 6, 1))
    assert current is not None and current.id == later.id and current.days_to_pay == 15
    before = count(PaymentTerms)
    for field, kwargs in (
        ("default_rate", {"default_rate": "-0.0005"}),
        ("equalisation_rate", {"default_rate": "0.0005", "equalisation_rate": "-0.08"}),
        ("default_rate", {"default_rate": "0.05"}),  # 5 % a day: above the cap
        ("days_to_pay", {"default_rate": "0", "days_to_pay": 0}),
        ("grace_days", {"default_rate": "0", "grace_days": -1}),
        ("effective_on", {"default_rate": "0", "effective_on": "1990-01-01"}),
    ):
        args = {"effective_on": "2025-01-01", **kwargs}
        with pytest.raises(ValidationError) as err:
            pay.set_payment_terms(gp, fund.id, **args)  # type: ignore[arg-type]
        assert err.value.field == field
    with pytest.raises(ValidationError, match="must not be negative") as neg:
        pay.set_payment_terms(gp, fund.id, effective_on="2025-01-01", default_rate="-1")
    assert neg.value.code == "payment_rate_negative"
    assert count(PaymentTerms) == before


def test_issue_call_due_date_default_refusals_and_no_due_date(app: Flask) -> None:
    gp, fund, (a, _b) = two_lps()
    call, other = a_call(gp, fund), a_call(gp, fund, "500000", "2025-04-01")
    assert queries.due_on(call.id) is None
    (line, *_) = queries.line_status(fund.id, date(2025, 12, 31), entry_id=call.id)
    assert line.state is LineState.NO_DUE_DATE and line.due_on is None
    # no terms: 10 calendar days after the notice (the call's date by default)
    issue = pay.issue_call(gp, fund.id, call.id)
    assert (issue.issued_on, issue.due_on) == (date(2025, 3, 1), date(2025, 3, 11))
    assert queries.due_on(call.id) == date(2025, 3, 11)
    before = count(CallIssue)
    with pytest.raises(ConflictError) as again:
        pay.issue_call(gp, fund.id, call.id, due_on="2025-05-01")
    assert again.value.code == "call_already_issued"
    with pytest.raises(ValidationError) as early:
        pay.issue_call(gp, fund.id, other.id, due_on="2025-03-31")
    assert (early.value.field, early.value.code) == ("due_on", "due_before_call")
    with pytest.raises(ValidationError) as early2:
        pay.issue_call(gp, fund.id, other.id, issued_on="2025-04-10", due_on="2025-04-05")
    assert early2.value.code == "due_before_issue"
    assert count(CallIssue) == before
    # terms: 15 days to pay; a reversed call cannot be issued and has nothing due
    pay.set_payment_terms(gp, fund.id, effective_on="2025-01-01", default_rate="0.0005",
                          days_to_pay=15)
    assert pay.issue_call(gp, fund.id, other.id, issued_on="2025-04-02").due_on == date(
        2025, 4, 17)
    third = a_call(gp, fund, "100000", "2025-05-01")
    ledger.reverse_entry(gp, fund.id, third.id, "keyed twice")
    with pytest.raises(ValidationError, match="reversed"):
        pay.issue_call(gp, fund.id, third.id)
    states = {s.state for s in queries.line_status(fund.id, date(2025, 6, 1), entry_id=third.id)}
    assert states == {LineState.REVERSED}
    assert all(s.due == 0 for s in queries.line_status(fund.id, date(2025, 6, 1),
                                                       entry_id=third.id))
    assert a.id in {s.investor_id for s in queries.line_status(fund.id, date(2025, 6, 1))}


def test_receipts_partial_refused_beyond_due_and_reversed(app: Flask) -> None:
    gp, fund, (a, b) = two_lps()
    call = a_call(gp, fund)  # A 600,000; B 400,000
    pay.issue_call(gp, fund.id, call.id, due_on="2025-03-15")
    pay.record_receipt(gp, fund.id, call.id, investor_id=a.id, received_on="2025-03-10",
                       amount="250000", bank_reference="ICBC-1")
    first = pay.record_receipt(gp, fund.id, call.id, investor_id=a.id,
                               received_on="2025-03-12", amount="300000")
    before = (count(CallReceipt), db.session.scalar(sa.select(sa.func.count()).select_from(
        sa.text("audit_event"))))
    with pytest.raises(ValidationError) as over:
        pay.record_receipt(gp, fund.id, call.id, investor_id=a.id, received_on="2025-03-13",
                           amount="50000.01")
    assert (over.value.field, over.value.code) == ("amount", "receipt_exceeds_due")
    assert over.value.params["due"].amount == D("50000.00")
    for field, kwargs in (
        ("received_on", {"investor_id": a.id, "received_on": "2025-02-28", "amount": "1"}),
        ("currency", {"investor_id": a.id, "received_on": "2025-03-13", "amount": "1",
                      "currency": "USD"}),
        ("amount", {"investor_id": a.id, "received_on": "2025-03-13", "amount": "-5"}),
        ("investor_id", {"investor_id": 999999, "received_on": "2025-03-13", "amount": "1"}),
        ("amount", {"investor_id": b.id, "received_on": "2025-03-13", "amount": "1",
                    "against_interest": True}),  # nothing charged on B's line
    ):
        with pytest.raises(ValidationError) as err:
            pay.record_receipt(gp, fund.id, call.id, **kwargs)  # type: ignore[arg-type]
        assert err.value.field == field
    assert (count(CallReceipt), db.session.scalar(sa.select(sa.func.count()).select_from(
        sa.text("audit_event")))) == before
    # the reversal gives the room back, from the receipt's own date
    pay.reverse_receipt(gp, fund.id, first.id, "wrong LP")
    with pytest.raises(ConflictError):
        pay.reverse_receipt(gp, fund.id, first.id, "again")
    reversal = db.session.scalar(sa.select(CallReceipt).where(
        CallReceipt.reverses_id == first.id))
    assert reversal is not None and reversal.amount == D("-300000.00")
    assert reversal.received_on == date(2025, 3, 12)
    with pytest.raises(ValidationError, match="cannot be reversed"):
        pay.reverse_receipt(gp, fund.id, reversal.id, "undo")
    pay.record_receipt(gp, fund.id, call.id, investor_id=a.id, received_on="2025-03-13",
                       amount="350000")
    (line,) = queries.line_status(fund.id, date(2025, 3, 31), entry_id=call.id,
                                  investor_id=a.id)
    assert (line.received, line.outstanding, line.state) == (D("600000.00"), D("0.00"),
                                                             LineState.PAID)
    # a reversed call has nothing due: a receipt is refused
    ledger.reverse_entry(gp, fund.id, call.id, "wrong amount")
    with pytest.raises(ValidationError, match="reversed"):
        pay.record_receipt(gp, fund.id, call.id, investor_id=b.id, received_on="2025-03-20",
                           amount="1")


def test_arrears_default_interest_exact_and_charges(app: Flask) -> None:
    """B owes 400,000 due 2025-03-31 at 万分之五 a day, 2 grace days; 100,000 received on
    2025-04-11. To 2025-04-30: days 04-03…04-10 (8) on 400,000 = 1,600.00 and 04-11…04-30
    (20) on 300,000 = 3,000.00: 4,600.00; 30 days past due; A paid in time."""
    gp, fund, (a, b) = two_lps()
    pay.set_payment_terms(gp, fund.id, effective_on="2024-01-01", default_rate="0.0005",
                          grace_days=2)
    call = a_call(gp, fund)
    pay.issue_call(gp, fund.id, call.id, issued_on="2025-03-05", due_on="2025-03-31")
    pay.record_receipt(gp, fund.id, call.id, investor_id=a.id, received_on="2025-03-31",
                       amount="600000")
    pay.record_receipt(gp, fund.id, call.id, investor_id=b.id, received_on="2025-04-11",
                       amount="100000")
    a30 = queries.arrears(fund, date(2025, 4, 30))
    (line,) = a30.lines
    assert line.investor_id == b.id and line.days_past_due == 30
    assert (line.outstanding, line.interest) == (D("300000.00"), D("4600.00"))
    assert (a30.outstanding, a30.interest) == (D("300000.00"), D("4600.00"))
    assert queries.arrears(fund, date(2025, 3, 31)).lines == []  # due, not yet late
    assert queries.arrears(fund, date(2025, 4, 30), investor_id=a.id).lines == []
    # charge the interest to 2025-04-30: a receivable of the fund, no ledger entry
    entries = count(CashFlow)
    charge = pay.charge_default_interest(gp, fund.id, call.id, investor_id=b.id,
                                         as_of="2025-04-30")
    assert charge.amount == D("4600.00") and count(CashFlow) == entries
    with pytest.raises(ValidationError) as twice:
        pay.charge_default_interest(gp, fund.id, call.id, investor_id=b.id, as_of="2025-04-30")
    assert twice.value.code == "nothing_to_charge"
    with pytest.raises(ValidationError) as paid_up:
        pay.charge_default_interest(gp, fund.id, call.id, investor_id=a.id, as_of="2025-04-30")
    assert paid_up.value.code == "nothing_to_charge"
    # five more days: 5 × 300,000 × 0.0005 = 750.00 on top
    more = pay.charge_default_interest(gp, fund.id, call.id, investor_id=b.id,
                                       as_of="2025-05-05")
    assert more.amount == D("750.00")
    with pytest.raises(ValidationError) as over:
        pay.record_receipt(gp, fund.id, call.id, investor_id=b.id, received_on="2025-05-06",
                           amount="5350.01", against_interest=True)
    assert over.value.code == "receipt_exceeds_due"
    pay.record_receipt(gp, fund.id, call.id, investor_id=b.id, received_on="2025-05-06",
                       amount="5350", against_interest=True)
    (line,) = queries.line_status(fund.id, date(2025, 5, 6), entry_id=call.id,
                                  investor_id=b.id)
    assert (line.charged, line.charge_received, line.outstanding) == (
        D("5350.00"), D("5350.00"), D("300000.00"))  # interest receipts leave the line due
    assert count(InterestCharge) == 2
    other = a_call(gp, fund, "1000", "2025-06-01")
    with pytest.raises(ValidationError) as no_due:
        pay.charge_default_interest(gp, fund.id, other.id, investor_id=b.id,
                                    as_of="2025-06-30")
    assert no_due.value.code == "charge_no_due_date"


def test_two_receipts_that_together_exceed_the_due_amount_one_is_refused(app: Flask) -> None:
    for _ in range(2):
        gp, fund, (a, _b) = two_lps()
        call = a_call(gp, fund)  # A owes 600,000
        got = outcomes(app, lambda i, gp=gp, fund_id=fund.id, call_id=call.id, inv=a.id: (
            pay.record_receipt(gp, fund_id, call_id, investor_id=inv,
                               received_on="2025-03-05", amount="400000",
                               bank_reference=f"R{i}")), [1, 2])
        assert got == {"ok": 1, "ValidationError:receipt_exceeds_due": 1}, got
        total = db.session.scalar(sa.select(sa.func.sum(CallReceipt.amount)).where(
            CallReceipt.fund_id == fund.id))
        assert total == D("400000.00")


# --- equalisation ---------------------------------------------------------------------------


def later_closer_world(call_amount: str = "30000000") -> tuple[Actor, Fund, list[Investor]]:
    """First close A 60m + B 40m (2025-01-01); a call on 2025-01-10; C commits 50m on
    2025-07-01 (closing 2); terms at 8 % simple."""
    gp, fund, (a, b) = two_lps(("60000000", "40000000"))
    ledger.record_capital_call(gp, fund.id, value_on="2025-01-10", amount=call_amount,
                               purpose="investment")
    c = services.create_investor(gp, f"LP later {next_n()}", "private")
    services.add_commitment(gp, fund.id, c.id, "50000000", "2025-07-01", closing=2)
    pay.set_payment_terms(gp, fund.id, effective_on="2025-01-01", default_rate="0.0005",
                          equalisation_rate="0.08")
    return gp, fund, [a, b, c]


def commitment_of(fund: Fund, investor: Investor) -> int:
    found = db.session.scalar(sa.select(sa.func.min(Commitment.id)).where(
        Commitment.fund_id == fund.id, Commitment.investor_id == investor.id))
    assert found is not None
    return int(found)


def totals(entry_id: int) -> dict[int, Decimal]:
    entry = db.session.get(CashFlow, entry_id)
    assert entry is not None
    return {a.investor_id: a.amount for a in entry.allocations if a.amount}


def test_equalisation_worked_example_through_the_ledger(app: Flask) -> None:
    gp, fund, (a, b, c) = later_closer_world()
    cid = commitment_of(fund, c)
    preview = eq.preview_equalisation(gp, fund.id, commitment_id=cid, equalised_on="2025-07-01")
    assert preview.plan.catch_up_total == D("10000000.00")
    assert preview.plan.premium_total == D("376986.30")  # 10m × 8 % × 172 / 365
    assert preview.plan.calls[0].days == 172
    row = eq.post_equalisation(gp, fund.id, commitment_id=cid, equalised_on="2025-07-01")
    assert totals(row.call_id) == {c.id: D("10000000.00")}
    assert row.premium_call_id is not None and row.premium_distribution_id is not None
    assert totals(row.premium_call_id) == {c.id: D("376986.30")}
    assert totals(row.refund_id) == {a.id: D("6000000.00"), b.id: D("4000000.00")}
    assert totals(row.premium_distribution_id) == {a.id: D("226191.78"), b.id: D("150794.52")}
    refund = db.session.get(CashFlow, row.refund_id)
    income = db.session.get(CashFlow, row.premium_distribution_id)
    assert refund is not None and refund.recallable and refund.distribution_type.value == (
        "return_of_capital")
    assert income is not None and income.distribution_type.value == "income"
    # total called in = total distributed out
    called_in = totals(row.call_id)[c.id] + totals(row.premium_call_id)[c.id]
    paid_out = sum(totals(row.refund_id).values()) + sum(
        totals(row.premium_distribution_id).values())
    assert called_in == paid_out == D("10376986.30")
    # paid-in (calls less recallable returns, the premium call left out) is pro rata
    calls = ledger.lp_position_totals(fund.id, CashFlowKind.CAPITAL_CALL)
    back = ledger.recallable_totals(fund.id)
    paid_in = {i.id: calls.get(i.id, D(0)) - back.get(i.id, D(0))
               - totals(row.premium_call_id).get(i.id, D(0)) for i in (a, b, c)}
    assert paid_in == {a.id: D("12000000.00"), b.id: D("8000000.00"), c.id: D("10000000.00")}
    assert all(paid_in[i.id] / m == D("0.2") for i, m in ((a, 60_000_000), (b, 40_000_000),
                                                          (c, 50_000_000)))
    assert len(row.lines) == 3
    # posted once; a plain reversal of one of its entries is refused
    entries = count(CashFlow)
    with pytest.raises(ConflictError) as again:
        eq.post_equalisation(gp, fund.id, commitment_id=cid, equalised_on="2025-07-01")
    assert again.value.code == "equalisation_already_posted"
    with pytest.raises(ValidationError) as alone:
        ledger.reverse_entry(gp, fund.id, row.refund_id, "no")
    assert alone.value.code == "equalisation_entry"
    assert count(CashFlow) == entries


def test_equalisation_of_a_20m_call_is_pro_rata_to_the_fen(app: Flask) -> None:
    gp, fund, (a, b, c) = later_closer_world("20000000")
    row = eq.post_equalisation(gp, fund.id, commitment_id=commitment_of(fund, c),
                               equalised_on="2025-07-01")
    assert totals(row.call_id) == {c.id: D("6666666.67")}
    assert totals(row.refund_id) == {a.id: D("4000000.00"), b.id: D("2666666.67")}
    assert row.premium_amount == D("251324.20")
    calls = ledger.lp_position_totals(fund.id, CashFlowKind.CAPITAL_CALL)
    back = ledger.recallable_totals(fund.id)
    assert row.premium_call_id is not None
    premium = totals(row.premium_call_id)
    paid_in = {i.id: calls[i.id] - back.get(i.id, D(0)) - premium.get(i.id, D(0))
               for i in (a, b, c)}
    assert paid_in == {a.id: D("8000000.00"), b.id: D("5333333.33"), c.id: D("6666666.67")}


def test_equalisation_refusals_write_nothing(app: Flask) -> None:
    gp, fund, (a, _b, c) = later_closer_world()
    before = (count(CashFlow), count(Equalisation))
    first_close = commitment_of(fund, a)
    cases = (
        ({"commitment_id": first_close, "equalised_on": "2025-07-01"}, "commitment_id",
         "equalisation_first_closing"),
        ({"commitment_id": commitment_of(fund, c), "equalised_on": "2025-06-30"},
         "equalised_on", "equalisation_before_admission"),
        ({"commitment_id": 999999, "equalised_on": "2025-07-01"}, "commitment_id",
         "commitment_not_in_fund"),
    )
    for kwargs, field, code in cases:
        with pytest.raises(ValidationError) as err:
            eq.post_equalisation(gp, fund.id, **kwargs)  # type: ignore[arg-type]
        assert (err.value.field, err.value.code) == (field, code)
    assert (count(CashFlow), count(Equalisation)) == before


def test_concurrent_equalisations_of_one_commitment_post_once(app: Flask) -> None:
    for _ in range(2):
        gp, fund, (_a, _b, c) = later_closer_world()
        cid = commitment_of(fund, c)
        got = outcomes(app, lambda _i, gp=gp, fund_id=fund.id, cid=cid: (
            eq.post_equalisation(gp, fund_id, commitment_id=cid, equalised_on="2025-07-01")),
            [1, 2])
        assert got == {"ok": 1, "ConflictError:equalisation_already_posted": 1}, got
        assert db.session.scalar(sa.select(sa.func.count(Equalisation.id)).where(
            Equalisation.fund_id == fund.id)) == 1
        assert db.session.scalar(sa.select(sa.func.count(CashFlow.id)).where(
            CashFlow.fund_id == fund.id)) == 5  # the first call and the four entries


def test_append_only_tables_refuse_update(app: Flask) -> None:
    gp, fund, (a, _b) = two_lps()
    call = a_call(gp, fund)
    receipt = pay.record_receipt(gp, fund.id, call.id, investor_id=a.id,
                                 received_on="2025-03-02", amount="1")
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.execute(sa.text("UPDATE call_receipt SET amount = 0 WHERE id = :i"),
                           {"i": receipt.id})
    db.session.rollback()


def test_another_organisation_and_lp_access_get_not_found(app: Flask) -> None:
    gp, fund, (a, _b) = two_lps()
    call = a_call(gp, fund)
    _, other = make_user(f"Other {next_n()}")
    from fundops.errors import NotFound

    for action in (lambda: pay.issue_call(other, fund.id, call.id),
                   lambda: pay.record_receipt(other, fund.id, call.id, investor_id=a.id,
                                              received_on="2025-03-02", amount="1"),
                   lambda: queries.managed_fund(other, fund.id)):
        with pytest.raises(NotFound):
            action()
    assert isinstance(NotFound("fund_not_found"), DomainError)
