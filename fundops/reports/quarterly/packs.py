"""A fund's quarterly pack (xlsx + PDF) and a parent fund's consolidated pack, as files.

The files are made in Chinese whatever the viewer's language (a 基金季度报告 is a Chinese
document), with amounts in 元 exact to the fen. Same data and same report date → same
bytes (the renderers fix every stamp). Called by the downloads and by report runs
(:mod:`fundops.reports.runs`), which may pin ``report_on`` so that a rerun reads the same
subsequent events.
"""

from __future__ import annotations

from datetime import date

from flask_babel import force_locale

from fundops.calc.periods import Quarter
from fundops.errors import ValidationError
from fundops.reports.quarterly.build import quarterly_document
from fundops.reports.quarterly.content import QuarterlyReport, quarterly_report
from fundops.reports.quarterly.parent_sections import consolidated_sections
from fundops.reports.render import Document, render_pdf, render_xlsx
from fundops.uow import Actor

FILE_LOCALE = "zh_CN"


def file_name(report: QuarterlyReport, suffix: str, consolidated: bool = False) -> str:
    """``<code>_<2025Q2>_季度报告.<suffix>`` (合并季度报告 for the consolidated pack)."""
    kind = "合并季度报告" if consolidated else "季度报告"
    return f"{report.fund.code}_{report.quarter}_{kind}.{suffix}"


def file_document(report: QuarterlyReport, consolidated: bool = False,
                  for_pdf: bool = False) -> Document:
    """The report's document in Chinese (with the sub-funds' parts if consolidated: see
    :func:`consolidated_sections`; ``for_pdf`` may leave a long schedule to the workbook)."""
    with force_locale(FILE_LOCALE):
        document = quarterly_document(report)
        if not consolidated:
            return document
        extra = consolidated_sections(report.sub_funds, for_pdf)
        return Document(f"{document.title}（合并）", document.subtitle,
                        (*document.sections, *extra), document.author, document.stamp,
                        document.notes)


def fund_pack(actor: Actor, fund_id: int, quarter: Quarter | str,
              report_on: date | None = None) -> list[tuple[str, bytes]]:
    """The fund's quarterly report as ``[(xlsx name, bytes), (pdf name, bytes)]``."""
    report = quarterly_report(actor, fund_id, quarter, report_on)
    document = file_document(report)
    return [(file_name(report, "xlsx"), render_xlsx(document)),
            (file_name(report, "pdf"), render_pdf(document))]


def consolidated_pack(actor: Actor, fund_id: int, quarter: Quarter | str,
                      report_on: date | None = None) -> list[tuple[str, bytes]]:
    """A parent fund's consolidated quarterly pack: one xlsx (the parent's sections, then
    a sheet with every direct sub-fund's figures and one with every sub-fund's schedule of
    investments) and one PDF of the same (the schedules left to the workbook above
    :data:`PDF_SCHEDULE_ROWS` holdings); ``report_not_parent_fund`` for a fund without
    sub-funds."""
    report = quarterly_report(actor, fund_id, quarter, report_on, consolidated=True)
    if report.parent is None:
        raise ValidationError("fund_id", "report_not_parent_fund", fund=report.fund.code)
    return [(file_name(report, "xlsx", True), render_xlsx(file_document(report, True))),
            (file_name(report, "pdf", True), render_pdf(file_document(report, True, True)))]


def archived_fund_pack(actor: Actor, fund_id: int, quarter: Quarter) -> list[tuple[str, bytes]]:
    """The fund's quarterly pack as report runs keep it — and for a parent fund its
    consolidated pack too — dated at the quarter end: the files are a function of the
    books up to the quarter end only (the inputs a run hashes: the fund and every fund
    below it), with no subsequent events (the page shows those live)."""
    which = Quarter.parse(str(quarter))
    report = quarterly_report(actor, fund_id, which, which.end, consolidated=True)
    files = [(file_name(report, "xlsx"), render_xlsx(file_document(report))),
             (file_name(report, "pdf"), render_pdf(file_document(report)))]
    if report.parent is not None and report.sub_funds:
        files += [(file_name(report, "xlsx", True), render_xlsx(file_document(report, True))),
                  (file_name(report, "pdf", True),
                   render_pdf(file_document(report, True, True)))]
    return files
