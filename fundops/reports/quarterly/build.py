"""The quarterly report as a :class:`~fundops.reports.render.Document`, in the order of a
Chinese fund quarterly report (基金季度报告, the industry association's quarterly
disclosure): 基金基本情况, 募集及出资情况, 投资情况 (for a parent fund also the
look-through, leverage and policy indicators), 基金业绩, 本季度现金流量, 费用, 合伙人资本账户,
期后事项 — with the ILPA quarterly reporting fields as the checklist.

Words come from gettext in the current locale (the page's; the files are made in Chinese
by :mod:`fundops.reports.quarterly.packs`). Values stay raw (see the render model).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _

from fundops.calc import multiples
from fundops.calc.periods import Quarter
from fundops.messages.marker import N_
from fundops.portfolio.forms import label
from fundops.reports.quarterly import parent_sections
from fundops.reports.quarterly.content import QuarterlyReport
from fundops.reports.quarterly.frames import dsum
from fundops.reports.quarterly.tables import schedule_table
from fundops.reports.render import (
    Column,
    Document,
    Field,
    KeyValues,
    Kind,
    Paragraph,
    Section,
    Table,
    table,
)
from fundops.reports.render.document import frame_rows

A, R, M, T, D, N = Kind.AMOUNT, Kind.RATE, Kind.MULTIPLE, Kind.TEXT, Kind.DATE, Kind.INTEGER


def is_zh() -> bool:
    return str(get_locale()).startswith("zh")


def quarter_text(quarter: Quarter) -> str:
    return quarter.label_zh if is_zh() else f"{quarter.year} Q{quarter.number}"


def quarterly_document(report: QuarterlyReport) -> Document:
    """Every section of the report, in order."""
    fund = report.fund
    sections = [overview_section(report), commitments_section(report),
                investments_section(report)]
    if report.parent is not None:
        sections.extend(parent_sections.parent_sections(report))
    sections.extend([performance_section(report), cash_flow_section(report),
                     fees_section(report), capital_account_section(report),
                     subsequent_section(report)])
    title = f"{fund.name_zh} · {quarter_text(report.quarter)}{_('Quarterly report')}"
    subtitle = _("Period %(start)s to %(end)s · report date %(on)s · %(currency)s · "
                 "manager: %(manager)s", start=report.start.isoformat(),
                 end=report.end.isoformat(), on=report.report_on.isoformat(),
                 currency=fund.currency, manager=report.manager_name)
    notes = (_("Amounts are exact to the fen; multiples and rates are rounded half up for "
               "display. IRRs are XIRR (Actual/365) as of the quarter end."),)
    return Document(title, subtitle, tuple(sections), notes=notes)


def overview_section(report: QuarterlyReport) -> Section:
    """基金基本情况: names, kind, vintage, dates, term, stage, currency, manager."""
    f = report.fund
    years = round((f.term_end_on - f.inception_on).days / 365.25, 1)
    facts = KeyValues("facts", _("Fund overview"), (
        Field("name_zh", _("Fund name"), f.name_zh),
        Field("name_en", _("English name"), f.name_en or None),
        Field("code", _("Fund code"), f.code),
        Field("registration_no", _("Registration no. (AMAC)"), f.registration_no or None),
        Field("kind", _("Fund kind"), label(f.kind)),
        Field("guidance", _("Government guidance fund"), _("Yes") if f.is_guidance_fund
              else _("No")),
        Field("manager", _("Manager (GP)"), report.manager_name),
        Field("currency", _("Currency"), f.currency),
        Field("target_size", _("Target size"), f.target_size_amount, A),
        Field("vintage", _("Vintage"), str(f.vintage)),
        Field("inception_on", _("Inception date"), f.inception_on, D),
        Field("investment_period_end_on", _("Investment period ends"),
              f.investment_period_end_on, D),
        Field("term_end_on", _("Term ends"), f.term_end_on, D),
        Field("extension_end_on", _("Extension ends"), f.extension_end_on, D),
        Field("term", _("Term"), _("%(years)s years", years=years)),
        Field("stage", _("Stage"), label(f.stage)),
    ))
    period = KeyValues("period", _("Reporting period"), (
        Field("quarter", _("Quarter"), quarter_text(report.quarter)),
        Field("start", _("Period starts"), report.start, D),
        Field("end", _("Period ends"), report.end, D),
        Field("report_on", _("Report date"), report.report_on, D),
    ))
    return Section("overview", _("Fund overview"), (facts, period), _("Overview"))


def commitments_section(report: QuarterlyReport) -> Section:
    """募集及出资情况: fund totals, then commitment, paid-in, unfunded per LP."""
    net, lps = report.net, report.lps
    committed = net.committed if net.committed is not None else Decimal("0.00")
    totals = KeyValues("totals", _("Commitments and paid-in (whole fund)"), (
        Field("committed", _("Committed"), committed, A),
        Field("paid_in", _("Paid-in"), net.paid_in, A),
        Field("unfunded", _("Unfunded"), committed - net.paid_in, A),
        Field("paid_in_ratio", _("Paid-in ratio"), net.pic, R),
        Field("distributed", _("Distributed"), net.distributed, A),
        Field("lp_count", _("LPs shown"), len(lps), N),
    ))
    frame = lps.assign(investor_type=lps["investor_type"].map(
        lambda v: label(v, "InvestorType")))
    columns = [Column("investor", _("LP"), T), Column("investor_type", _("LP type"), T),
               Column("committed", _("Committed"), A), Column("paid_in", _("Paid-in"), A),
               Column("unfunded", _("Unfunded"), A),
               Column("paid_in_ratio", _("Paid-in ratio"), R),
               Column("distributed", _("Distributed"), A),
               Column("nav_share", _("NAV share"), A), Column("tvpi", _("TVPI"), M),
               Column("irr", _("Net IRR"), R)]
    total = [_("Total"), None, dsum(lps["committed"]), dsum(lps["paid_in"]),
             dsum(lps["unfunded"]), multiples.pic(dsum(lps["paid_in"]),
                                                   dsum(lps["committed"])),
             dsum(lps["distributed"]), dsum(lps["nav_share"]), None, None]
    note = (_("Only your own LP positions are shown.") if report.access.value == "lp"
            else _("NAV shares split the fund's NAV pro rata to paid-in capital."))
    lp_table = table("lps", _("Per LP at the quarter end"), columns, frame_rows(frame, columns),
                     total if len(lps) else None, _("No LP positions."), note)
    return Section("commitments", _("Commitments and paid-in capital"), (totals, lp_table),
                   _("Commitments"))


def investments_section(report: QuarterlyReport) -> Section:
    """投资情况: the schedule of investments; for a parent fund also its sub-funds."""
    blocks: list[Table | KeyValues | Paragraph] = [schedule_table(report.schedule)]
    if report.sub_funds:
        blocks.append(parent_sections.sub_fund_table(report.sub_funds))
    return Section("investments", _("Investments"), tuple(blocks), _("Investments"))


def performance_section(report: QuarterlyReport) -> Section:
    """基金业绩: net and gross returns since inception, carry, PME, quarterly history."""
    net, gross, carry = report.net, report.metrics.gross, report.carry
    fields = [
        Field("net_irr", _("Net IRR"), net.irr, R),
        Field("tvpi", _("TVPI"), net.tvpi, M), Field("dpi", _("DPI"), net.dpi, M),
        Field("rvpi", _("RVPI"), net.rvpi, M), Field("pic", _("PIC"), net.pic, R),
        Field("nav", _("NAV"), net.value, A),
        Field("nav_on", _("NAV valuation date"), net.value_on, D),
        Field("gross_irr", _("Gross IRR"), gross.irr if gross else None, R),
        Field("gross_moic", _("Gross MOIC"), gross.tvpi if gross else None, M),
    ]
    if carry is not None:
        after = carry.result.nav - carry.result.accrued_carry
        fields += [
            Field("accrued_carry", _("Accrued carry"), carry.result.accrued_carry, A),
            Field("nav_net_of_carry", _("LPs' NAV net of accrued carry"), after, A),
            Field("tvpi_net_of_carry", _("TVPI net of accrued carry"),
                  multiples.tvpi(net.distributed, after, net.paid_in), M),
            Field("rvpi_net_of_carry", _("RVPI net of accrued carry"),
                  multiples.rvpi(after, net.paid_in), M),
        ]
    blocks: list[Table | KeyValues | Paragraph] = [
        KeyValues("since_inception", _("Since inception, as of the quarter end"),
                  tuple(fields))]
    if net.short_track_record:
        blocks.append(Paragraph("short", _("The track record is under one year: the annual "
                                           "IRR overstates or understates the cumulative "
                                           "return.")))
    if report.pmes:
        rows = [(p.index_code, p.result.ks_pme if p.result else None,
                 p.result.direct_alpha if p.result else None,
                 None if p.error is None else _localised(p.error)) for p in report.pmes]
        blocks.append(table("pme", _("Public market equivalents"), [
            Column("index", _("Index"), T), Column("ks_pme", _("KS-PME"), M),
            Column("direct_alpha", _("Direct Alpha"), R), Column("note", _("Note"), T)],
            rows, note=_("KS-PME above 1 means the fund beat the index.")))
    history = [(p.on, p.net.paid_in, p.net.distributed, p.net.value, p.net.dpi, p.net.tvpi,
                p.net.irr) for p in report.history]
    blocks.append(table("history", _("Quarter-end history"), [
        Column("on", _("Quarter end"), D), Column("paid_in", _("Paid-in"), A),
        Column("distributed", _("Distributed"), A), Column("nav", _("NAV"), A),
        Column("dpi", _("DPI"), M), Column("tvpi", _("TVPI"), M),
        Column("irr", _("Net IRR"), R)], history))
    return Section("performance", _("Performance"), tuple(blocks), _("Performance"))


def _localised(exc: Exception) -> str:
    from fundops.i18n import localise

    return localise(exc)


def _flow_detail(row: dict[str, object]) -> str:
    if row.get("call_purpose"):
        return label(row["call_purpose"], "CallPurpose")
    if row.get("distribution_type"):
        return label(row["distribution_type"], "DistributionType")
    return ""


def _flow_rows(frame: object) -> list[tuple[Any, ...]]:
    import pandas as pd

    assert isinstance(frame, pd.DataFrame)
    rows = []
    for rec in frame.to_dict("records"):
        kind = label(rec["kind"], "CashFlowKind")
        if rec["reverses_id"] is not None:
            kind = _("%(kind)s (reversal)", kind=kind)
        party = rec["company"] or rec["sub_fund"] or rec["counterparty"] or None
        rows.append((rec["value_on"], kind, _flow_detail(rec) or None, party,
                     rec["amount"], rec["memo"] or None))
    return rows


FLOW_COLUMNS = (("value_on", N_("Value date"), D), ("kind", N_("Kind"), T),
                ("detail", N_("Detail"), T),
                ("party", N_("Company / sub-fund / counterparty"), T),
                ("amount", N_("Amount"), A), ("memo", N_("Memo"), T))


def flow_columns() -> list[Column]:
    return [Column(k, _(text), kind) for k, text, kind in FLOW_COLUMNS]


def cash_flow_section(report: QuarterlyReport) -> Section:
    """本季度现金流量: totals by kind, then every ledger entry dated in the quarter."""
    summary = report.flow_summary
    rows = [(label(kind, "CashFlowKind"), int(r["count"]), r["amount"])
            for kind, r in summary.iterrows()]
    by_kind = table("by_kind", _("By kind"), [
        Column("kind", _("Kind"), T), Column("count", _("Entries"), N),
        Column("amount", _("Amount"), A)], rows, empty=_("No ledger entries in the quarter."),
        note=_("Each amount is positive in the direction its kind names (a call into the "
               "fund, a distribution to the LPs); reversals are negative."))
    entries = table("entries", _("Ledger entries of the quarter"), flow_columns(),
                    _flow_rows(report.flows), empty=_("No ledger entries in the quarter."))
    return Section("cash_flows", _("Cash flows of the quarter"), (by_kind, entries),
                   _("Cash flows"))


def fees_section(report: QuarterlyReport) -> Section:
    """费用: management fees and fund expenses, quarter / year to date / since inception."""
    fees = report.fees
    rows = [(label(kind, "CashFlowKind"), r["quarter"], r["ytd"], r["itd"])
            for kind, r in fees.iterrows()]
    total = (_("Total"), dsum(fees["quarter"]), dsum(fees["ytd"]), dsum(fees["itd"]))
    paid_in = report.net.paid_in
    share = KeyValues("ratios", _("Fees and expenses relative to paid-in"), (
        Field("itd_to_paid_in", _("Since inception / paid-in"),
              None if not paid_in else (total[3] / paid_in), R),))
    return Section("fees", _("Fees and expenses"), (table(
        "by_category", _("By category"), [
            Column("category", _("Category"), T), Column("quarter", _("This quarter"), A),
            Column("ytd", _("Year to date"), A), Column("itd", _("Since inception"), A)],
        rows, total), share), _("Fees"))


def capital_account_columns() -> list[Column]:
    """The ILPA capital account statement's columns, in statement order."""
    return [Column("investor", _("LP"), T),
            Column("opening", _("Opening balance"), A),
            Column("contributions", _("Contributions"), A),
            Column("management_fees", _("Management fees"), A),
            Column("fund_expenses", _("Fund expenses"), A),
            Column("realised", _("Realised gain/loss"), A),
            Column("unrealised", _("Change in unrealised gain/loss"), A),
            Column("carry", _("Carried interest"), A),
            Column("distributions", _("Distributions"), A),
            Column("transfers", _("Transfers of interest"), A),
            Column("reallocation", _("Reallocation among partners"), A),
            Column("closing", _("Closing balance"), A)]


