"""Refusals on the linked-loan pages read as Chinese, with amounts in the page's unit.

With the Chinese interface (the default) every refusal and validation message of the
term sheet, product, loan and pool forms is a translated template: amounts in 万元 with
the unit label, no raw yuan, no English sentence. Over /api/v1 each refusal carries its
registered ``error`` code. A source check keeps every ``raise`` in fundops/syndication on
a registered code.
"""

from __future__ import annotations

import ast
import html as html_lib
import pathlib
import re
from typing import Any

import pytest
from babel.messages.pofile import read_po
from flask import Flask

from fundops.messages import MESSAGES
from fundops.messages import syndication as catalogue
from fundops.syndication.loans import events as loan_events
from fundops.syndication.loans import services as lending
from fundops.syndication.pools import services as pools
from tests.factories import make_user, next_n
from tests.integration.test_linked_loans import build_round
from tests.integration.test_risk_pools import HUBEI, drawn_loan, funded_round, pool_for
from tests.integration.test_syndication_api import Client
from tests.web.test_pages import CATALOG, compile_catalog, text
from tests.web.test_pool_pages import browser_for, pool_form
from tests.web.test_syndication_pages import send

ROOT = pathlib.Path(__file__).resolve().parents[2]
# two or more English words in a row ("equity condition", "not met") make a sentence
ENGLISH = re.compile(r"[A-Za-z]{2,}(?:[ ,;:'’-]+[A-Za-z]{2,})+")
ALLOWED = {"LPR", "CNY", "JSON"}
RAW_YUAN = re.compile(r"\b\d{5,}\.\d{2}\b")  # 2000000.00: an amount not in the page's unit


@pytest.fixture(scope="module", autouse=True)
def _catalog() -> None:
    compile_catalog()


def messages(html: str) -> list[str]:
    """Every error the page shows: field errors, line errors and the form's refusal."""
    found = re.findall(r'class="field-error"[^>]*>([^<]*)<', html)
    found += re.findall(r'class="flash error form-errors"[^>]*>(.*?)</div>', html, re.S)
    found += re.findall(r'id="[\w-]+-error">([^<]*)<', html)
    return [html_lib.unescape(re.sub(r"<[^>]+>", " ", m)).strip() for m in found if m.strip()]


def chinese(response: Any, status: int, *expected: str) -> str:
    """The page's error messages joined; each is Chinese, free of English sentences and
    raw yuan, and together they contain every ``expected`` fragment."""
    assert response.status_code == status, response.status_code
    shown = messages(text(response))
    assert shown, "no error on the page"
    for message in shown:
        assert re.search(r"[\u4e00-\u9fff]", message), message
        english = [m for m in ENGLISH.findall(message) if m not in ALLOWED]
        assert not english, (english, message)
        assert not RAW_YUAN.search(message), message
    joined = " | ".join(shown)
    for fragment in expected:
        assert fragment in joined, (fragment, joined)
    return joined


def test_every_syndication_code_has_its_chinese() -> None:
    with open(CATALOG + "/messages.po", "rb") as src:
        po = {m.id: m.string for m in read_po(src) if m.id}
    missing = [code for code, english in catalogue.MESSAGES.items() if not po.get(english)]
    assert not missing


