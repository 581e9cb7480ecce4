"""TEMPORARY shim, for the two modules of the old hand-written API that another branch is
porting (``fundops/syndication/openapi.py`` reads the request field lists,
``fundops/syndication/loans/events_api.py`` the recovery split). The risk-pool routes
themselves are in :mod:`fundops.syndication.pools.api` with their schemas in
:mod:`fundops.syndication.pools.schemas`. Delete this module when those imports are gone.
"""

from __future__ import annotations

from typing import Any

from fundops.calc.loss_sharing import ROLES
from fundops.syndication.api_json import CONFIRM, Field
from fundops.syndication.queries import recovery_shares

PARTY = {
    "name": Field("text", True, "unique in the pool, at most 100 characters"),
    "role": Field("enum", True, values=tuple(sorted(ROLES))),
    "share": Field("rate", True, "of each loss, 0..1; the parties' shares sum exactly to 1"),
    "cap": Field("amount", doc="the most this party bears on one loan; never for the bank"),
}
POOL = {
    "name": Field("text", True, "unique among the caller's pools, at most 200 characters"),
    "parties": Field("list", True, "the loss-sharing scheme: exactly one bank party",
                     items=PARTY),
    "member_bank_ids": Field("ids", doc="banks whose loans may be enrolled"),
    "currency": Field("text", doc="ISO 4217; default CNY"),
    "leverage_k": Field("rate", doc="enrolled loans at most k × balance; absent: no cap"),
    "cap_per_loan": Field("amount", doc="the pool pays at most this per loan"),
    "cap_per_company": Field("amount", doc="... per company, over all its claims"),
    "cap_per_year": Field("amount", doc="... per calendar year of the claims"),
    "source": Field("text", doc="the policy it follows, at most 500 characters"),
}
CONTRIBUTION = {"funder": Field("text", True, "e.g. 省财政"), "amount": Field("amount", True),
                "contributed_on": Field("date", True)}
ENROLMENT = {"loan_id": Field("id", True, "an approved or active loan the caller's bank leads"),
             "on": Field("date", True)}
CLAIM = {"on": Field("date", True, "the claim date; recoveries until then reduce the loss"),
         **CONFIRM}



def recovery_shares_json(loan_entry_id: int) -> list[dict[str, Any]]:
    """What one recovery entry handed back to each party of the loan's claim."""
    return [{"party": r.party, "amount": r.amount} for r in recovery_shares(loan_entry_id)]
