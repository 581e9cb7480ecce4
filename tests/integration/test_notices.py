"""Capital call and distribution notices on both databases: the worked example (a 10m
investment call to 60/40 LPs), a waterfall distribution's carry withheld, the receiving
account in force, refusals writing nothing, real-thread races on the per-fund numbers,
the pages and downloads (PDF text, xlsx numbers), LP visibility and the API."""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import date
from decimal import Decimal

import openpyxl
import pypdf
import pytest
import sqlalchemy as sa
from flask import Flask
from flask_babel import force_locale

from fundops.auth.accounts import issue_token
from fundops.auth.models import User
from fundops.errors import ConflictError, ValidationError
from fundops.exits import waterfalls
from fundops.extensions import db
from fundops.models import Fund, Investor
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from fundops.reports.notices import services as notices
from fundops.reports.notices.document import breakdown_rows, notice_document
from fundops.reports.notices.models import Notice, ReceivingAccount
from fundops.reports.payments import queries as pay_queries
from fundops.reports.payments import services as pay_services
from fundops.reports.payments.models import CallIssue
from fundops.reports.render import KeyValues
from fundops.uow import Actor
from tests.conftest import Browser
from tests.factories import PASSWORD, make_company, make_fund, make_user, next_n
from tests.integration.test_ledger_races import outcomes

D = Decimal
FUND_NAME = "深圳测试创业投资基金合伙企业（有限合伙）"


def count(model: type) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def set_account(gp: Actor, fund_id: int, on: str = "2020-01-01",
                number: str = "7559 0123 4567 801") -> ReceivingAccount:
    return notices.set_receiving_account(
        gp, fund_id, effective_on=on, bank_name="招商银行", branch="深圳分行营业部",
        account_name=FUND_NAME, account_number=number)


def sixty_forty() -> tuple[Actor, Fund, list[Investor]]:
    """A fund whose two LPs committed 60m and 40m on 2020-01-01."""
    _, gp = make_user(f"GP {next_n()}")
    fund = make_fund(gp, code=f"NT{next_n()}", name_zh=FUND_NAME, name_en="Test Venture Fund")
    lps = []
    for amount in ("60000000", "40000000"):
        lp = services.create_investor(gp, f"有限合伙人 {next_n()}", "private")
        services.add_commitment(gp, fund.id, lp.id, amount, "2020-01-01")
        lps.append(lp)
    return gp, fund, lps


def call(gp: Actor, fund: Fund, on: str = "2020-03-31", amount: str = "10000000") -> int:
    return ledger.record_capital_call(gp, fund.id, value_on=on, amount=amount,
                                      purpose="investment").id


