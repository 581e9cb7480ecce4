"""Record types of the exit stage: IPO listings and listed prices, buy-back claims, exit
events and escrow releases, the exits' reminders, and LP-interest transfers with the
guidance fund's buy-out options.

They follow the record types of :mod:`fundops.exchange.schema_loans` in the file, in
this order. ``exit_event``, ``escrow_release`` and ``interest_transfer`` are append-only
(a reversal names the row it cancels in ``reverses_id``). ``exit_reminder.object_id``
names a record whose type depends on the reminder's ``kind`` (:data:`REMINDER_TARGETS`).
"""

from __future__ import annotations

from fundops.calc.exit_pricing import InterestMethod
from fundops.calc.lockup import HolderCategory, TradeChannel
from fundops.calc.transfer_pricing import InterestBase
from fundops.exchange.schema_fields import (
    FieldSpec,
    RecordType,
    _bool,
    _date,
    _decimal,
    _enum,
    _int,
    _key,
    _money,
    _rate,
    _ref,
    _stamp,
    _text,
)
from fundops.exits.enums import (
    BuybackTrigger,
    ClaimStatus,
    EscrowOutcome,
    ExitKind,
    ObligorKind,
    ReminderKind,
)
from fundops.exits.models import (
    BuybackClaim,
    BuyoutOption,
    EscrowRelease,
    ExitEvent,
    ExitReminder,
    InterestTransfer,
    IpoListing,
    ListedPrice,
)
from fundops.exits.transfer_enums import (
    EarlyExitTrigger,
    EligibleBuyers,
    PriceBasis,
    TransferKind,
    TransferPlatform,
)

REMINDER_TARGETS: dict[ReminderKind, str] = {
    ReminderKind.LOCKUP_END: "ipo_listing",
    ReminderKind.ESCROW_DUE: "exit_event",
    ReminderKind.BUYBACK_TRIGGER: "buyback_claim",
}
"""The record type an ``exit_reminder``'s ``object_id`` names, by its ``kind``."""


def _memo(name: str, max_len: int = 500) -> FieldSpec:
    return _text(name, max_len=max_len, required=False, null_if_empty=False)


def _shares(name: str, required: bool = True, doc: str = "",
            allow_negative: bool = False) -> FieldSpec:
    return _decimal(name, 4, required=required, allow_negative=allow_negative,
                    doc=doc or "a share count, up to 4 decimals")


def _signed(name: str, doc: str) -> FieldSpec:
    """An amount that a reversal row holds negated."""
    return _money(name, allow_zero=True, allow_negative=True, doc=doc)


_CURRENCY = FieldSpec("currency", "currency", doc="must equal the fund's currency")
_RECORDED_BY = _ref("recorded_by_id", "user", required=False,
                    doc="id of the `user` who recorded it; empty if unknown")

