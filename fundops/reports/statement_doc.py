"""Capital account statements as documents (page, xlsx, PDF): the fund's statement of every
visible LP for a period, and one LP's statement (its lines down the page, the register
below, the breakdown of contributions and distributions).

Periods: ``period`` = qtd | ytd | itd ending on ``end`` (ILPA), or explicit ``start`` and
``end``; a period that ends before it starts is ``statement_period_reversed``; one that
ends after today or before the fund's inception is refused too (nothing to state).
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _

from fundops.calc.capital_account import Line
from fundops.calc.periods import Period, PeriodKind, period_ending
from fundops.clock import business_today
from fundops.errors import ValidationError
from fundops.metrics.frames import cents_to_decimal as dec
from fundops.portfolio.enums import CallPurpose, DistributionType
from fundops.portfolio.models import Fund
from fundops.reports.quarterly.build import capital_account_columns, capital_account_note
from fundops.reports.render import Column, Document, Field, KeyValues, Kind, Section, table
from fundops.reports.statements import FundStatement, LpStatement
from fundops.validation import require_date

A, T = Kind.AMOUNT, Kind.TEXT


def statement_period(fund: Fund, args: Mapping[str, str]) -> Period:
    """The period asked for by ``period``/``start``/``end`` (default: quarter to date
    ending today), checked against the fund's life and today."""
    today = business_today()
    end = require_date(args.get("end") or today.isoformat(), "end")
    if end > today:
        raise ValidationError("end", "statement_end_in_future", end=end)
    if end < fund.inception_on:
        raise ValidationError("end", "statement_before_inception", end=end,
                              inception=fund.inception_on)
    if args.get("start"):
        start = require_date(args["start"], "start")
        return Period.checked(max(start, fund.inception_on) if start <= end else start, end)
    raw = (args.get("period") or PeriodKind.QTD.value).strip().lower()
    if raw not in {k.value for k in PeriodKind}:
        raise ValidationError("period", "statement_period_kind", value=raw[:10])
    return period_ending(PeriodKind(raw), end, fund.inception_on)


def period_text(period: Period) -> str:
    return _("%(start)s to %(end)s", start=period.start.isoformat(), end=period.end.isoformat())


def _row(lp: LpStatement) -> tuple[object, ...]:
    return (lp.investor.name, lp.opening, *(lp.amount(line) for line in Line), lp.closing)


def fund_document(statement: FundStatement) -> Document:
    """Every visible LP's account in one table with the fund's total row."""
    columns = capital_account_columns()
    total = statement.total
    total_row = (_("Total"), dec(total.opening), *(dec(total.lines[line]) for line in Line),
                 dec(total.closing))
    fund = statement.fund
    facts = KeyValues("facts", _("Fund"), (
        Field("fund", _("Fund"), fund.name_zh), Field("code", _("Code"), fund.code),
        Field("currency", _("Currency"), fund.currency),
        Field("period", _("Period"), period_text(statement.period)),
        Field("nav_opening", _("Fund NAV at the start"), statement.nav_opening, A),
        Field("nav_closing", _("Fund NAV at the end"), statement.nav_closing, A)))
    body = table("statement", _("Capital account statement"), columns,
                 [_row(lp) for lp in statement.lps], total_row if statement.lps else None,
                 _("No LP positions."), capital_account_note())
    return Document(_("%(fund)s · Capital account statements", fund=fund.name_zh),
                    period_text(statement.period),
                    (Section("statement", _("Capital accounts"), (facts, body)),))


def lp_document(statement: FundStatement, lp: LpStatement) -> Document:
    """One LP's statement: the roll-forward down the page, then the register and the
    breakdown of its contributions and distributions."""
    amount = Column("amount", _("Amount"), A)
    item = Column("item", _("Item"), T)
    labels = {c.key: c.label for c in capital_account_columns()}
    rows = [(labels["opening"], lp.opening),
            *((labels[line.value], lp.amount(line)) for line in Line),
            (labels["closing"], lp.closing)]
    fund = statement.fund
    facts = KeyValues("facts", _("Statement"), (
        Field("fund", _("Fund"), fund.name_zh), Field("lp", _("LP"), lp.investor.name),
        Field("period", _("Period"), period_text(statement.period)),
        Field("currency", _("Currency"), fund.currency)))
    register = KeyValues("register", _("Commitment at the period end"), (
        Field("committed", _("Committed"), lp.register.committed, A),
        Field("paid_in", _("Paid-in"), lp.register.paid_in, A),
        Field("unfunded", _("Unfunded"), lp.register.unfunded, A),
        Field("recallable", _("Recallable distributions"), lp.register.recallable, A)))
    split = [(_purpose(p), dec(v)) for p, v in sorted(lp.contributions_by.items())]
    split += [(_dist_type(t), dec(v)) for t, v in sorted(lp.distributions_by.items())]
    return Document(
        _("%(fund)s · Capital account statement of %(lp)s", fund=fund.name_zh,
          lp=lp.investor.name), period_text(statement.period),
        (Section("account", _("Capital account"), (
            facts, table("lines", _("Capital account"), [item, amount], rows,
                         note=capital_account_note()), register,
            table("breakdown", _("Contributions and distributions by type"), [item, amount],
                  split, empty=_("No contributions or distributions in the period.")))),))


def _purpose(purpose: CallPurpose) -> str:
    return {CallPurpose.INVESTMENT: _("Contributions for investments"),
            CallPurpose.MANAGEMENT_FEE: _("Contributions for management fees"),
            CallPurpose.FUND_EXPENSES: _("Contributions for fund expenses"),
            CallPurpose.OTHER: _("Other contributions")}[purpose]


def _dist_type(kind: DistributionType) -> str:
    return {DistributionType.RETURN_OF_CAPITAL: _("Return of capital"),
            DistributionType.GAIN: _("Distributed gains"),
            DistributionType.INCOME: _("Distributed income"),
            DistributionType.IN_KIND: _("Distributions in kind")}[kind]


def file_name(statement: FundStatement, suffix: str, lp: LpStatement | None = None) -> str:
    who = f"_{lp.investor.name}" if lp else ""
    p = statement.period
    return f"{statement.fund.code}{who}_资本账户_{p.start:%Y%m%d}-{p.end:%Y%m%d}.{suffix}"