def test_worked_example_call_notices(app: Flask) -> None:
    gp, fund, (a, b) = sixty_forty()
    account = set_account(gp, fund.id)
    first = call(gp, fund)
    made = notices.issue_notices(gp, fund.id, first, issued_on="2020-03-20",
                                 due_on="2020-03-31")
    assert [(n.number, n.investor_id, n.amount, n.currency) for n in made] == [
        (f"{fund.code}-CN-0001", a.id, D("6000000.00"), "CNY"),
        (f"{fund.code}-CN-0002", b.id, D("4000000.00"), "CNY")]
    one = made[0]
    assert (one.issued_on, one.due_on, one.account_id) == (
        date(2020, 3, 20), date(2020, 3, 31), account.id)
    assert pay_queries.due_on(first) == date(2020, 3, 31)  # the call was issued with it
    assert (one.committed, one.paid_in, one.unfunded, one.distributed) == (
        D("60000000.00"), D("6000000.00"), D("54000000.00"), D("0.00"))
    assert (made[1].paid_in, made[1].unfunded) == (D("4000000.00"), D("36000000.00"))
    with app.test_request_context(), force_locale("en"):
        assert breakdown_rows(one)[0] == ("Investment", D("6000000.00"))
        assert sum(v for _, v in breakdown_rows(one)) == one.amount
        doc = notice_document(one)
    facts = doc.section("notice").block("facts")
    assert isinstance(facts, KeyValues)
    assert facts.get("number").value == f"{fund.code}-CN-0001"
    assert facts.get("amount").value == D("6000000.00")
    # a second call, already issued with its own due date by LP payments: the notices
    # take it; a new account version from May is the one in force on the notice date
    second = call(gp, fund, "2020-06-30", "5000000")
    issue = pay_services.issue_call(gp, fund.id, second, issued_on="2020-06-15",
                                    due_on="2020-07-05")
    assert issue.due_on == date(2020, 7, 5)
    later = set_account(gp, fund.id, "2020-05-01", "6222-0000-1111-2222")
    again = notices.issue_notices(gp, fund.id, second, issued_on="2020-06-20")
    assert [n.number[-7:] for n in again] == ["CN-0003", "CN-0004"]
    assert [n.due_on for n in again] == [date(2020, 7, 5)] * 2
    assert {n.account_id for n in again} == {later.id}
    assert (again[0].amount, again[0].paid_in, again[0].unfunded) == (
        D("3000000.00"), D("9000000.00"), D("51000000.00"))
    # issuing again is refused: the existing set stands
    with pytest.raises(ConflictError) as caught:
        notices.issue_notices(gp, fund.id, first)
    assert caught.value.code == "notices_already_issued"
    assert count(Notice) == 4


def test_a_call_without_due_date_defaults_from_the_terms(app: Flask) -> None:
    gp, fund, _ = sixty_forty()
    set_account(gp, fund.id)
    pay_services.set_payment_terms(gp, fund.id, effective_on="2020-01-01", default_rate="0.0005",
                              days_to_pay=15)
    entry = call(gp, fund, "2020-03-01")
    made = notices.issue_notices(gp, fund.id, entry, issued_on="2020-03-10")
    assert {n.due_on for n in made} == {date(2020, 3, 25)}  # 15 days after the notice
    entry = call(gp, fund, "2020-06-30")
    made = notices.issue_notices(gp, fund.id, entry, issued_on="2020-06-01")
    assert {n.due_on for n in made} == {date(2020, 6, 30)}  # not before the call date


def test_waterfall_distribution_notice_shows_the_carry_withheld(app: Flask) -> None:
    from tests.integration.test_waterfalls import T5, build, terms

    _, gp = make_user(f"GP {next_n()}")
    fund, (lp,), rec = build(gp)
    terms(gp, fund, rec)
    run = waterfalls.run_waterfall_distribution(gp, fund.id, value_on=T5, amount="1800000")
    made = notices.issue_notices(gp, fund.id, run.cash_flow_id, issued_on=T5)
    by = {n.investor_id: n for n in made}
    assert [n.number for n in made] == [f"{fund.code}-DN-0001", f"{fund.code}-DN-0002"]
    mine = by[lp.id]
    assert (mine.amount, mine.carry_withheld, mine.gross) == (
        D("1640000.00"), D("160000.00"), D("1800000.00"))
    assert (mine.committed, mine.paid_in, mine.unfunded, mine.distributed) == (
        D("1000000.00"), D("1000000.00"), D("0.00"), D("1640000.00"))
    assert by[rec.id].carry_withheld == D("0.00") and by[rec.id].amount == D("160000.00")
    with app.test_request_context(), force_locale("en"):
        rows = dict(breakdown_rows(mine))
    assert rows["Distributed gains"] == D("1800000.00")
    assert rows["Less: carried interest withheld"] == D("-160000.00")
    assert sum(rows.values()) == mine.amount
    assert mine.due_on is None and mine.account_id is None  # no account needed


