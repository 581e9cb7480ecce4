"""The dataset format: record types in dependency order and the fields of each.

This module (with :mod:`.schema_loans` for policy rules, index levels, term sheets,
loans and risk pools, :mod:`.schema_exits` for the exit stage, :mod:`.schema_waterfalls`
for the distribution waterfall, and :mod:`.schema_fields` for the field descriptions) is the
single source of the field lists used by the exporter, the readers, the validator and
``docs/exchange-format.md``. A field's ``kind`` fixes how it is
written and parsed:

``key``        the record's id in the file (integer on export; any integer or text on import);
               a few link tables have none (identified by their references)
``ref``        the ``key`` of a record of type ``target`` in the same file
``objref``     the ``key`` of a record whose type depends on the row (:func:`ref_target`)
``text``       free text; ``required`` means non-empty, otherwise ``null_if_empty``
               decides between NULL and "" for an empty value
``enum``       one of the values of ``enum``
``money``      exact amount, decimal string with at most ``places`` (2) decimals
``decimal``    exact quantity or rate, decimal string with at most ``places`` decimals
``currency``   ISO 4217 code (see :func:`fundops.money.validate_currency`)
``date``       ``YYYY-MM-DD``
``timestamp``  ISO 8601 with a UTC offset; empty means "now" on import
``bool``       true/false
``int``        integer
``uscc``       unified social credit code (GB 32100 check character verified)
``region``     six-digit administrative division code
``tags``       comma-separated company tags
"""

from __future__ import annotations

from typing import Any

from fundops.auth.models import Organisation, OrgKind, Role, User
from fundops.exchange.schema_exits import EXIT_RECORD_TYPES, REMINDER_TARGETS
from fundops.exchange.schema_fields import (
    FieldSpec,
    RecordType,
    _bool,
    _date,
    _enum,
    _key,
    _money,
    _ref,
    _stamp,
    _text,
)
from fundops.exchange.schema_loans import LOAN_RECORD_TYPES
from fundops.exchange.schema_waterfalls import WATERFALL_RECORD_TYPES
from fundops.portfolio.enums import (
    CallPurpose,
    CashFlowKind,
    CompanyStage,
    DistributionType,
    FundKind,
    FundStage,
    Instrument,
    InvestorType,
)
from fundops.portfolio.ledger import (
    CashFlow,
    CashFlowAllocation,
    FundValuation,
    HoldingValuation,
    Investment,
)
from fundops.portfolio.models import Commitment, Company, Fund, FundStageChange, Investor

FORMAT_NAME = "fundops-dataset"
FORMAT_VERSION = 1
META_SHEET = "meta"

# Kinds written as plain text without formula-injection escaping: their values are
# strictly validated numbers/dates on import and never free text.
NUMERIC_TEXT_KINDS = frozenset({"money", "decimal", "date", "timestamp"})


_CURRENCY = FieldSpec("currency", "currency", doc="must equal the fund's currency")
_RECORDED_BY = _ref("recorded_by_id", "user", required=False,
                    doc="id of the `user` who recorded it; empty if unknown")