def capital_account_note() -> str:
    return _("Each line is signed as its effect on the account: opening + the lines = "
             "closing, and the closing balance is the LP's share of the fund's NAV (pro rata "
             "to paid-in). Fees, expenses and gains are the fund's, allocated pro rata to "
             "paid-in at each quarter end; carried interest is what the fund's waterfall "
             "runs took from each LP's profit (paid to the carry recipient); reallocation "
             "is the effect of closings at different times, uneven calls and distributions, "
             "a carry holdback kept in the fund, and rounding; it sums to zero over the "
             "partners.")


def capital_account_section(report: QuarterlyReport) -> Section:
    """合伙人资本账户: the quarter's ILPA capital account statement of every visible LP
    (:mod:`fundops.reports.statements`) and the register below it."""
    frame = report.capital
    columns = capital_account_columns()
    total = [_("Total"), *(dsum(frame[c.key]) for c in columns[1:])]
    register = [Column("investor", _("LP"), T), Column("committed", _("Committed"), A),
                Column("paid_in", _("Paid-in"), A), Column("unfunded", _("Unfunded"), A),
                Column("recallable", _("Recallable distributions"), A)]
    return Section("capital_account", _("Partners' capital accounts"), (
        table("statement", _("Capital account statement for the quarter"), columns,
              frame_rows(frame, columns), total if len(frame) else None,
              _("No LP positions."), capital_account_note()),
        table("register", _("Commitments at the quarter end"), register,
              frame_rows(frame, register), None, _("No LP positions.")),
    ), _("Capital accounts"))


def subsequent_section(report: QuarterlyReport) -> Section:
    """期后事项: ledger entries dated after the quarter end up to the report date."""
    return Section("subsequent", _("Subsequent events"), (table(
        "entries", _("Ledger entries after the quarter end"), flow_columns(),
        _flow_rows(report.subsequent), empty=_("No subsequent events."),
        note=_("After %(end)s up to the report date %(on)s.",
               end=report.end.isoformat(), on=report.report_on.isoformat())),),
        _("Subsequent events"))
