"""Record types of the distribution waterfall: terms versions with their GP-commitment
parties and 让利 tiers (with beneficiaries), runs with every party's slice, and run
reversals.

They follow the exit stage's record types (:mod:`fundops.exchange.schema_exits`) in the
file, in this order. All seven tables are append-only. ``waterfall_gp_party``,
``waterfall_beneficiary`` and ``waterfall_slice`` have no id of their own: they are
identified by the record they belong to and their investor (unique together), and are
exported in that order.
"""

from __future__ import annotations

from fundops.calc.waterfall_terms import CapitalBasis, ConcessionPlacement, Hurdle, Structure
from fundops.exchange.schema_fields import (
    FieldSpec,
    RecordType,
    _date,
    _enum,
    _int,
    _key,
    _money,
    _rate,
    _ref,
    _stamp,
    _text,
)
from fundops.exits.enums import ConcessionCondition
from fundops.exits.models import (
    WaterfallBeneficiary,
    WaterfallConcession,
    WaterfallGpParty,
    WaterfallRun,
    WaterfallRunReversal,
    WaterfallSlice,
    WaterfallTerms,
)


def _memo(name: str, max_len: int = 500) -> FieldSpec:
    return _text(name, max_len=max_len, required=False, null_if_empty=False)


def _fen(name: str, doc: str = "") -> FieldSpec:
    return _money(name, allow_zero=True, allow_negative=True,
                  doc=doc or "yuan, exact to the fen")


_PARTY = "an investor committed to the terms' fund (a `commitment` row)"
_RECORDED_BY = _ref("recorded_by_id", "user", required=False,
                    doc="id of the `user` who recorded it; empty if unknown")
_SLICE_DOC = "yuan to the fen: the party's amount in this tier of the run"

WATERFALL_RECORD_TYPES: tuple[RecordType, ...] = (
    RecordType("waterfall_terms", WaterfallTerms, (
        _key(),
        _ref("fund_id", "fund"),
        _date("effective_on", doc="inside the fund's life; the latest version on or before "
                                  "a run's date applies (a later row on the same date "
                                  "supersedes)"),
        _enum("structure", Structure),
        _enum("capital_basis", CapitalBasis),
        _enum("hurdle", Hurdle),
        _rate("hurdle_rate", allow_negative=True, doc=">= 0; 0 with hurdle `none`"),
        _rate("catch_up_rate", required=False, doc="in (0, 1], not below `carry_rate`; "
                                                   "empty: no catch-up tier"),
        _rate("carry_rate", doc="0 to below 1 (a fraction)"),
        _rate("holdback_rate", doc="0 to 1: the share of the carry kept in escrow"),
        _enum("concession_placement", ConcessionPlacement),
        _ref("carry_recipient_id", "investor", doc=_PARTY),
        _memo("memo"),
        _stamp("recorded_at"),
        _RECORDED_BY,
    ), "One version of a fund's distribution-waterfall terms (append-only)."),
    RecordType("waterfall_gp_party", WaterfallGpParty, (
        _ref("terms_id", "waterfall_terms"),
        _ref("investor_id", "investor", doc=f"{_PARTY}, not the carry recipient; unique "
                                            "with `terms_id`"),
    ), "A party of a terms version whose share takes no carry (no id of its own)."),
    RecordType("waterfall_concession", WaterfallConcession, (
        _key(),
        _ref("terms_id", "waterfall_terms"),
        _int("position", doc=">= 0; unique with `terms_id`"),
        _ref("government_id", "investor", doc=_PARTY),
        _rate("threshold_rate", doc=">= 0: simple annual rate the government keeps"),
        _rate("share_rate", doc="0 to 1: the part of its excess ceded; at most 1 in all "
                                "per government and terms version"),
        _enum("condition", ConcessionCondition, required=False),
    ), "A 让利 tier of a terms version."),
    RecordType("waterfall_beneficiary", WaterfallBeneficiary, (
        _ref("concession_id", "waterfall_concession"),
        _ref("investor_id", "investor", doc=f"{_PARTY}; unique with `concession_id`"),
        _rate("weight", doc="> 0: the ceded amount splits by weight"),
    ), "A beneficiary of a 让利 tier (no id of its own)."),
    RecordType("waterfall_run", WaterfallRun, (
        _key(),
        _ref("fund_id", "fund"),
        _ref("terms_id", "waterfall_terms", doc="same fund, effective on or before "
                                                "`value_on`"),
        _ref("cash_flow_id", "cash_flow",
             doc="its `distribution` entry: same fund, date and currency, amount `amount` "
                 "− `escrow_amount`, allocated as the slices' `payment_amount`; unique"),
        _ref("company_id", "company", required=False,
             doc="deal-by-deal terms only: the deal (the fund has an `investment` in it)"),
        _date("value_on", doc="inside the fund's life"),
        _money("amount", doc="> 0: the distributable amount"),
        _money("carry_amount", allow_zero=True, doc=">= 0"),
        _money("escrow_amount", allow_zero=True, doc="0 to `carry_amount`: kept in the fund"),
        FieldSpec("currency", "currency", doc="must equal the fund's currency"),
        _text("conditions", max_len=200, required=False, null_if_empty=False,
              doc="the 让利 conditions met, comma-separated (`reinvestment`, `early_small`)"),
        _memo("memo"),
        _stamp("recorded_at"),
        _RECORDED_BY,
    ), "One distribution run through the waterfall (append-only)."),
    RecordType("waterfall_slice", WaterfallSlice, (
        _ref("run_id", "waterfall_run"),
        _ref("investor_id", "investor", doc=f"{_PARTY}; unique with `run_id`"),
        _fen("capital", _SLICE_DOC),
        _fen("pref", _SLICE_DOC),
        _fen("catch_up", _SLICE_DOC),
        _fen("split", _SLICE_DOC),
        _fen("carry_catch_up", _SLICE_DOC),
        _fen("carry_split", _SLICE_DOC),
        _fen("concession_in", _SLICE_DOC),
        _fen("concession_out", _SLICE_DOC),
        _fen("ceded_before_carry", _SLICE_DOC),
        _fen("payment_amount", ">= 0: the cash it got; the run's slices sum to `amount` − "
                               "`escrow_amount`"),
    ), "One party's tier-by-tier breakdown in a run (no id of its own)."),
    RecordType("waterfall_run_reversal", WaterfallRunReversal, (
        _key(),
        _ref("run_id", "waterfall_run", doc="unique"),
        _ref("cash_flow_id", "cash_flow",
             doc="the reversal of the run's entry (its `reverses_id`); unique"),
        _text("reason", max_len=500),
        _stamp("recorded_at"),
        _RECORDED_BY,
    ), "The reversal of a waterfall run (append-only)."),
)
