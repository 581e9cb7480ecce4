"""Portfolio pages through the test client: what they show, what their forms write."""

from __future__ import annotations

import html as html_lib
import os
import re
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from fundops.extensions import db
from fundops.identifiers import make_uscc
from fundops.models import Commitment, Company, Fund, FundStageChange, Investor
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from fundops.portfolio.enums import CashFlowKind, FundStage
from fundops.portfolio.ledger import (
    CashFlow,
    CashFlowAllocation,
    FundValuation,
    HoldingValuation,
    Investment,
)
from tests import factories
from tests.factories import PASSWORD, World, fund_with_activity, make_user, make_world

CATALOG = os.path.join(os.path.dirname(__file__), "..", "..", "fundops", "translations",
                       "zh_Hans_CN", "LC_MESSAGES")


def compile_catalog() -> None:
    """Compile the zh_CN catalog when the .mo is missing or older (dev.sh does the same)."""
    po, mo = os.path.join(CATALOG, "messages.po"), os.path.join(CATALOG, "messages.mo")
    if os.path.exists(mo) and os.path.getmtime(mo) >= os.path.getmtime(po):
        return
    with open(po, "rb") as src:
        catalog = read_po(src)
    with open(mo, "wb") as out:
        write_mo(out, catalog)


@pytest.fixture(scope="module", autouse=True)
def _catalog() -> None:
    compile_catalog()


def count(model: Any) -> int:
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def counts() -> dict[str, int]:
    models = (CashFlow, CashFlowAllocation, FundValuation, HoldingValuation, Investment,
              Commitment, Investor, Fund, Company, FundStageChange)
    return {m.__name__: count(m) for m in models}


def login(browser: Any, world: World, lang: str | None = None) -> None:
    response = browser.login(world.gp_user.email, PASSWORD)
    assert response.status_code == 302
    if lang:
        browser.post("/preferences", {"lang": lang, "next": "/"})


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def field_error(html: str, field: str) -> str:
    match = re.search(rf'id="{field}-error">([^<]*)<', html)
    assert match, f"no error shown on {field}"
    return html_lib.unescape(match.group(1))


def data_amounts(html: str, table_id: str) -> list[Decimal]:
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [Decimal(v) for v in re.findall(r'data-amount="([^"]+)"', body)]


# --- language, units, lists -------------------------------------------------------------


def test_default_language_is_chinese_and_english_is_one_click_away(app: Any, browser: Any) -> None:
    world = make_world()
    login(browser, world)
    # Chinese even for a browser that asks for English: the switch is explicit.
    html = text(browser.client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}))
    assert 'lang="zh-CN"' in html
    assert ">基金</a>" in html and "认缴" in html and "子基金" in html and "投资期" in html
    browser.post("/preferences", {"lang": "en", "next": "/"})
    html = text(browser.client.get("/"))
    assert 'lang="en"' in html
    assert ">Funds</a>" in html and "Committed" in html and "Sub-fund" in html
    assert "认缴" not in html


def test_unit_switch_changes_how_amounts_are_shown(app: Any, browser: Any) -> None:
    world = make_world(commitments=("1000000",))
    login(browser, world)
    url = f"/funds/{world.fund.id}"
    browser.post("/preferences", {"unit": "yuan", "next": url})
    html = text(browser.client.get(url))
    assert "1,000,000.00" in html and "元" in html
    browser.post("/preferences", {"unit": "wan", "next": url})
    html = text(browser.client.get(url))
    assert "1,000,000.00" not in html
    card = html.split('id="card-committed"', 1)[1].split("</div></div>", 1)[0]
    assert "100.00" in card and "万元" in card
    browser.post("/preferences", {"unit": "yi", "next": url})
    card = text(browser.client.get(url)).split('id="card-committed"', 1)[1][:300]
    assert "0.0100" in card and "亿元" in card


def test_lists_show_funds_investors_and_companies(app: Any, browser: Any) -> None:
    world = make_world()
    fund_with_activity(world)
    login(browser, world, "en")
    html = text(browser.client.get("/"))
    assert world.fund.code in html and 'id="new-fund"' in html
    assert "6,000.00" in html  # paid-in 60,000,000 yuan in 万元
    assert "7,000.00" in html  # latest NAV
    html = text(browser.client.get("/investors"))
    assert all(lp.name in html for lp in world.lps) and "Private / social capital" in html
    html = text(browser.client.get("/companies"))
    assert world.company.name in html and "SRDI" in html