def test_loan_refusals_on_the_pages_are_chinese_in_wan(app: Flask) -> None:
    r = build_round()  # 6,000万 of the lead arrived: headroom 0.3 × 6,000万 = 1,800万
    big = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount="20000000")
    fits = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount="10000000")
    lending.approve_loan(r.bank, fits.id)
    bank = browser_for(app, r.bank)

    refused = send(bank, f"/loans/{big.id}/approve", "approve", {"note": ""})
    shown = chinese(refused, 409, "审批被拒绝", "2,000.00 万元", "1,800.00 万元", "800.00 万元")
    assert "cannot approve" not in shown
    chinese(send(bank, f"/loans/{big.id}/decline", "decline", {"note": " "}), 422,
            "请说明拒绝申请的原因")

    # disbursement before the equity: the reason in 万元, percentages as they are
    refused = send(bank, f"/loans/{fits.id}/disburse", "disburse",
                   {"amount": "1000000", "value_on": "2024-07-10"})
    chinese(refused, 409, "放款被拒绝", "股权到位条件未满足", "6,000.00 万元", "60.00%",
            "10,000.00 万元", "0.00 万元")
    page = text(bank.client.get(f"/loans/{fits.id}"))
    reason = page.split('id="equity-reason"', 1)[1].split("</div></div>", 1)[0]
    assert "6,000.00 万元" in reason and "此前不得放款" in reason
    assert not ENGLISH.search(re.sub(r"<[^>]+>", " ", reason).replace("class", ""))

    # beyond the reservation and beyond what is outstanding, once the equity is in
    outside = next(a for a in r.ts.allocations if not a.is_lead)
    from fundops.syndication.term_sheets import fundings

    fundings.record_outside_funding(r.gp, r.ts.id, outside.id, amount="40000000",
                                       arrived_on="2024-07-05", evidence_ref="验资报告")
    chinese(send(bank, f"/loans/{fits.id}/disburse", "disburse",
                 {"amount": "12000000", "value_on": "2024-07-10"}), 409,
            "1,200.00 万元", "1,000.00 万元")
    assert send(bank, f"/loans/{fits.id}/disburse", "disburse",
                {"amount": "2000000", "value_on": "2024-07-10"}).status_code == 302
    chinese(send(bank, f"/loans/{fits.id}/repayments", "repay",
                 {"principal": "3000000", "interest": "0", "value_on": "2024-08-10"}), 422,
            "还款本金 300.00 万元 超过未偿本金 200.00 万元")
    chinese(send(bank, f"/loans/{fits.id}/write-offs", "writeoff",
                 {"amount": "100000", "value_on": "2024-08-10", "reason": "x"}), 409,
            "只能核销已违约的贷款", "“已放款”")
    chinese(send(bank, f"/loans/{fits.id}/warrants", "warrant",
                 {"holder_name": "银行甲", "coverage": "5", "window_from": "2025-01-01",
                  "window_to": "2024-01-01"}), 422, "早于行权期开始日 2025-01-01")


def test_term_sheet_and_product_form_errors_are_chinese(app: Flask) -> None:
    r = build_round()
    from tests.factories import make_company

    company = make_company(r.gp, f"新材料科技{next_n()}有限公司")
    gp = browser_for(app, r.gp)
    form = {"company_id": str(company.id), "lead_fund_id": str(r.ts.lead_fund_id),
            "round_name": "B", "instrument": "preferred_equity", "round_size": "200000000",
            "pre_money": "800000000", "post_money": "990000000", "long_stop_on": "2025-06-30",
            "lead_amount": "100000000"}
    chinese(send(gp, "/term-sheets/new", None, form), 422,
            "投后估值 99,000.00 万元 不等于投前估值 80,000.00 万元 加本轮规模 20,000.00 万元")
    chinese(send(gp, "/term-sheets/new", None, form | {
        "post_money": "1000000000", "lead_amount": "250000000"}), 422,
        "各方认购额合计 25,000.00 万元，超过本轮规模 20,000.00 万元")
    chinese(send(gp, "/term-sheets/new", None, form | {
        "post_money": "1000000000", "signed_on": "2025-07-01"}), 422,
        "最晚交割日 2025-06-30 早于签署日 2025-07-01")
    chinese(send(gp, "/term-sheets/new", None, form | {
        "post_money": "1000000000", "tranches-0-amount": "150000000"}), 422,
        "分期金额合计 15,000.00 万元，不等于本轮规模 20,000.00 万元")
    chinese(send(gp, f"/term-sheets/{r.ts.id}/status", "transition",
                 {"status": "lapsed", "reason": ""}), 422, "请说明本轮失效或取消的原因")
    outside = next(a for a in r.ts.allocations if not a.is_lead)
    chinese(send(gp, f"/term-sheets/{r.ts.id}/outside-funding", "outside",
                 {"allocation_id": str(outside.id), "amount": "50000000",
                  "arrived_on": "2024-07-05", "evidence_ref": "验资报告"}), 422,
            "外部VC 的累计到位金额将达 5,000.00 万元，超过其认购额 4,000.00 万元")

    bank = browser_for(app, r.bank)
    product = {"name": "科创贷", "currency": "CNY", "alpha": "30", "beta": "5",
               "cap_amount": "50000000", "required_status": "ic_approved",
               "equity_rule": "share", "required_share": "100", "tenor_months": "24",
               "rate_type": "fixed", "repayment_type": "equal_instalment",
               "collateral": "credit"}
    chinese(send(bank, "/loan-products", None, product), 422, "固定利率产品须填写固定利率")
    chinese(send(bank, "/loan-products", None, product | {
        "rate_type": "lpr_spread"}), 422, "LPR 加点产品须填写加点")


