"""A notice as a document (page, xlsx, PDF): the fund, the LP, the number and dates, the
receiving account (calls), the amount with its breakdown and the LP's cumulative figures
after the entry.

Breakdown: a call's amount sits on the line of its purpose (investment, management fee,
fund expenses, other; the other lines 0.00). A distribution's **gross** amount (before
carry) sits on the line of its type (return of capital, gain, income, in kind); for a
waterfall run's entry the carry withheld from this LP follows as a negative line, and the
total is the amount paid to the LP. Amounts are exact yuan (2 dp) in the notice's
currency; every figure is what the notice stored when issued.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _

from fundops.portfolio.enums import CallPurpose, DistributionType
from fundops.reports.notices.models import Notice, NoticeKind
from fundops.reports.render import (
    Column,
    Document,
    Field,
    KeyValues,
    Kind,
    Paragraph,
    Section,
    Table,
)
from fundops.reports.render import table as make_table

A, T, D = Kind.AMOUNT, Kind.TEXT, Kind.DATE
ZERO = Decimal("0.00")


def title(kind: NoticeKind) -> str:
    return _("Capital call notice") if kind is NoticeKind.CALL else _("Distribution notice")


def _purposes() -> dict[CallPurpose, str]:
    return {CallPurpose.INVESTMENT: _("Investment"),
            CallPurpose.MANAGEMENT_FEE: _("Management fee"),
            CallPurpose.FUND_EXPENSES: _("Fund expenses"), CallPurpose.OTHER: _("Other")}


def _types() -> dict[DistributionType, str]:
    return {DistributionType.RETURN_OF_CAPITAL: _("Return of capital"),
            DistributionType.GAIN: _("Distributed gains"),
            DistributionType.INCOME: _("Distributed income"),
            DistributionType.IN_KIND: _("Distributions in kind")}


def breakdown_rows(notice: Notice) -> list[tuple[str, Decimal]]:
    """The breakdown lines (label, yuan) whose sum is the notice's amount."""
    entry = notice.cash_flow
    if notice.kind is NoticeKind.CALL:
        purpose = entry.call_purpose or CallPurpose.OTHER
        return [(label, notice.amount if key is purpose else ZERO)
                for key, label in _purposes().items()]
    dtype = entry.distribution_type or DistributionType.RETURN_OF_CAPITAL
    rows = [(label, notice.gross if key is dtype else ZERO) for key, label in _types().items()]
    if notice.carry_withheld is not None:
        rows.append((_("Less: carried interest withheld"), -notice.carry_withheld))
    return rows


def _facts(notice: Notice) -> KeyValues:
    fund, call = notice.fund, notice.kind is NoticeKind.CALL
    fields = [Field("fund", _("Fund"), fund.name_zh)]
    if fund.name_en:
        fields.append(Field("fund_en", _("Fund (English name)"), fund.name_en))
    fields += [
        Field("code", _("Fund code"), fund.code), Field("lp", _("LP"), notice.investor.name),
        Field("number", _("Notice number"), notice.number),
        Field("issued_on", _("Notice date"), notice.issued_on, D),
        Field("value_on", _("Call date") if call else _("Distribution date"),
              notice.cash_flow.value_on, D)]
    if call:
        fields.append(Field("due_on", _("Due date"), notice.due_on, D))
    fields += [Field("currency", _("Currency"), notice.currency),
               Field("amount", _("Amount called from you") if call
                     else _("Amount distributed to you"), notice.amount, A)]
    return KeyValues("facts", title(notice.kind), tuple(fields))


def _account(notice: Notice) -> KeyValues:
    a = notice.account
    return KeyValues("account", _("Receiving account"), (
        Field("bank_name", _("Bank"), a.bank_name if a else None),
        Field("branch", _("Branch"), (a.branch or None) if a else None),
        Field("account_name", _("Account name"), a.account_name if a else None),
        Field("account_number", _("Account number"), a.account_number if a else None)))


def _cumulative(notice: Notice) -> KeyValues:
    on = notice.cash_flow.value_on.isoformat()
    return KeyValues("cumulative", _("Your figures after this notice (as at %(on)s)", on=on), (
        Field("committed", _("Commitment"), notice.committed, A),
        Field("paid_in", _("Paid-in to date"), notice.paid_in, A),
        Field("unfunded", _("Unfunded commitment"), notice.unfunded, A),
        Field("distributed", _("Distributions to date"), notice.distributed, A)))


def notice_document(notice: Notice) -> Document:
    """The notice as one section (see the module)."""
    call = notice.kind is NoticeKind.CALL
    breakdown = make_table(
        "breakdown", _("Amount by purpose") if call else _("Amount by type"),
        [Column("item", _("Item"), T), Column("amount", _("Amount"), A)],
        breakdown_rows(notice), (_("Total"), notice.amount))
    if call:
        say = _("Please pay the amount called to the receiving account above by the due date, "
                "quoting the notice number.")
        blocks: list[KeyValues | Table | Paragraph] = [
            _facts(notice), _account(notice), breakdown, _cumulative(notice)]
    else:
        say = _("The amount distributed is paid to your account on record. The gross amount "
                "is your share before any carried interest withheld.")
        blocks = [_facts(notice), breakdown, _cumulative(notice)]
    section = Section("notice", title(notice.kind), (*blocks, Paragraph("note", say)))
    return Document(f"{notice.fund.name_zh} · {title(notice.kind)}",
                    f"{notice.number} · {notice.investor.name}", (section,))


def file_name(notice: Notice, suffix: str) -> str:
    word = "缴款通知书" if notice.kind is NoticeKind.CALL else "分配通知书"
    return f"{notice.number}_{word}.{suffix}"