def test_refusals_write_nothing(app: Flask) -> None:
    gp, fund, (a, _) = sixty_forty()
    entry = call(gp, fund)
    with pytest.raises(ValidationError) as caught:  # no receiving account
        notices.issue_notices(gp, fund.id, entry, issued_on="2020-03-20")
    assert (caught.value.field, caught.value.code) == ("account", "notice_no_account")
    assert count(Notice) == 0 and count(CallIssue) == 0
    set_account(gp, fund.id, "2020-04-01")  # in force only after the notice date
    with pytest.raises(ValidationError, match="receiving account"):
        notices.issue_notices(gp, fund.id, entry, issued_on="2020-03-20")
    company = make_company(gp)
    investment = ledger.record_investment(
        gp, fund.id, company_id=company.id, round_name="A", instrument="preferred_equity",
        invested_on="2020-04-15", amount="1000000", shares="1000", ownership_rate="0.01")
    dist = ledger.record_distribution(gp, fund.id, value_on="2020-05-31", amount="100000",
                                      distribution_type="income")
    reversal = ledger.reverse_entry(gp, fund.id, dist.id, "录入错误")
    cases = [
        (investment.cash_flow_id, {}, "entry_id", "notice_entry_kind"),
        (dist.id, {}, "entry_id", "notice_entry_reversed"),
        (reversal.id, {}, "entry_id", "notice_entry_reversal"),
        (entry, {"issued_on": "2999-01-01"}, "issued_on", "notice_issued_in_future"),
        (entry, {"issued_on": "2019-12-31"}, "issued_on", "notice_before_inception"),
        (entry, {"issued_on": "2020-02-30"}, "issued_on", "not_a_date"),
        (entry, {"issued_on": "2020-04-02", "due_on": "2020-03-01"}, "due_on",
         "due_before_call"),
    ]
    for entry_id, kw, field, code in cases:
        with pytest.raises(ValidationError) as caught:
            notices.issue_notices(gp, fund.id, entry_id, **kw)
        assert (caught.value.field, caught.value.code) == (field, code), entry_id
    assert count(Notice) == 0 and count(CallIssue) == 0
    pay_services.issue_call(gp, fund.id, entry, issued_on="2020-04-02", due_on="2020-04-20")
    with pytest.raises(ValidationError) as caught:
        notices.issue_notices(gp, fund.id, entry, issued_on="2020-04-02", due_on="2020-04-25")
    assert caught.value.code == "notice_due_differs"
    for kw, field, code in (({"account_number": "12"}, "account_number",
                             "account_number_invalid"),
                            ({"bank_name": " "}, "bank_name", "required"),
                            ({"effective_on": "2040-01-01"}, "effective_on",
                             "outside_fund_life")):
        args: dict[str, object] = {"effective_on": "2020-01-01", "bank_name": "招商银行",
                                   "account_name": "基金", "account_number": "755901234"}
        with pytest.raises(ValidationError) as caught:
            notices.set_receiving_account(gp, fund.id, **(args | kw))
        assert (caught.value.field, caught.value.code) == (field, code)
    assert count(Notice) == 0 and count(ReceivingAccount) == 1
    _, other = make_user(f"Other {next_n()}")
    with pytest.raises(Exception, match="not found"):
        notices.issue_notices(other, fund.id, entry)
    assert a.id  # the LPs exist; nothing was issued for them


def test_two_entries_issued_at_once_never_share_a_number(app: Flask) -> None:
    gp, fund, _ = sixty_forty()
    set_account(gp, fund.id)
    entries = [call(gp, fund, "2020-03-31", "1000000"), call(gp, fund, "2020-04-30", "2000000")]
    fund_id = fund.id
    got = outcomes(app, lambda e: notices.issue_notices(gp, fund_id, e, issued_on="2020-03-01",
                                                        due_on="2020-05-31"), entries)
    assert got == Counter({"ok": 2}), got
    numbers = list(db.session.scalars(sa.select(Notice.number).where(Notice.fund_id == fund_id)))
    assert sorted(n[-4:] for n in numbers) == ["0001", "0002", "0003", "0004"]