def test_pool_refusals_are_chinese_in_wan(app: Flask) -> None:
    r = funded_round()
    loan = drawn_loan(r, "10000000")
    _, operator = make_user(f"科技金融服务平台 {next_n()}", kind="platform_operator")
    manager = browser_for(app, operator)
    bank_org = r.bank.organisation_id
    chinese(manager.post("/pools", pool_form(bank_org, **{"parties-1-share": "10"})), 422,
            "各方分担比例之和须恰好为 1")
    chinese(manager.post("/pools", pool_form(bank_org, **{"parties-1-role": "pool"})), 422,
            "须有且只有一个参与方为银行")
    assert manager.post("/pools", pool_form(bank_org)).status_code == 302
    chinese(manager.post("/pools", pool_form(bank_org)), 422, "贵机构已有名为")
    pool = next(p for p in pools.list_pools(operator))

    bank = browser_for(app, r.bank)
    url = f"/pools/{pool.id}"
    chinese(send(bank, f"{url}/enrolments", "enrol", {"loan_id": str(loan.id), "on": "2024-07-10"}),
            409, "入池被拒绝", "0.00 万元", "1,000.00 万元")
    pools.add_contribution(operator, pool.id, funder="湖北省财政", amount="500000000",
                           contributed_on="2024-01-02")
    assert send(bank, f"{url}/enrolments", "enrol",
                {"loan_id": str(loan.id), "on": "2024-07-10"}).status_code == 302
    chinese(send(bank, f"{url}/enrolments", "enrol", {"loan_id": str(loan.id), "on": "2024-07-11"}),
            409, "入池被拒绝", f"贷款 {loan.id} 已纳入风险池")

    loan_url = f"/loans/{loan.id}"
    chinese(send(bank, f"{loan_url}/claims", "claim", {"on": "2025-04-15"}), 409,
            "补偿申请被拒绝", "须在违约后才能申请补偿", "“已放款”")
    loan_events.declare_default(r.bank, loan.id, value_on="2025-03-31", reason="停止经营")
    chinese(send(bank, f"{loan_url}/claims", "claim", {"on": "2025-03-01"}), 422,
            "2025-03-01 早于违约日 2025-03-31")
    assert send(bank, f"{loan_url}/claims", "claim", {"on": "2025-04-15"}).status_code == 302
    chinese(send(bank, f"{loan_url}/claims", "claim", {"on": "2025-04-16"}), 409,
            f"贷款 {loan.id} 已有补偿申请")


def test_a_capped_claim_shows_its_limit_in_chinese(app: Flask) -> None:
    r = funded_round()
    loan = drawn_loan(r, "10000000")
    manager, pool = pool_for(r, HUBEI, cap_per_loan="3000000")
    pools.add_contribution(manager, pool.id, funder="财政", amount="100000000",
                           contributed_on="2024-01-02")
    pools.enrol_loan(r.bank, pool.id, loan.id, "2024-07-10")
    loan_events.declare_default(r.bank, loan.id, value_on="2025-03-31", reason="停止经营")
    bank = browser_for(app, r.bank)
    assert send(bank, f"/loans/{loan.id}/claims", "claim", {"on": "2025-04-15"}).status_code == 302
    page = text(bank.client.get(f"/loans/{loan.id}"))
    claim = page.split('id="loan-claim"', 1)[-1] if 'id="loan-claim"' in page else page
    assert "300.00" in claim and "per_loan" not in re.sub(r'data-[\w-]+="[^"]*"', "", claim)