# --- the fund page ----------------------------------------------------------------------


def test_fund_page_shows_terms_lps_ledger_nav_and_holdings(app: Any, browser: Any) -> None:
    world = make_world()
    ids = fund_with_activity(world)
    login(browser, world, "en")
    browser.post("/preferences", {"unit": "yuan", "next": "/"})
    html = text(browser.client.get(f"/funds/{world.fund.id}"))
    terms = html.split('id="fund-terms"', 1)[1].split("</dl>", 1)[0]
    for shown in ("Sub-fund", "CNY", "2020", "1,000,000,000.00", "2020-01-01", "2024-12-31",
                  "2027-12-31", "2029-12-31", "Investing", "440300"):
        assert shown in terms
    assert "Fund created" in html.split('id="stage-table"', 1)[1]
    lp_row = html.split(f'id="lp-{world.lps[0].id}"', 1)[1].split("</tr>", 1)[0]
    # 300m of 600m committed: half of the 60m call, half of the 12m distribution.
    assert "300,000,000.00" in lp_row and "30,000,000.00" in lp_row
    assert "270,000,000.00" in lp_row and "6,000,000.00" in lp_row and "10.0%" in lp_row
    ledger_html = html.split('id="ledger-table"', 1)[1].split("</table>", 1)[0]
    assert "Capital call" in ledger_html and "For investments" in ledger_html
    for shown in ("Investment", "Distribution", "Capital gain"):
        assert shown in ledger_html
    assert f'/entries/{ids["call"]}/reverse' in ledger_html
    assert "70,000,000.00" in html.split('id="nav-table"', 1)[1].split("</table>", 1)[0]
    holdings = html.split('id="holding-table"', 1)[1].split("</table>", 1)[0]
    assert world.company.name in holdings and "50,000,000.00" in holdings
    assert "65,000,000.00" in holdings and "2022-12-31" in holdings
    assert 'id="action-call"' in html


def test_lp_access_sees_own_position_and_no_actions(app: Any, browser: Any) -> None:
    world = make_world()
    parent_user, parent = make_user("Parent FoF manager")
    parent_fund = factories.make_fund(parent, kind="parent_fund", registration_no="SXX001")
    lp = services.create_investor(world.gp, "母基金LP", "guidance_fund",
                                  fund_registration_no="SXX001")
    services.add_commitment(world.gp, world.fund.id, lp.id, "400000000", "2020-03-01")
    assert browser.login(parent_user.email, PASSWORD).status_code == 302
    browser.post("/preferences", {"lang": "en", "next": "/"})
    listing = text(browser.client.get("/"))
    assert world.fund.code in listing and "LP view" in listing
    html = text(browser.client.get(f"/funds/{world.fund.id}"))
    lps = html.split('id="lp-table"', 1)[1].split("</table>", 1)[0]
    assert "母基金LP" in lps and "Other LPs" in lps and world.lps[0].name not in lps
    assert 'id="fund-actions"' not in html and "reverse" not in html
    assert browser.client.get(f"/funds/{world.fund.id}/calls/new").status_code == 404
    assert parent_fund.id != world.fund.id


def test_viewer_sees_no_actions_and_cannot_open_forms(app: Any, browser: Any) -> None:
    world = make_world()
    viewer, _ = make_user(world.gp_user.organisation.name, role="viewer")
    browser.login(viewer.email, PASSWORD)
    html = text(browser.client.get(f"/funds/{world.fund.id}"))
    assert 'id="fund-actions"' not in html and 'id="new-fund"' not in text(browser.client.get("/"))
    assert browser.client.get(f"/funds/{world.fund.id}/calls/new").status_code == 403
    assert browser.client.get("/funds/new").status_code == 403