def test_one_entry_issued_twice_at_once_makes_one_set(app: Flask) -> None:
    gp, fund, _ = sixty_forty()
    set_account(gp, fund.id)
    entry, fund_id = call(gp, fund), fund.id
    got = outcomes(app, lambda _: notices.issue_notices(gp, fund_id, entry), [1, 2])
    assert got == Counter({"ok": 1, "ConflictError:notices_already_issued": 1}), got
    assert count(Notice) == 2 and count(CallIssue) == 1


# -- pages, downloads, visibility, API ---------------------------------------------------


def login(app: Flask, email: str) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(email, PASSWORD).status_code == 302
    return browser


def lp_world() -> tuple[Actor, Fund, list[Investor], str, str]:
    """The 60/40 fund with a third LP that is another organisation's fund (LP access):
    returns the GP's and the LP organisation's user emails too."""
    gp, fund, lps = sixty_forty()
    gp_user = db.session.get(User, gp.user_id)
    assert gp_user is not None
    lp_user, lp_org = make_user(f"母基金管理人 {next_n()}")
    reg = f"SNT{next_n():04d}"
    make_fund(lp_org, kind="parent_fund", registration_no=reg)
    own = services.create_investor(gp, f"母基金LP {next_n()}", "guidance_fund",
                                   fund_registration_no=reg)
    services.add_commitment(gp, fund.id, own.id, "20000000", "2020-01-01")
    return gp, fund, [*lps, own], gp_user.email, lp_user.email


def test_pages_downloads_and_lp_visibility(app: Flask) -> None:
    gp, fund, lps, gp_email, lp_email = lp_world()
    entry = call(gp, fund, amount="12000000")  # 60/40/20 → 6m / 4m / 2m
    browser = login(app, gp_email)
    base = f"/funds/{fund.id}/notices"
    page = browser.client.get(base)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'id="issue-form-{entry}"' in html and 'id="no-receiving-account"' in html
    assert f"{base}\"" in browser.client.get(f"/funds/{fund.id}").get_data(as_text=True)
    refused = browser.post(f"{base}/entries/{entry}", {f"issue{entry}-issued_on":
                                                      "2020-03-20"})
    assert refused.status_code == 422 and "收款账户" in refused.get_data(as_text=True)
    saved = browser.post(f"{base}/account", {
        "account-effective_on": "2020-01-01", "account-bank_name": "招商银行",
        "account-branch": "深圳分行", "account-account_name": FUND_NAME,
        "account-account_number": "7559 0123 4567 801"})
    assert saved.status_code == 302
    issued = browser.post(f"{base}/entries/{entry}", {f"issue{entry}-issued_on": "2020-03-20",
                                                      f"issue{entry}-due_on": "2020-03-31"})
    assert issued.status_code == 302
    rows = {n.investor_id: n for n in db.session.scalars(sa.select(Notice))}
    mine, theirs = rows[lps[2].id], rows[lps[0].id]
    assert (mine.amount, theirs.amount) == (D("2000000.00"), D("6000000.00"))
    one = browser.client.get(f"{base}/{theirs.id}")
    assert one.status_code == 200 and theirs.number in one.get_data(as_text=True)
    pdf = browser.client.get(f"{base}/{theirs.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in
                                      pypdf.PdfReader(io.BytesIO(pdf.data)).pages))
    assert FUND_NAME in text and theirs.number in text and "6,000,000.00" in text
    assert "缴款通知书" in text and "7559012345678 01".replace(" ", "") in text
    book = openpyxl.load_workbook(io.BytesIO(browser.client.get(f"{base}/{theirs.id}.xlsx").data))
    cells = [c for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row]
    assert 6000000 in cells and theirs.number in cells
    assert any(isinstance(c, int | float) and c == 6000000 for c in cells)
    # the LP organisation sees its own notice only
    lp = login(app, lp_email)
    listing = lp.client.get(base)
    assert listing.status_code == 200
    body = listing.get_data(as_text=True)
    assert mine.number in body and theirs.number not in body and "issue-form" not in body
    assert lp.client.get(f"{base}/{mine.id}").status_code == 200
    assert lp.client.get(f"{base}/{mine.id}.pdf").data.startswith(b"%PDF")
    for url in (f"{base}/{theirs.id}", f"{base}/{theirs.id}.pdf", f"{base}/{theirs.id}.xlsx"):
        assert lp.client.get(url).status_code == 404, url
    assert lp.post(f"{base}/account", {"account-bank_name": "x"}).status_code == 404
    # another organisation: 404 everywhere
    other_user, _ = make_user(f"Other {next_n()}")
    other = login(app, other_user.email)
    for url in (base, f"{base}/{mine.id}", f"{base}/{mine.id}.pdf"):
        assert other.client.get(url).status_code == 404, url