def test_system_texts_and_the_loan_check_are_chinese(app: Flask) -> None:
    from fundops.syndication.term_sheets import services as term_sheets

    funded = funded_round()  # the outside VC's 4,000万 completes the round: "equity arrived"
    gp = browser_for(app, funded.gp)
    events = text(gp.client.get(f"/term-sheets/{funded.ts.id}")).split('id="event-table"', 1)[1]
    assert "股权款全部到位：10,000.00 万元" in events.split("</table>", 1)[0]
    r = build_round()
    loan = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount="1000000")
    term_sheets.change_status(r.gp, r.ts.id, "lapsed", reason="到期未交割")
    bank = browser_for(app, r.bank)
    page = text(bank.client.get(f"/loans/{loan.id}"))
    flag = page.split('id="loan-flag"', 1)[1].split("</div>", 1)[0]
    assert "条款清单已失效：到期未交割" in flag and "term sheet" not in flag
    problem = page.split('id="status-problem"', 1)[1].split("</div>", 1)[0]
    assert "条款清单状态为“已失效”" in problem and not ENGLISH.search(problem.split(">", 1)[1])
    chinese(send(bank, f"/loans/{loan.id}/approve", "approve", {"note": ""}), 409,
            "无法审批：条款清单状态为“已失效”")


def test_api_refusals_carry_their_codes(app: Flask) -> None:
    r = build_round()
    big = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount="20000000")
    fits = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount="10000000")
    lending.approve_loan(r.bank, fits.id)
    bank, gp = Client(app, r.bank), Client(app, r.gp)

    def refused(response: Any, status: int, code: str, field: str | None = None) -> str:
        assert response.status_code == status, response.get_data(as_text=True)
        body = response.get_json()
        assert body["error"] == code and body.get("field") == field, body
        assert body["message"] and body["message"] != code
        return str(body["message"])

    refused(bank.post(f"/loans/{big.id}/approve", {}), 409, "loan_approve_beyond_headroom")
    refused(bank.post(f"/loans/{fits.id}/disbursements",
                      {"amount": "1000000", "value_on": "2024-07-10"}), 409,
            "loan_disburse_equity_short")
    refused(bank.post(f"/loans/{fits.id}/approve", {}), 409, "loan_not_awaiting_decision")
    refused(bank.post(f"/loans/{big.id}/decline", {"note": " "}), 422,
            "loan_decline_reason_required", "note")
    refused(bank.post(f"/loans/{big.id}/decline", {"note": 1}), 422, "syn_not_a_string", "note")
    refused(bank.post(f"/loans/{big.id}/decline", {"note": "x", "extra": 1}), 422,
            "syn_unknown_field", "extra")
    refused(bank.post("/loans", {"code": "NOPE", "product_id": r.product_id,
                                 "amount": "100"}), 422, "syn_code_unknown", "code")
    refused(gp.post(f"/term-sheets/{r.ts.id}/status", {"status": "funded"}), 422,
            "syn_not_in_values", "status")
    refused(gp.post(f"/term-sheets/{r.ts.id}/status", {"status": "signed"}), 422,
            "term_sheet_bad_transition", "status")
    refused(bank.post("/loan-products", {
        "name": "x", "alpha": "0.3", "beta": "0.05", "cap_amount": "100", "tenor_months": 12,
        "rate_type": "fixed", "repayment_type": "equal_instalment", "collateral": "credit"}),
        422, "product_fixed_rate_required", "fixed_rate")

    _, operator = make_user(f"平台 {next_n()}", kind="platform_operator")
    manager = Client(app, operator)
    refused(manager.post("/pools", {"name": "p", "parties": [
        {"name": "a", "role": "pool", "share": "0.5"},
        {"name": "b", "role": "bank", "share": "0.4"}]}), 422, "scheme_shares_sum", "parties")


# --- the source keeps every refusal on a registered code -------------------------------------

RAISED = {"ValidationError": 1, "ConflictError": 0, "Forbidden": 0, "NotFound": 0,
          "DomainError": 0}
# calls whose code arrives in a variable, each checked below
INDIRECT = {("api_support.py", "usable"), ("services.py", "create_pool"),
            ("services.py", "approve_loan"), ("services.py", "disburse")}