def test_other_organisation_gets_404(app: Any, browser: Any) -> None:
    world = make_world()
    ids = fund_with_activity(world)
    browser.login(world.other_user.email, PASSWORD)
    fid = world.fund.id
    for url in (f"/funds/{fid}", f"/funds/{fid}/calls/new", f"/funds/{fid}/stage",
                f"/funds/{fid}/entries/{ids['call']}/reverse", f"/companies/{world.company.id}"):
        assert browser.client.get(url).status_code == 404, url
    assert browser.post(f"/funds/{fid}/valuations/new",
                        {"as_of": "2022-12-31", "nav_amount": "1"}).status_code == 404


# --- forms that post ----------------------------------------------------------------------


def test_new_fund_is_created_and_shown(app: Any, browser: Any) -> None:
    world = make_world()
    login(browser, world)
    assert browser.client.get("/funds/new").status_code == 200
    response = browser.post("/funds/new", {
        "code": "NEW-1", "name_zh": "新设子基金", "name_en": "New sub-fund", "kind": "parent_fund",
        "currency": "CNY", "vintage": "2023", "target_size_amount": "2,000,000,000",
        "inception_on": "2023-01-01", "investment_period_end_on": "2027-12-31",
        "term_end_on": "2030-12-31", "extension_end_on": "", "stage": "raising",
        "region_code": "440300", "registration_no": "SNEW01", "is_guidance_fund": "y"})
    assert response.status_code == 302
    fund = db.session.scalar(sa.select(Fund).where(Fund.code == "NEW-1"))
    assert fund is not None and fund.is_guidance_fund and fund.extension_end_on is None
    assert fund.target_size_amount == Decimal("2000000000.00")
    assert response.headers["Location"].endswith(f"/funds/{fund.id}")
    html = text(browser.client.get(response.headers["Location"]))
    assert "新设子基金" in html and "基金已创建" in html


def test_stage_change_is_recorded(app: Any, browser: Any) -> None:
    world = make_world()
    login(browser, world)
    url = f"/funds/{world.fund.id}/stage"
    assert browser.client.get(url).status_code == 200
    response = browser.post(url, {"stage": "managing", "effective_on": "2025-01-01",
                                  "reason": "投资期结束"})
    assert response.status_code == 302
    assert db.session.get(Fund, world.fund.id).stage is FundStage.MANAGING
    html = text(browser.client.get(f"/funds/{world.fund.id}"))
    assert "投资期结束" in html and "管理期" in html
    # Same stage again: the service's error lands on the stage field, nothing written.
    before = counts()
    response = browser.post(url, {"stage": "managing", "effective_on": "2025-02-01", "reason": ""})
    # In the page's language (Chinese by default), the stage by its label.
    assert response.status_code == 422 and "已处于“管理期”" in field_error(text(response), "stage")
    assert counts() == before


def test_investor_and_commitment(app: Any, browser: Any) -> None:
    world = make_world()
    login(browser, world)
    response = browser.post(f"/investors/new?fund_id={world.fund.id}", {
        "name": "深圳市引导基金", "investor_type": "guidance_fund", "fund_id": "0",
        "fund_registration_no": "", "uscc": ""})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/funds/{world.fund.id}/commitments/new")
    investor = db.session.scalar(sa.select(Investor).where(Investor.name == "深圳市引导基金"))
    assert investor is not None and investor.investor_type.value == "guidance_fund"
    response = browser.post(f"/funds/{world.fund.id}/commitments/new", {
        "investor_id": str(investor.id), "amount": "150000000.00", "committed_on": "2021-01-15",
        "closing": "2"})
    assert response.status_code == 302
    row = db.session.scalar(sa.select(Commitment).where(Commitment.investor_id == investor.id))
    assert row is not None and row.amount == Decimal("150000000.00") and row.closing == 2
    html = text(browser.client.get(f"/funds/{world.fund.id}"))
    assert "深圳市引导基金" in html.split('id="lp-table"', 1)[1] and "政府引导基金" in html


