"""The parent fund's (guidance fund / 母基金) sections of the quarterly report — look-through,
leverage of social capital with the loan leverage, policy indicators with breaches — and the
sub-fund parts (the parent's positions in its sub-funds; one summary, performance and
schedule of investments per sub-fund for the consolidated pack).

Figures are those of :func:`fundops.metrics.parent.parent_overview` at the quarter end
(paid-in share basis, fair values) and of :mod:`fundops.reports.quarterly.subfunds`.
Exact fractions are rounded to the fen half-even, as the metrics pages do.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from flask_babel import get_locale
from flask_babel import gettext as _

from fundops.portfolio.forms import label
from fundops.reports.quarterly.subfunds import SubFundBook
from fundops.reports.quarterly.tables import schedule_table
from fundops.reports.render import Column, Field, KeyValues, Kind, Paragraph, Section, Table, table

if TYPE_CHECKING:
    from fundops.reports.quarterly.content import QuarterlyReport

A, R, M, T, D, N = Kind.AMOUNT, Kind.RATE, Kind.MULTIPLE, Kind.TEXT, Kind.DATE, Kind.INTEGER
TOP_COMPANIES = 30
"""Companies listed in the look-through (largest exposure first); the API lists them all."""


def pick(zh: str, en: str) -> str:
    return zh if str(get_locale()).startswith("zh") else en


def fen(value: Fraction) -> Decimal:
    """An exact fraction of yuan rounded to the fen, half-even."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def basis_text(basis: object) -> str:
    return {"subscribed": _("Subscribed"), "paid_in": _("Paid-in")}.get(str(basis), str(basis))


def parent_sections(report: QuarterlyReport) -> list[Section]:
    overview = report.parent
    assert overview is not None
    return [look_through_section(report), leverage_section(report), policy_section(report)]


def _fund_label(report: QuarterlyReport, fund_id: int) -> str:
    assert report.parent is not None
    code, name = report.parent.labels.get(fund_id, (f"#{fund_id}", ""))
    return f"{code} {name}".strip()


def look_through_section(report: QuarterlyReport) -> Section:
    assert report.parent is not None
    lt = report.parent.look_through
    direct = fen(lt.direct_total_exact)
    facts = KeyValues("totals", _("Look-through exposure (paid-in shares, fair value)"), (
        Field("total", _("Look-through exposure"), lt.total_amount, A),
        Field("direct", _("Direct holdings of the parent fund"), direct, A),
        Field("through", _("Through sub-funds"), lt.total_amount - direct, A),
        Field("companies", _("Companies"), len(lt.rows), N),
        Field("consistent", _("Consistency check"),
              _("Consistent") if lt.consistent else _("Inconsistent")),
    ))
    shares = table("shares", _("Shares of direct sub-funds"), [
        Column("sub_fund", _("Sub-fund"), T), Column("share", _("Share"), R),
        Column("numerator", _("Parent in sub-fund"), A),
        Column("denominator", _("Sub-fund total"), A),
        Column("attributed", _("Attributed to parent"), A)],
        [(_fund_label(report, s.sub_fund_id), s.share_rate, s.share_numerator,
          s.share_denominator, s.attributed_amount) for s in lt.sub_funds],
        empty=_("No sub-fund commitments on or before this date."))
    companies = table("companies", _("Largest company exposures"), [
        Column("company", _("Company"), T), Column("sector", _("Sector"), T),
        Column("stage", _("Stage"), T), Column("exposure", _("Exposure"), A),
        Column("share", _("Share of total"), R)],
        [(r.company_name, r.sector or None, label(r.stage, "CompanyStage"), r.exposure_amount,
          r.exposure_amount / lt.total_amount if lt.total_amount else None)
         for r in lt.rows[:TOP_COMPANIES]], empty=_("No exposure."),
        note=_("%(n)s of %(total)s companies, largest first.",
               n=min(TOP_COMPANIES, len(lt.rows)), total=len(lt.rows)))
    sectors = table("sectors", _("By sector"), [
        Column("sector", _("Sector"), T), Column("companies", _("Companies"), N),
        Column("exposure", _("Exposure"), A), Column("share", _("Share of total"), R)],
        [(b.key or None, b.companies, b.exposure_amount, b.share_of_total)
         for b in lt.by_sector], empty=_("No exposure."))
    return Section("look_through", _("Look-through"), (facts, shares, companies, sectors),
                   _("Look-through"))


