"""The guidance fund's exits by transfer: a 让利 buy-out worked example, the window and
eligibility refusals, an early exit priced by the charter and by an appraisal; and the
transfer pages and API end to end (both databases)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask import Flask

from fundops.auth.accounts import issue_token
from fundops.calc.transfer_pricing import InterestBase, cost_plus_interest
from fundops.errors import ValidationError
from fundops.exits import transfer_options as options
from fundops.exits.transfer_register import interests_on
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from tests.conftest import Browser
from tests.factories import PASSWORD, make_fund, make_user, next_n

D = Decimal


def guidance_fund(gp):  # type: ignore[no-untyped-def]
    fund = make_fund(gp)
    gov = services.create_investor(gp, f"引导基金 {next_n()}", "guidance_fund")
    social = services.create_investor(gp, f"社会资本 {next_n()}", "private")
    gp_lp = services.create_investor(gp, f"GP 出资 {next_n()}", "corporate")
    for lp, amount in ((gov, "40000000"), (social, "55000000"), (gp_lp, "5000000")):
        services.add_commitment(gp, fund.id, lp.id, amount, "2020-01-01")
    ledger.record_capital_call(gp, fund.id, value_on="2020-01-01", amount="75000000",
                               purpose="investment")  # gov 30m
    ledger.record_capital_call(gp, fund.id, value_on="2021-01-01", amount="25000000",
                               purpose="investment")  # gov 10m
    ledger.record_distribution(gp, fund.id, value_on="2022-01-01", amount="12500000",
                               distribution_type="gain")  # gov 5m
    return fund, gov, social, gp_lp


def test_buyout_option_worked_example(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, gov, social, gp_lp = guidance_fund(gp)
    option = options.create_option(gp, fund.id, holder_id=gov.id, window_from="2023-06-30",
                                   window_to="2025-06-30", eligible="social_lps_and_gp",
                                   gp_investor_id=gp_lp.id, rate="0.03")
    # the calc module's worked example: 40m + 4,502,465.75 − 5m
    quote = options.cost_price(fund.id, gov.id, D("0.03"), InterestBase.ORIGINAL,
                               date(2024, 1, 1))
    assert quote.price == D("39502465.75")
    assert quote == cost_plus_interest(
        [(date(2020, 1, 1), D(30000000)), (date(2021, 1, 1), D(10000000))],
        [(date(2022, 1, 1), D(5000000))], D("0.03"), date(2024, 1, 1))
    for bad, code in (({"transfer_on": "2023-06-29"}, "outside_option_window"),
                      ({"transfer_on": "2025-07-01"}, "outside_option_window"),
                      ({"buyer_id": gov.id}, "buyer_not_eligible")):
        with pytest.raises(ValidationError) as caught:
            options.exercise_option(gp, fund.id, option.id, **{  # type: ignore[arg-type]
                "buyer_id": social.id, "transfer_on": "2024-01-01",
                "appraisal_ref": "评估 1", "platform": "shanghai", **bad})
        assert caught.value.code == code
    with pytest.raises(ValidationError) as caught:
        options.exercise_option(gp, fund.id, option.id, buyer_id=social.id,
                                transfer_on="2024-01-01")
    assert caught.value.code == "appraisal_required"
    half = options.exercise_option(gp, fund.id, option.id, buyer_id=social.id,
                                   transfer_on="2024-01-01", commitment_amount="20000000",
                                   appraisal_ref="沪评报字[2023]第8号", platform="shanghai")
    assert half.price_amount == D("19751232.88")  # half of 39,502,465.75, half-up
    assert half.kind.value == "buyout_option" and half.option_id == option.id
    rest = options.exercise_option(gp, fund.id, option.id, buyer_id=gp_lp.id,
                                   transfer_on="2024-01-01", appraisal_ref="沪评报字[2023]第8号",
                                   platform="shanghai")
    assert rest.commitment_amount == D("20000000.00")
    held = interests_on(fund.id, [gov.id, social.id, gp_lp.id], date(2024, 1, 1))
    assert held[gov.id].committed == 0 and held[gov.id].paid_in == 0
    assert held[social.id].paid_in == D("75000000.00")
    assert held[gp_lp.id].committed == D("25000000.00")


def test_early_exit_by_charter_and_by_appraisal(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, gov, social, _gp_lp = guidance_fund(gp)
    with pytest.raises(ValidationError) as caught:
        options.record_early_exit(gp, fund.id, seller_id=social.id, buyer_id=gov.id,
                                  transfer_on="2024-01-01", trigger="idle_over_year",
                                  pricing="appraisal", appraised_value="1")
    assert caught.value.code == "early_exit_not_government"
    exit_ = options.record_early_exit(
        gp, fund.id, seller_id=gov.id, buyer_id=social.id, transfer_on="2024-01-01",
        trigger="off_policy", pricing="cost_plus_interest", rate="0.03",
        interest_base="unreturned", commitment_amount="10000000",
        appraisal_ref="评估 2", platform="beijing")
    assert exit_.price_amount == D("9800616.44")  # ¼ of 39,202,465.75
    assert exit_.trigger.value == "off_policy"
    by_appraisal = options.record_early_exit(
        gp, fund.id, seller_id=gov.id, buyer_id=social.id, transfer_on="2024-01-01",
        trigger="not_per_charter", pricing="appraisal", appraised_value="28000000",
        appraisal_ref="评估 3", platform="beijing")
    assert by_appraisal.price_amount == D("28000000.00")
    assert by_appraisal.price_basis.value == "appraisal"


def test_transfer_pages_and_api(app: Flask) -> None:
    user, gp = make_user(f"GP {next_n()}")
    fund, gov, social, _gp_lp = guidance_fund(gp)
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    page = browser.client.get(f"/funds/{fund.id}/transfers/new")
    assert page.status_code == 200
    response = browser.post(f"/funds/{fund.id}/transfers/new", {
        "seller_id": social.id, "buyer_id": 0, "new_buyer_name": "S基金 乙",
        "new_buyer_type": "private", "transfer_on": "2023-06-30",
        "reference_on": "2022-12-31", "reference_nav": "50000000", "discount_pct": "12.5",
        "commitment_amount": "", "price": "", "platform": "", "appraisal_ref": "",
        "memo": ""})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    detail = browser.client.get(response.headers["Location"])
    body = detail.get_data(as_text=True)
    assert detail.status_code == 200 and "S基金 乙" in body and "IRR" in body
    bad = browser.post(f"/funds/{fund.id}/transfers/new", {
        "seller_id": gov.id, "buyer_id": social.id, "transfer_on": "2023-07-31",
        "reference_on": "2022-12-31", "reference_nav": "1", "discount_pct": "0",
        "platform": "", "new_buyer_type": "private"})
    assert bad.status_code == 422
    assert browser.client.get(f"/funds/{fund.id}/transfers").status_code == 200
    token = issue_token(email=user.email, label="t")
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "k-1"}
    created = api.post(f"/api/v1/funds/{fund.id}/buyout-options", headers=headers, json={
        "holder_id": gov.id, "window_from": "2023-01-01", "window_to": "2030-12-31",
        "eligible": "social_lps", "rate": "0.03"})
    assert created.status_code == 201, created.get_json()
    listed = api.get(f"/api/v1/funds/{fund.id}/transfers", headers=headers).get_json()
    assert len(listed["transfers"]) == 1 and listed["transfers"][0]["price_amount"] == \
        "43750000.00"
    tid = listed["transfers"][0]["id"]
    back = api.post(f"/api/v1/funds/{fund.id}/transfers/{tid}/reverse",
                    headers={**headers, "Idempotency-Key": "k-2"}, json={"reason": "错"})
    assert back.status_code == 201 and back.get_json()["reverses_id"] == tid