def test_capital_call_preview_writes_nothing_then_post_allocates(app: Any, browser: Any) -> None:
    world = make_world()
    login(browser, world)
    url = f"/funds/{world.fund.id}/calls/new"
    html = text(browser.client.get(url))
    assert 'name="value_on"' in html and 'name="amount"' in html and 'name="purpose"' in html
    before = counts()
    form = {"value_on": "2021-03-31", "amount": "10,000,000.01", "purpose": "investment",
            "counterparty": "", "source_ref": "CALL-1", "memo": ""}
    response = browser.post(url, form | {"action": "preview"})
    assert response.status_code == 200 and counts() == before
    shares = data_amounts(text(response), "preview-table")
    assert shares == [Decimal("5000000.00"), Decimal("3333333.34"), Decimal("1666666.67")]
    assert sum(shares) == Decimal("10000000.01")
    response = browser.post(url, form | {"action": "post"})
    assert response.status_code == 302
    call = db.session.scalar(sa.select(CashFlow).where(CashFlow.source_ref == "CALL-1"))
    assert call is not None and call.kind is CashFlowKind.CAPITAL_CALL
    assert sorted(a.amount for a in call.allocations) == sorted(shares)
    html = text(browser.client.get(response.headers["Location"]))
    assert "资本召集已入账" in html and f'id="entry-{call.id}"' in html


def test_capital_call_with_explicit_split(app: Any, browser: Any) -> None:
    world = make_world()
    login(browser, world, "en")
    url = f"/funds/{world.fund.id}/calls/new"
    split = {f"split-{world.lps[0].id}": "600", f"split-{world.lps[1].id}": "400",
             f"split-{world.lps[2].id}": ""}
    form = {"value_on": "2021-03-31", "amount": "1000", "purpose": "management_fee"} | split
    response = browser.post(url, form | {"action": "preview"})
    assert data_amounts(text(response), "preview-table") == [Decimal("600.00"), Decimal("400.00"),
                                                             Decimal("0.00")]
    bad = browser.post(url, form | {f"split-{world.lps[1].id}": "300", "action": "post"})
    # Amounts in the page's unit (万元 by default): 900 yuan = 0.09, 1,000 yuan = 0.10.
    assert bad.status_code == 422
    assert "parts sum to 0.09 10k yuan but the total is 0.10 10k yuan" in text(bad)
    assert browser.post(url, form | {"action": "post"}).status_code == 302
    amounts = dict(db.session.execute(sa.select(CashFlowAllocation.investor_id,
                                                CashFlowAllocation.amount)).all())
    assert amounts == {world.lps[0].id: Decimal("600.00"), world.lps[1].id: Decimal("400.00"),
                       world.lps[2].id: Decimal("0.00")}


def test_distribution_is_posted_pro_rata(app: Any, browser: Any) -> None:
    world = make_world()
    # paid in first: a distribution with nothing paid in asks for a confirmation
    ledger.record_capital_call(world.gp, world.fund.id, value_on="2021-06-30",
                               amount="60000000", purpose="investment")
    login(browser, world)
    response = browser.post(f"/funds/{world.fund.id}/distributions/new", {
        "value_on": "2023-06-30", "amount": "6000000", "distribution_type": "return_of_capital",
        "recallable": "y", "action": "post"})
    assert response.status_code == 302
    entry = db.session.scalar(sa.select(CashFlow).where(CashFlow.kind == CashFlowKind.DISTRIBUTION))
    assert entry is not None and entry.recallable
    assert [a.amount for a in entry.allocations] == [Decimal("3000000.00"), Decimal("2000000.00"),
                                                     Decimal("1000000.00")]


def test_fund_flows_investment_and_valuations(app: Any, browser: Any) -> None:
    world = make_world()
    login(browser, world)
    fid, cid = world.fund.id, world.company.id
    response = browser.post(f"/funds/{fid}/investments/new", {
        "company_id": str(cid), "round_name": "B", "instrument": "preferred_equity",
        "invested_on": "2021-05-10", "amount": "30000000", "shares": "1500000.5",
        "ownership_rate": "7.5", "source_ref": ""})
    assert response.status_code == 302
    inv = db.session.scalar(sa.select(Investment).where(Investment.fund_id == fid))
    assert inv is not None and inv.ownership_rate == Decimal("0.075")
    assert inv.shares == Decimal("1500000.5")
    for kind, company in (("proceeds", str(cid)), ("management_fee", "0"), ("expense", "0")):
        response = browser.post(f"/funds/{fid}/flows/new", {
            "kind": kind, "value_on": "2022-01-10", "amount": "100000", "company_id": company,
            "counterparty": "托管行", "source_ref": f"REF-{kind}", "memo": ""})
        assert response.status_code == 302, kind
        assert db.session.scalar(sa.select(CashFlow).where(CashFlow.source_ref == f"REF-{kind}"))
    response = browser.post(f"/funds/{fid}/valuations/new", {"as_of": "2022-12-31",
                                                             "nav_amount": "88000000"})
    assert response.status_code == 302 and count(FundValuation) == 1
    response = browser.post(f"/funds/{fid}/holdings/valuations/new", {
        "company_id": str(cid), "as_of": "2022-12-31", "fair_value_amount": "45000000",
        "method": "最近融资价格"})
    assert response.status_code == 302
    hv = db.session.scalar(sa.select(HoldingValuation))
    assert hv is not None and hv.fair_value_amount == Decimal("45000000.00")
    html = text(browser.client.get(f"/funds/{fid}"))
    assert "8,800.00" in html and "4,500.00" in html and "收益回款" in html and "管理费" in html
    assert "1,500,000.5" in text(browser.client.get(f"/companies/{cid}"))


