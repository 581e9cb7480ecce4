"""Messages of the quarterly report (fundops.reports.quarterly) and the renderers
(fundops.reports.render): code → English template (see :mod:`fundops.messages`)."""

from __future__ import annotations

from fundops.messages.marker import N_

MESSAGES: dict[str, str] = {
    "report_before_inception": N_(
        "%(quarter)s is before the fund's inception on %(inception)s: there is no report "
        "for it"),
    "report_quarter_open": N_(
        "%(quarter)s has not ended yet (it ends on %(end)s; today is %(today)s): its report "
        "can be made from the day after"),
    "report_font_missing": N_(
        "the Chinese font for PDF files is not installed (%(path)s): install the Debian "
        "package %(package)s"),
    "report_not_parent_fund": N_(
        "%(fund)s has no sub-funds: a consolidated pack is made for a parent fund"),
    "report_date_before_quarter_end": N_(
        "the report date %(on)s is before the quarter's end (%(end)s)"),
}
