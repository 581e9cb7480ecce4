"""A parent fund's own books: contributions to and returns from its sub-funds."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask import Flask

from fundops.errors import ValidationError
from fundops.portfolio import fof_services as fof
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from fundops.portfolio.queries import list_sub_fund_holdings
from tests.factories import make_fund, make_user, make_world


def test_parent_books_its_sub_fund_contributions_and_returns(app: Flask) -> None:
    world = make_world()
    _, guidance = make_user("引导基金管理人", kind="guidance_fund_manager")
    parent = make_fund(guidance, kind="parent_fund", registration_no="P-001",
                       is_guidance_fund=True, inception_on="2019-06-01")
    gov = services.create_investor(guidance, "财政局", "fiscal")
    services.add_commitment(guidance, parent.id, gov.id, "1000000000", "2019-06-01")
    lp = services.create_investor(world.gp, "母基金", "guidance_fund", fund_registration_no="P-001")
    services.add_commitment(world.gp, world.fund.id, lp.id, "400000000", "2020-03-01")
    call = ledger.record_capital_call(world.gp, world.fund.id, value_on="2020-06-30",
                                      amount="100000000", purpose="investment")
    parent_share = next(a.amount for a in call.allocations if a.investor_id == lp.id)
    assert parent_share == Decimal("40000000.00")  # 400m of 1,000m committed
    ledger.record_distribution(world.gp, world.fund.id, value_on="2023-06-30",
                               amount="10000000", distribution_type="gain")

    fof.record_sub_fund_flow(guidance, parent.id, kind="fund_contribution",
                             target_fund_id=world.fund.id, value_on="2020-06-30",
                             amount=parent_share)
    fof.record_sub_fund_flow(guidance, parent.id, kind="fund_return",
                             target_fund_id=world.fund.id, value_on="2023-06-30",
                             amount="4000000.00")
    assert fof.sub_fund_allocations(parent.id, world.fund.id) == (
        Decimal("40000000.00"), Decimal("4000000.00"))
    [holding] = list_sub_fund_holdings(parent.id)
    assert holding.fund.id == world.fund.id
    assert (holding.committed_amount, holding.contributed_amount, holding.returned_amount) == (
        Decimal("400000000.00"), Decimal("40000000.00"), Decimal("4000000.00"))
    assert holding.commitment_share == Decimal("0.4000000000")

    unrelated = make_fund(world.gp)
    with pytest.raises(ValidationError) as err:
        fof.record_sub_fund_flow(guidance, parent.id, kind="fund_contribution",
                                 target_fund_id=unrelated.id, value_on="2020-06-30", amount="1")
    assert err.value.field == "target_fund_id"
    with pytest.raises(ValidationError) as err:
        fof.record_sub_fund_flow(guidance, parent.id, kind="capital_call",
                                 target_fund_id=world.fund.id, value_on="2020-06-30", amount="1")
    assert err.value.field == "kind"