# the loan-check reasons (fundops.syndication.refusals) each service re-raises under its prefix
PREFIXED = {"loan_approve_": ("loan_term_sheet_dead", "loan_term_sheet_short"),
            "loan_disburse_": ("loan_equity_short", "loan_equity_short_pro_rata")}


def _functions(tree: ast.AST) -> dict[ast.AST, str]:
    owner: dict[ast.AST, str] = {}
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef):
            for node in ast.walk(fn):
                owner.setdefault(node, fn.name)
    return owner


# one walk over every raise of the package: a flat list of checks per call
def test_every_raise_in_syndication_uses_a_registered_code() -> None:  # noqa: C901, PLR0912
    problems: list[str] = []
    usable_codes: list[ast.expr] = []
    for path in sorted((ROOT / "fundops" / "syndication").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        owner = _functions(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("usable",
                                                                                 "_usable"):
                usable_codes.append(node.args[2])
            if not isinstance(node, ast.Raise) or node.exc is None:
                continue
            where = f"{path.name}:{node.lineno}"
            exc = node.exc
            if not isinstance(exc, ast.Call):
                continue  # re-raise of a caught exception
            name = getattr(exc.func, "id", getattr(exc.func, "attr", ""))
            if name not in RAISED:
                problems.append(f"{where}: raises {name}, not a registered domain error")
                continue
            index = RAISED[name]
            if len(exc.args) <= index:
                if name != "NotFound":
                    problems.append(f"{where}: {name} without a code")
                continue
            code = exc.args[index]
            if isinstance(code, ast.Constant) and isinstance(code.value, str):
                if code.value not in MESSAGES:
                    problems.append(f"{where}: {code.value!r} is not a registered code")
            elif (path.name, owner.get(node, "")) not in INDIRECT:
                problems.append(f"{where}: the code is not a string constant")
    assert not problems, problems
    refusals = (ROOT / "fundops" / "syndication" / "refusals.py").read_text(encoding="utf-8")
    for prefix, codes in PREFIXED.items():
        for code in codes:
            assert f'"{code}"' in refusals and code in MESSAGES, code
            assert prefix + code.removeprefix("loan_") in MESSAGES, (prefix, code)
    assert usable_codes and all(isinstance(c, ast.Constant) and c.value in MESSAGES
                                for c in usable_codes)
    # create_pool re-raises the scheme's own codes: those must be registered too
    calc = ast.parse((ROOT / "fundops" / "calc" / "loss_sharing.py").read_text(encoding="utf-8"))
    scheme_codes = [n.args[0] for n in ast.walk(calc) if isinstance(n, ast.Call)
                    and getattr(n.func, "id", "") == "SchemeError"]
    assert scheme_codes and all(isinstance(c, ast.Constant) and c.value in MESSAGES
                                for c in scheme_codes)


def test_pro_rata_equity_reason_counts_the_complete_tranches() -> None:
    from decimal import Decimal as D
    from types import SimpleNamespace

    from fundops.calc.loan_sizing import equity_condition
    from fundops.money import Money
    from fundops.syndication.enums import EquityRule
    from fundops.syndication.refusals import equity_problem

    tranches = [SimpleNamespace(amount=D("30000000.00")), SimpleNamespace(amount=D("70000000.00"))]
    ts = SimpleNamespace(currency="CNY", round_size=D("100000000.00"), tranches=tranches)
    product = SimpleNamespace(required_share=D(1), equity_rule=EquityRule.PRO_RATA)
    check = equity_condition(D("40000000.00"), ts.round_size, D(1),
                             [t.amount for t in tranches], reservation=D("10000000.00"))
    code, params = equity_problem(ts, product, check, D("40000000.00"), D("10000000.00"))  # type: ignore[arg-type,misc]
    assert code == "loan_equity_short_pro_rata"
    assert (params["complete"], params["tranches"], params["share"]) == (1, 2, "40.00%")
    assert params["allowed"] == Money(D("3000000.00"), "CNY")
    assert params["counted"] == Money(D("30000000.00"), "CNY")
    product.equity_rule = EquityRule.SHARE
    assert equity_problem(ts, product, check, D("40000000.00"),  # type: ignore[arg-type,misc]
                          D("10000000.00"))[0] == "loan_equity_short"