def test_reverse_entry_marks_both_rows(app: Any, browser: Any) -> None:
    world = make_world()
    ids = fund_with_activity(world)
    login(browser, world, "en")
    url = f"/funds/{world.fund.id}/entries/{ids['distribution']}/reverse"
    html = text(browser.client.get(url))
    assert "Reverse ledger entry" in html and "Capital gain" in html
    before = counts()
    response = browser.post(url, {"reason": ""})
    assert response.status_code == 422 and counts() == before
    response = browser.post(url, {"reason": "wrong amount"})
    assert response.status_code == 302
    reversal = db.session.scalar(
        sa.select(CashFlow).where(CashFlow.reverses_id == ids["distribution"]))
    assert reversal is not None and reversal.amount == Decimal("-12000000.00")
    assert sum(a.amount for a in reversal.allocations) == Decimal("-12000000.00")
    html = text(browser.client.get(f"/funds/{world.fund.id}"))
    original = html.split(f'id="entry-{ids["distribution"]}"', 1)[1].split("</tr>", 1)[0]
    assert "is-reversed" in html.split(f'id="entry-{ids["distribution"]}"', 1)[1][:200]
    assert "Reversed" in original and "/reverse" not in original
    assert f"Reversal of #{ids['distribution']}" in html
    again = browser.post(url, {"reason": "twice"})
    assert again.status_code == 409 and "already been reversed" in text(again)


def test_company_is_created_and_detailed(app: Any, browser: Any) -> None:
    world = make_world()
    fund_with_activity(world)
    login(browser, world)
    uscc = make_uscc("91440300MA5G00001")
    response = browser.post("/companies/new", {
        "name": "深圳芯测科技有限公司", "uscc": uscc, "sector": "集成电路", "stage": "growth",
        "region_code": "440305", "is_hard_tech": "y", "tags": ["srdi", "high_tech"]})
    assert response.status_code == 302
    company = db.session.scalar(sa.select(Company).where(Company.uscc == uscc))
    assert company is not None and company.is_hard_tech and not company.is_sme
    assert [t.value for t in company.tag_values] == ["high_tech", "srdi"]
    html = text(browser.client.get(response.headers["Location"]))
    assert "专精特新" in html and "高新技术企业" in html and "成长期" in html
    html = text(browser.client.get(f"/companies/{world.company.id}"))
    assert world.fund.code in html and "8.00%" in html and "优先股" in html
    bad = browser.post("/companies/new", {"name": "X", "uscc": uscc[:-1] + "0", "sector": "x",
                                          "stage": "seed", "region_code": "440300"})
    assert bad.status_code == 422 and count(Company) == 2


# --- bad input ----------------------------------------------------------------------------


BAD_AMOUNTS = [("12.345", "at most 2 decimal places"), ("-5", "must not be negative"),
               ("abc", "not a valid amount"), ("0", "greater than zero")]