def _ratio_rows(ratios: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    return [(pick(r.label_zh, r.label_en), basis_text(r.basis),
             r.numerator, r.denominator, r.value)
            for r in ratios]


def _ratio_columns() -> list[Column]:
    return [Column("ratio", _("Ratio"), T), Column("basis", _("Basis"), T),
            Column("numerator", _("Numerator"), A), Column("denominator", _("Denominator"), A),
            Column("value", _("Multiple"), M)]


def leverage_section(report: QuarterlyReport) -> Section:
    assert report.parent is not None
    lev, loans = report.parent.leverage, report.parent.loan_leverage
    ratios = table("ratios", _("Leverage of social capital"), _ratio_columns(),
                   _ratio_rows(lev.ratios))
    subs = table("sub_funds", _("Per sub-fund"), [
        Column("sub_fund", _("Sub-fund"), T), Column("committed", _("Committed"), A),
        Column("paid_in", _("Paid-in"), A),
        Column("guidance_committed", _("Guidance fund committed"), A),
        Column("government_committed", _("Government committed"), A),
        Column("invested", _("Invested at cost"), A)],
        [(f"{s.fund_code} {s.fund_name}", s.committed_total, s.paid_in_total,
          s.guidance_committed, s.government_committed, s.invested) for s in lev.sub_funds],
        empty=_("No sub-fund commitments on or before this date."))
    loan_totals = KeyValues("loans", _("Loan leverage (bank credit on portfolio rounds)"), (
        Field("rounds", _("Rounds"), loans.rounds, N), Field("loans", _("Loans"), loans.loans, N),
        Field("approved", _("Approved"), loans.approved, A),
        Field("disbursed", _("Disbursed"), loans.disbursed, A)))
    loan_ratios = table("loan_ratios", _("Loan leverage ratios"), _ratio_columns(),
                        _ratio_rows(loans.ratios))
    return Section("leverage", _("Leverage"), (ratios, subs, loan_totals, loan_ratios),
                   _("Leverage"))


def policy_section(report: QuarterlyReport) -> Section:
    assert report.parent is not None
    pol = report.parent.policy
    own = table("guidance", _("Indicators of the parent fund"), [
        Column("indicator", _("Indicator"), T), Column("basis", _("Basis"), T),
        Column("numerator", _("Numerator"), A), Column("denominator", _("Denominator"), A),
        Column("value", _("Value"), R)],
        [(pick(i.label_zh, i.label_en), basis_text(i.basis) if i.basis else None,
          i.numerator, i.denominator, i.value) for i in pol.guidance.indicators])
    rows = []
    for f in pol.breaches:
        for i in f.breaches:
            rule = i.rule
            rows.append((f"{f.fund_code} {f.fund_name}", pick(i.label_zh, i.label_en), i.value,
                         rule.threshold if rule else None,
                         (_("At least") if rule and rule.comparison == "min" else _("At most")),
                         basis_text(rule.basis) if rule else None))
    breaches = table("breaches", _("Breaches of policy rules"), [
        Column("sub_fund", _("Sub-fund"), T), Column("indicator", _("Indicator"), T),
        Column("value", _("Value"), R), Column("threshold", _("Threshold"), R),
        Column("comparison", _("Rule"), T), Column("basis", _("Basis"), T)], rows,
        empty=_("No sub-fund breaks a policy rule."),
        note=_("%(n)s of %(total)s sub-funds break at least one rule in force.",
               n=len(pol.breaches), total=len(pol.sub_funds)))
    return Section("policy", _("Policy indicators"), (own, breaches), _("Policy"))


def sub_fund_table(books: list[SubFundBook]) -> Table:
    """The parent's positions in its direct sub-funds (its LP position in each)."""
    rows = []
    for b in books:
        s = b.stake
        rows.append((f"{b.fund.code} {b.fund.name_zh}",
                     s.committed if s else None, s.paid_in if s else None,
                     s.distributed if s else None, s.value if s else None,
                     s.tvpi if s else None, s.irr if s else None,
                     b.net.irr if b.net else None))
    return table("sub_funds", _("Sub-fund investments of the parent fund"), [
        Column("sub_fund", _("Sub-fund"), T), Column("committed", _("Committed"), A),
        Column("paid_in", _("Paid in"), A), Column("returned", _("Returned"), A),
        Column("nav_share", _("NAV share"), A), Column("tvpi", _("TVPI"), M),
        Column("irr", _("IRR"), R), Column("fund_irr", _("Sub-fund net IRR"), R)], rows,
        empty=_("No sub-fund commitments on or before this date."))


PDF_SCHEDULE_ROWS = 2_000
"""Above this many holdings over all sub-funds, the consolidated PDF leaves the schedule
of investments to the workbook (which always has it): a national portfolio's 20,000
holdings would be some 400 pages."""


def consolidated_sections(books: list[SubFundBook], for_pdf: bool = False) -> list[Section]:
    """The consolidated pack's sub-fund parts: one overview table (a row per sub-fund: its
    size, performance and the parent's position in it) and one schedule of investments of
    every sub-fund (a row per sub-fund and company, filterable in the workbook)."""
    rows = []
    for b in books:
        f, net, gross, s = b.fund, b.net, b.gross, b.stake
        rows.append((f.code, f.name_zh, label(f.kind), label(f.stage), f.inception_on,
                     *((net.committed, net.paid_in, net.distributed, net.value, net.irr,
                        net.tvpi, net.dpi) if net else (None,) * 7),
                     gross.irr if gross else None,
                     *((s.committed, s.paid_in, s.value, s.tvpi, s.irr) if s else (None,) * 5)))
    overview = table("sub_fund_overview", _("Sub-funds at the quarter end"), [
        Column("code", _("Fund code"), T), Column("name", _("Fund name"), T),
        Column("kind", _("Fund kind"), T), Column("stage", _("Stage"), T),
        Column("inception_on", _("Inception date"), D), Column("committed", _("Committed"), A),
        Column("paid_in", _("Paid-in"), A), Column("distributed", _("Distributed"), A),
        Column("nav", _("NAV"), A), Column("net_irr", _("Net IRR"), R),
        Column("tvpi", _("TVPI"), M), Column("dpi", _("DPI"), M),
        Column("gross_irr", _("Gross IRR"), R),
        Column("stake_committed", _("Parent fund committed"), A),
        Column("stake_paid_in", _("Parent fund paid in"), A),
        Column("stake_nav", _("Parent fund NAV share"), A),
        Column("stake_tvpi", _("Parent fund TVPI"), M),
        Column("stake_irr", _("Parent fund IRR"), R)], rows,
        empty=_("No sub-fund commitments on or before this date."))
    holdings = sum(len(b.schedule) for b in books)
    if for_pdf and holdings > PDF_SCHEDULE_ROWS:
        body: tuple[Any, ...] = (Paragraph("schedule_note", _(
            "%(n)s holdings: the schedule of investments of every sub-fund is in the "
            "workbook of this pack.", n=holdings)),)
    else:
        body = tuple(schedule_table(b.schedule, key=f"schedule_{b.fund.id}",
                                    title=f"{b.fund.code} {b.fund.name_zh}") for b in books)
    return [Section("sub_fund_overview", _("Sub-funds"), (overview,), _("Sub-funds")),
            Section("sub_fund_schedules", _("Schedules of investments of the sub-funds"),
                    body, _("Sub-fund investments"))]