def test_api_lists_issues_and_sets_the_account(app: Flask) -> None:
    gp, fund, lps, gp_email, lp_email = lp_world()
    entry = call(gp, fund, amount="12000000")
    client = app.test_client()
    auth = {"Authorization": f"Bearer {issue_token(email=gp_email, label='t')}"}
    put = client.put(f"/api/v1/funds/{fund.id}/notices/account", headers={
        **auth, "Idempotency-Key": "acct-1"}, json={
        "effective_on": "2020-01-01", "bank_name": "招商银行", "account_name": FUND_NAME,
        "account_number": "755901234567801"})
    assert put.status_code == 201, put.get_json()
    url = f"/api/v1/funds/{fund.id}/entries/{entry}/notices"
    body = {"issued_on": "2020-03-20", "due_on": "2020-03-31"}
    made = client.post(url, headers={**auth, "Idempotency-Key": "n-1"}, json=body)
    assert made.status_code == 201, made.get_json()
    reply = made.get_json()
    assert reply["count"] == 3
    assert [n["amount"] for n in reply["notices"]] == ["6000000.00", "4000000.00", "2000000.00"]
    first = reply["notices"][0]
    assert first["number"] == f"{fund.code}-CN-0001" and first["due_on"] == "2020-03-31"
    assert first["account"]["account_number"] == "755901234567801"
    assert (first["paid_in"], first["unfunded"]) == ("6000000.00", "54000000.00")
    replay = client.post(url, headers={**auth, "Idempotency-Key": "n-1"}, json=body)
    assert replay.status_code == 201 and replay.get_json() == reply
    again = client.post(url, headers={**auth, "Idempotency-Key": "n-2"}, json=body)
    assert again.status_code == 409 and again.get_json()["error"] == "notices_already_issued"
    listing = client.get(f"/api/v1/funds/{fund.id}/notices", headers=auth).get_json()
    assert listing["count"] == 3
    one = client.get(f"/api/v1/funds/{fund.id}/notices/{first['id']}", headers=auth)
    assert one.status_code == 200 and one.get_json() == first
    lp_auth = {"Authorization": f"Bearer {issue_token(email=lp_email, label='t')}"}
    own = client.get(f"/api/v1/funds/{fund.id}/notices", headers=lp_auth).get_json()
    assert [n["investor_id"] for n in own["notices"]] == [lps[2].id]
    assert client.get(f"/api/v1/funds/{fund.id}/notices/{first['id']}",
                      headers=lp_auth).status_code == 404
    assert client.post(url, headers={**lp_auth, "Idempotency-Key": "n-3"},
                       json=body).status_code == 404
    bad = client.post(f"/api/v1/funds/{fund.id}/entries/{entry}/notices",
                      headers={**auth, "Idempotency-Key": "n-4"}, json={"due_on": "x"})
    assert bad.status_code == 422 and bad.get_json()["field"] == "due_on"


def notice_objects(gp: Actor, fund_id: int, distribution_id: int) -> dict[str, int]:
    """The notices of a distribution and a receiving account (for the route walks; the
    fund's call is left without notices, so the issue form shows)."""
    set_account(gp, fund_id)
    made = notices.issue_notices(gp, fund_id, distribution_id)
    return {"notice_id": made[0].id}