@pytest.mark.parametrize(("amount", "problem"), BAD_AMOUNTS)
def test_bad_amount_is_rejected_on_every_amount_form(app: Any, browser: Any, amount: str,
                                                     problem: str) -> None:
    world = make_world()
    login(browser, world, "en")
    fid = world.fund.id
    posts = [
        (f"/funds/{fid}/calls/new", "amount", {"value_on": "2021-01-01", "purpose": "investment",
                                               "action": "post"}),
        (f"/funds/{fid}/distributions/new", "amount", {
            "value_on": "2021-01-01", "distribution_type": "gain", "action": "preview"}),
        (f"/funds/{fid}/flows/new", "amount", {"kind": "expense", "value_on": "2021-01-01",
                                               "company_id": "0"}),
        (f"/funds/{fid}/commitments/new", "amount", {"investor_id": str(world.lps[0].id),
                                                     "committed_on": "2021-01-01", "closing": "1"}),
        (f"/funds/{fid}/investments/new", "amount", {"company_id": str(world.company.id),
                                                     "round_name": "A", "instrument": "debt",
                                                     "invested_on": "2021-01-01"}),
    ]
    before = counts()
    for url, field, data in posts:
        response = browser.post(url, data | {field: amount})
        assert response.status_code == 422, url
        assert problem in field_error(text(response), field).lower(), url
        assert 'id="preview-table"' not in text(response)
    if amount != "0":  # a zero NAV is legitimate
        response = browser.post(f"/funds/{fid}/valuations/new",
                                {"as_of": "2022-01-01", "nav_amount": amount})
        assert response.status_code == 422
        assert problem in field_error(text(response), "nav_amount").lower()
    assert counts() == before


def test_bad_amount_error_is_in_chinese_by_default(app: Any, browser: Any) -> None:
    world = make_world()
    login(browser, world)
    response = browser.post(f"/funds/{world.fund.id}/calls/new", {
        "value_on": "2021-01-01", "amount": "12.345", "purpose": "investment", "action": "post"})
    assert response.status_code == 422
    assert field_error(text(response), "amount") == "最多保留 2 位小数。"
    assert count(CashFlow) == 0


def test_service_errors_land_on_their_fields(app: Any, browser: Any) -> None:
    world = make_world()
    login(browser, world, "en")
    url = f"/funds/{world.fund.id}/calls/new"
    before = counts()
    outside = browser.post(url, {"value_on": "2035-01-01", "amount": "100", "purpose": "other",
                                 "action": "post"})
    assert outside.status_code == 422
    assert "outside the fund's life" in field_error(text(outside), "value_on")
    too_much = browser.post(url, {"value_on": "2021-01-01", "amount": "700000000",
                                  "purpose": "investment", "action": "post"})
    assert too_much.status_code == 422
    assert "uncalled capital" in field_error(text(too_much), "amount")
    ledger.record_capital_call(world.gp, world.fund.id, value_on="2021-01-01", amount="1",
                               purpose="other", source_ref="DUP")
    before = counts()
    dup = browser.post(url, {"value_on": "2021-01-01", "amount": "1", "purpose": "other",
                             "source_ref": "DUP", "action": "post"})
    assert dup.status_code == 409 and "already exists in this fund" in text(dup)
    assert counts() == before


def test_post_without_csrf_token_is_refused(app: Any, browser: Any) -> None:
    world = make_world()
    login(browser, world)
    response = browser.client.post(f"/funds/{world.fund.id}/valuations/new",
                                   data={"as_of": "2022-12-31", "nav_amount": "1000"})
    assert response.status_code == 400 and count(FundValuation) == 0


def test_every_portfolio_route_hides_other_organisations_objects(app: Any, browser: Any) -> None:
    """Each route with an id parameter answers 404, on GET and POST, for another tenant's ids."""
    mine = make_world()
    theirs = make_world()
    their_ids = fund_with_activity(theirs)
    browser.login(mine.gp_user.email, PASSWORD)
    values = {"fund_id": theirs.fund.id, "entry_id": their_ids["entry"],
              "company_id": theirs.company.id, "investor_id": theirs.lps[0].id}
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("portfolio.") or not rule.arguments:
            continue
        url = rule.build({name: values[name] for name in rule.arguments})[1]
        if "GET" in rule.methods:
            assert browser.client.get(url).status_code == 404, url
        if "POST" in rule.methods:
            assert browser.post(url, {"reason": "x", "amount": "1"}).status_code == 404, url
        checked += 1
    assert checked == 11
    mixed = f"/funds/{mine.fund.id}/entries/{their_ids['entry']}/reverse"
    assert browser.client.get(mixed).status_code == 404