EXIT_RECORD_TYPES: tuple[RecordType, ...] = (
    RecordType("ipo_listing", IpoListing, (
        _key(),
        _ref("fund_id", "fund"),
        _ref("company_id", "company", doc="a company the fund has an `investment` in; "
                                          "one listing per (fund, company)"),
        _date("listed_on"),
        _text("exchange", max_len=20),
        _text("ticker", max_len=20),
        _shares("total_shares", doc="> 0: the company's shares after the IPO"),
        _shares("shares_held", doc="> 0, at most `total_shares`: the fund's at listing"),
        _enum("holder_category", HolderCategory),
        _bool("qualifying_vc"),
        _date("investment_start_on"),
        _int("lockup_months", doc=">= 0"),
        _date("lockup_ends_on"),
        _rate("liquidity_discount_rate", required=False, doc="a fraction from 0 to below 1"),
        _CURRENCY,
        _stamp("recorded_at"),
        _RECORDED_BY,
    ), "A holding's company listed on an exchange, with its lock-up and sell-down terms."),
    RecordType("listed_price", ListedPrice, (
        _key(),
        _text("exchange", max_len=20),
        _text("ticker", max_len=20),
        _date("traded_on", doc="unique with `exchange` and `ticker`, also against the database"),
        _decimal("close_price", 4, allow_zero=False, doc="> 0, up to 4 decimals"),
        FieldSpec("currency", "currency", doc="ISO 4217 code"),
    ), "A listed share's closing price on one trading day (global reference data)."),
    RecordType("buyback_claim", BuybackClaim, (
        _key(),
        _ref("fund_id", "fund"),
        _ref("company_id", "company", doc="a company the fund has an `investment` in"),
        _enum("obligor_kind", ObligorKind),
        _text("obligor_name"),
        _enum("trigger", BuybackTrigger),
        _date("triggered_on", doc="inside the fund's life"),
        _money("principal_amount", doc="> 0"),
        _date("accrues_from", doc="not after `triggered_on`"),
        _rate("rate", doc="annual rate, a fraction"),
        _enum("method", InterestMethod),
        _money("dividends_amount", allow_zero=True, doc=">= 0"),
        _CURRENCY,
        _enum("status", ClaimStatus),
        _memo("memo"),
        _stamp("recorded_at"),
        _RECORDED_BY,
    ), "A triggered buy-back claim; it accrues until paid."),
    RecordType("exit_event", ExitEvent, (
        _key(),
        _ref("fund_id", "fund"),
        _ref("company_id", "company", doc="a company the fund has an `investment` in"),
        _enum("kind", ExitKind),
        _date("value_on", doc="inside the fund's life"),
        _shares("shares", required=False, allow_negative=True,
                doc="shares disposed of (negated in a reversal); empty if not counted"),
        _decimal("fraction_disposed", 8, allow_negative=True,
                 doc="in (0, 1] (negated in a reversal)"),
        _decimal("price_per_share", 4, required=False, doc="up to 4 decimals"),
        _signed("proceeds_amount", ">= 0: the whole consideration (negated in a reversal)"),
        _signed("escrow_amount", "0 to `proceeds_amount`: the part held back"),
        _date("escrow_due_on", required=False),
        _signed("cost_basis_amount", "the disposed part's average cost"),
        _signed("realised_gain_amount", "exactly `proceeds_amount` − `cost_basis_amount`"),
        _money("value_before_amount", allow_zero=True, doc=">= 0"),
        _money("remaining_value_amount", allow_zero=True, doc=">= 0; 0 when it closes"),
        _bool("closes_holding"),
        _CURRENCY,
        _memo("counterparty", 200),
        _enum("channel", TradeChannel, required=False),
        _ref("listing_id", "ipo_listing", required=False, doc="same fund and company"),
        _ref("buyback_claim_id", "buyback_claim", required=False, doc="same fund and company"),
        _memo("reason"),
        _memo("approval_doc", 200),
        _bool("tolerated"),
        _ref("cash_flow_id", "cash_flow", required=False,
             doc="the `proceeds` entry it posted (same fund, company and date; amount "
                 "`proceeds_amount` − `escrow_amount`; empty when that is 0 and on a "
                 "reversal); unique"),
        _ref("distribution_id", "cash_flow", required=False,
             doc="`in_kind` only: the fund's `distribution` entry paying the shares out "
                 "(empty on a reversal); unique"),
        _ref("holding_valuation_id", "holding_valuation", required=False,
             doc="the holding valuation it recorded: same fund, company and date; unique"),
        _text("source_ref", max_len=100, required=False),
        _memo("memo"),
        _ref("reverses_id", "exit_event", required=False,
             doc="id of an earlier `exit_event` row that this row reverses; unique"),
        _stamp("recorded_at"),
        _RECORDED_BY,
    ), "One exit on a holding with its realised gain or loss at average cost (append-only)."),
    RecordType("escrow_release", EscrowRelease, (
        _key(),
        _ref("exit_event_id", "exit_event"),
        _date("value_on", doc="not before the exit's date"),
        _money("amount", allow_negative=True, doc="> 0; a reversal holds exactly the negated "
                                                  "amount of its original"),
        _CURRENCY,
        _enum("outcome", EscrowOutcome),
        _ref("cash_flow_id", "cash_flow", required=False,
             doc="`released`: the `proceeds` entry (the exit's fund and company, same date "
                 "and amount); empty for `forfeited` and on a reversal; unique"),
        _ref("reverses_id", "escrow_release", required=False,
             doc="id of an earlier `escrow_release` row that this row reverses; unique"),
        _memo("memo"),
        _stamp("recorded_at"),
        _RECORDED_BY,
    ), "Escrow of an exit released to the fund or forfeited (append-only)."),
    RecordType("exit_reminder", ExitReminder, (
        _key(),
        _ref("fund_id", "fund"),
        _ref("company_id", "company"),
        _enum("kind", ReminderKind),
        FieldSpec("object_id", "objref", doc="`lockup_end`: an `ipo_listing`, `escrow_due`: "
                                             "an `exit_event`, `buyback_trigger`: a "
                                             "`buyback_claim` id; unique with `kind` and "
                                             "`due_on`"),
        _date("due_on"),
        _date("raised_on"),
        _stamp("recorded_at"),
    ), "A reminder the daily job raised once on a fund's exits."),
    RecordType("buyout_option", BuyoutOption, (
        _key(),
        _ref("fund_id", "fund"),
        _ref("holder_id", "investor", doc="the LP whose interest may be bought"),
        _date("window_from"),
        _date("window_to", doc="not before `window_from`"),
        _enum("eligible", EligibleBuyers),
        _ref("gp_investor_id", "investor", required=False, doc="the GP's own LP record"),
        _rate("rate", doc="annual simple rate, a fraction"),
        _enum("interest_base", InterestBase),
        _memo("memo"),
        _stamp("recorded_at"),
        _RECORDED_BY,
    ), "A buy-out option on the guidance LP's interest."),
    RecordType("interest_transfer", InterestTransfer, (
        _key(),
        _ref("fund_id", "fund"),
        _enum("kind", TransferKind),
        _ref("seller_id", "investor"),
        _ref("buyer_id", "investor", doc="not the seller"),
        _date("transfer_on", doc="inside the fund's life"),
        _rate("fraction", doc="in (0, 1]: the part of the seller's interest"),
        _money("commitment_amount", doc="> 0"),
        _money("paid_in_amount", allow_zero=True, doc=">= 0"),
        _enum("price_basis", PriceBasis),
        _money("price_amount", allow_zero=True, doc=">= 0, paid outside the fund"),
        FieldSpec("formula_price_amount", "money", required=False, allow_zero=True,
                  allow_negative=True),
        _date("reference_on", required=False),
        FieldSpec("reference_nav_amount", "money", required=False, allow_zero=True),
        _rate("discount_rate", required=False, allow_negative=True),
        FieldSpec("calls_after_amount", "money", required=False, allow_zero=True),
        FieldSpec("distributions_after_amount", "money", required=False, allow_zero=True),
        _rate("rate", required=False),
        _enum("interest_base", InterestBase, required=False),
        _ref("option_id", "buyout_option", required=False, doc="same fund"),
        _enum("trigger", EarlyExitTrigger, required=False),
        _memo("appraisal_ref", 200),
        _enum("platform", TransferPlatform, required=False),
        _CURRENCY,
        _ref("seller_commitment_id", "commitment",
             doc="the seller's row: −`commitment_amount` on `transfer_on` (a reversal: +); "
                 "unique"),
        _ref("buyer_commitment_id", "commitment",
             doc="the buyer's row: +`commitment_amount` (a reversal: −); unique"),
        _ref("cash_flow_id", "cash_flow",
             doc="its `lp_transfer` entry: −`paid_in_amount` to the seller, + to the buyer "
                 "(a reversal: that entry's reversal); unique"),
        _memo("memo"),
        _ref("reverses_id", "interest_transfer", required=False,
             doc="id of an earlier `interest_transfer` row that this row reverses; unique"),
        _stamp("recorded_at"),
        _RECORDED_BY,
    ), "A transfer of (part of) an LP's interest (append-only)."),
)