CORE_RECORD_TYPES: tuple[RecordType, ...] = (
    RecordType("organisation", Organisation, (
        _key(),
        _text("name", doc="unique; must not exist in the database yet"),
        _enum("kind", OrgKind),
        _stamp("created_at"),
    ), "A tenant."),
    RecordType("user", User, (
        _key(),
        _ref("organisation_id", "organisation"),
        _text("email", max_len=254,
              doc="unique (case-insensitive); must not exist in the database"),
        _text("display_name"),
        _enum("role", Role),
        _text("locale", max_len=10, required=False, doc="e.g. zh_CN or en; empty: default"),
        _bool("is_active", default=True, attr="is_active_flag"),
        _text("password_hash", max_len=256,
              doc="werkzeug password hash, copied as is so that logins survive a restore"),
        _stamp("created_at"),
    ), "A person who logs in. API tokens are not exported."),
    RecordType("fund", Fund, (
        _key(),
        _ref("organisation_id", "organisation", doc="the managing organisation"),
        _text("code", max_len=40, doc="1-40 letters, digits, '.', '_' or '-'; "
                                       "unique per organisation"),
        _text("name_zh"),
        _text("name_en", required=False),
        _enum("kind", FundKind),
        FieldSpec("currency", "currency", doc="the fund's ledger currency"),
        FieldSpec("vintage", "int", doc="year, 1980-2100"),
        _money("target_size_amount", doc="> 0"),
        _date("inception_on"),
        _date("investment_period_end_on"),
        _date("term_end_on"),
        _date("extension_end_on", required=False),
        _enum("stage", FundStage),
        FieldSpec("region_code", "region"),
        _text("registration_no", max_len=40, required=False,
              doc="public registration number; unique, also against the database"),
        _bool("is_guidance_fund"),
        _stamp("created_at"),
    ), "A fund; ledger dates must fall between inception and the end of its extension."),
    RecordType("fund_stage_change", FundStageChange, (
        _key(),
        _ref("fund_id", "fund"),
        _enum("stage", FundStage),
        _date("effective_on"),
        _text("reason", max_len=500, required=False, null_if_empty=False),
        _stamp("recorded_at"),
        _RECORDED_BY,
    ), "A dated lifecycle transition of a fund."),
    RecordType("investor", Investor, (
        _key(),
        _ref("organisation_id", "organisation", doc="the organisation that records this LP"),
        _text("name", doc="unique per organisation"),
        _enum("investor_type", InvestorType),
        _ref("fund_id", "fund", required=False, doc="set when the LP is itself a fund"),
        FieldSpec("uscc", "uscc", required=False),
        _stamp("created_at"),
    ), "An LP."),
    RecordType("commitment", Commitment, (
        _key(),
        _ref("fund_id", "fund"),
        _ref("investor_id", "investor", doc="an investor of the fund's organisation"),
        _money("amount", allow_negative=True,
               doc="> 0; negative only as an `interest_transfer`'s seller row (or the buyer "
                   "row of its reversal)"),
        _CURRENCY,
        _date("committed_on"),
        FieldSpec("closing", "int", doc=">= 1"),
        _stamp("recorded_at"),
        _RECORDED_BY,
    ), "An investor's subscription to a fund."),
    RecordType("company", Company, (
        _key(),
        _ref("created_by_organisation_id", "organisation"),
        _text("name", doc="registered name: the same on every record of the credit code"),
        FieldSpec("uscc", "uscc", doc="unique per organisation; records of one code (of "
                                      "different organisations) share the company's identity"),
        _text("sector", max_len=100),
        _enum("stage", CompanyStage),
        FieldSpec("region_code", "region"),
        _bool("is_hard_tech"),
        _bool("is_sme"),
        FieldSpec("tags", "tags", required=False,
                  doc="comma-separated: srdi, little_giant, high_tech; empty for none"),
        _stamp("created_at"),
    ), "An organisation's record of a portfolio company (its own sector, stage, flags and "
       "tags); the credit code, registered name and region are the company's shared identity."),
    RecordType("cash_flow", CashFlow, (
        _key(),
        _ref("fund_id", "fund"),
        _enum("kind", CashFlowKind),
        _enum("call_purpose", CallPurpose, required=False),
        _enum("distribution_type", DistributionType, required=False),
        _bool("recallable"),
        _date("value_on"),
        _money("amount", allow_zero=True, allow_negative=True,
               doc="> 0; a reversal holds exactly the negated amount of its original; an "
                   "`lp_transfer` entry exactly 0.00"),
        _CURRENCY,
        _text("counterparty", required=False, null_if_empty=False),
        _ref("company_id", "company", required=False),
        _ref("target_fund_id", "fund", required=False,
             doc="the sub-fund paid or received, for `fund_contribution` / `fund_return`"),
        _text("source_ref", max_len=100, required=False),
        _text("memo", max_len=500, required=False, null_if_empty=False),
        _ref("reverses_id", "cash_flow", required=False,
             doc="id of an earlier `cash_flow` row that this row reverses"),
        _stamp("recorded_at"),
        _RECORDED_BY,
    ), "A posted ledger entry."),
    RecordType("cash_flow_allocation", CashFlowAllocation, (
        _key(),
        _ref("cash_flow_id", "cash_flow"),
        _ref("investor_id", "investor"),
        _money("amount", allow_zero=True, allow_negative=True,
               doc="same sign as the entry, or 0; the rows of one entry sum exactly to it"),
        FieldSpec("currency", "currency", doc="must equal the entry's currency"),
    ), "An LP's share of a capital call or distribution."),
    RecordType("fund_valuation", FundValuation, (
        _key(),
        _ref("fund_id", "fund"),
        _date("as_of"),
        _money("nav_amount", allow_zero=True, doc=">= 0"),
        _CURRENCY,
        _text("source", max_len=100, required=False, null_if_empty=False),
        _stamp("recorded_at"),
        _RECORDED_BY,
    ), "A fund NAV at a date."),
    RecordType("holding_valuation", HoldingValuation, (
        _key(),
        _ref("fund_id", "fund"),
        _ref("company_id", "company", doc="a company the fund has an `investment` in"),
        _date("as_of"),
        _money("fair_value_amount", allow_zero=True, doc=">= 0"),
        _CURRENCY,
        _text("method", max_len=100, required=False, null_if_empty=False),
        _stamp("recorded_at"),
        _RECORDED_BY,
    ), "Fair value of a fund's holding in a company."),
    RecordType("investment", Investment, (
        _key(),
        _ref("fund_id", "fund"),
        _ref("company_id", "company"),
        _text("round_name", max_len=50),
        _enum("instrument", Instrument),
        _date("invested_on"),
        _money("amount", doc="> 0"),
        _CURRENCY,
        FieldSpec("shares", "decimal", required=False, places=4, doc="> 0, up to 4 decimals"),
        FieldSpec("ownership_rate", "decimal", required=False, places=8,
                  doc="a fraction (0.05 = 5 %), > 0 and <= 1, up to 8 decimals"),
        _ref("cash_flow_id", "cash_flow",
             doc="the `investment` entry that paid it: same fund, company, date and amount"),
        _stamp("recorded_at"),
        _RECORDED_BY,
    ), "A fund's investment in a company."),
)

RECORD_TYPES: tuple[RecordType, ...] = (CORE_RECORD_TYPES + LOAN_RECORD_TYPES + EXIT_RECORD_TYPES
                                         + WATERFALL_RECORD_TYPES)

BY_NAME: dict[str, RecordType] = {rt.name: rt for rt in RECORD_TYPES}
SHEET_ORDER: tuple[str, ...] = tuple(rt.name for rt in RECORD_TYPES)


def ref_target(spec: FieldSpec, values: dict[str, Any]) -> str | None:
    """The record type a ``ref`` or ``objref`` field of a row with ``values`` names (None:
    not a reference, or the row's ``kind`` is missing or unknown). The one ``objref`` is
    ``exit_reminder.object_id``, whose target follows the reminder's ``kind``."""
    if spec.kind == "ref":
        return spec.target
    if spec.kind == "objref":
        kind = values.get("kind")
        return REMINDER_TARGETS.get(kind) if kind is not None else None
    return None
