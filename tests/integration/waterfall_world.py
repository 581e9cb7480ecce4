"""A waterfall world built through the services, shared by the exchange tests: terms with a
GP-commitment party and a 让利 tier (two beneficiaries), two runs, the second reversed."""

from __future__ import annotations

from fundops.exits import waterfalls
from fundops.uow import Actor
from tests.integration.test_waterfalls import T5, build, terms


def build_waterfalls(gp: Actor) -> dict[str, int]:
    """The world in a new fund of ``gp``'s organisation; returns the ids of its rows."""
    fund, (gov, soc, other, partner), rec = build(
        gp, gp_amount="20000", kinds=("guidance_fund", "private", "corporate", "individual"))
    tier = waterfalls.TierIn(gov.id, "0.06", "0.5", [(soc.id, "2"), (other.id, "1")],
                             "reinvestment")
    row = terms(gp, fund, rec, hurdle="simple", holdback="0.1", concessions=[tier],
                gp_commitment_ids=[partner.id])
    first = waterfalls.run_waterfall_distribution(gp, fund.id, value_on=T5, amount="4000000",
                                                  conditions_met=["reinvestment"])
    second = waterfalls.run_waterfall_distribution(gp, fund.id, value_on=T5, amount="2000000",
                                                   conditions_met=["reinvestment"])
    reversal = waterfalls.reverse_run(gp, fund.id, second.id, "typo")
    return {"waterfall_fund": fund.id, "waterfall_terms": row.id, "waterfall_run": first.id,
            "waterfall_reversed_run": second.id, "waterfall_reversal": reversal.id}
