"""Messages of report runs (:mod:`fundops.reports.runs`): code → English template (see
:mod:`fundops.messages`)."""

from __future__ import annotations

from fundops.messages.marker import N_

MESSAGES: dict[str, str] = {
    "report_kind_unknown": N_("no report pack is called %(kind)s"),
    "report_quarter_not_ended": N_(
        "the quarter %(quarter)s has not ended yet (it ends on %(end)s): a report is run "
        "after the quarter end"),
    "report_quarter_before_inception": N_(
        "the quarter %(quarter)s ends before the fund's inception on %(inception)s"),
    "report_inputs_moved": N_(
        "the data of %(quarter)s kept changing while the report was built: run it again"),
}
