"""Report-run pages: the organisation's runs, a fund's runs (every version with its
reason, the files with their SHA-256) and the form to run a quarter, one run, and the
download of a stored file. A fund's runs are its managing organisation's: another
organisation's fund, run or file is 404; running needs a writer role. Views are thin:
form → :func:`fundops.reports.runs.services.run_pack` → flash and redirect.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from fundops.auth.current import current_actor
from fundops.auth.models import OrgKind
from fundops.clock import business_today
from fundops.errors import ConflictError, ValidationError
from fundops.i18n import localise
from fundops.portfolio.access import list_funds
from fundops.portfolio.web import attach_error
from fundops.reports.runs import queries
from fundops.reports.runs.enums import RunSubject
from fundops.reports.runs.forms import RunForm, ended_quarters
from fundops.reports.runs.registry import packs_for
from fundops.reports.runs.services import run_pack
from fundops.reports.runs.web import STATE_MESSAGES, bp, file_response, maker


@bp.route("/runs")
@login_required
def index() -> Any:
    """The organisation's runs, newest quarter first, and its funds' run pages."""
    actor = current_actor()
    runs = queries.organisation_runs(actor)
    funds = [f for f in list_funds(actor) if f.organisation_id == actor.organisation_id]
    names = queries.creator_names(runs)
    return render_template(
        "reports/runs/index.html", runs=runs, funds=funds, fund_of=queries.fund_labels(runs),
        makers={r.id: maker(r, names) for r in runs},
        is_bank=current_user.organisation.kind is OrgKind.BANK,
        fund_packs=packs_for(RunSubject.FUND))


def _fund_page(fund_id: int, form: RunForm | None = None, status: int = 200) -> Any:
    actor = current_actor()
    fund = queries.managed_fund(actor, fund_id)
    packs = packs_for(RunSubject.FUND)
    if form is None and current_user.can_write and packs:
        form = RunForm(formdata=None)
    if form is not None:
        form.offer(packs, ended_quarters(fund.inception_on, business_today()))
    runs = queries.fund_runs(actor, fund.id)
    names = queries.creator_names(runs)
    return render_template("reports/runs/fund_runs.html", fund=fund, runs=runs, form=form,
                           makers={r.id: maker(r, names) for r in runs}), status


@bp.route("/funds/<int:fund_id>/runs")
@login_required
def fund_runs(fund_id: int) -> Any:
    return _fund_page(fund_id)


@bp.route("/funds/<int:fund_id>/runs", methods=["POST"])
@login_required
def fund_run(fund_id: int) -> Any:
    """Run a pack for a quarter: the same inputs return the existing run, changed inputs
    make a new version."""
    actor = current_actor()
    fund = queries.managed_fund(actor, fund_id)
    form = RunForm()
    form.offer(packs_for(RunSubject.FUND), ended_quarters(fund.inception_on, business_today()))
    if form.validate_on_submit():
        try:
            outcome = run_pack(actor, form.kind.data, fund.id, form.quarter.data)
        except ValidationError as exc:
            attach_error(form, exc)
        except ConflictError as exc:
            form.form_errors.append(localise(exc))
            return _fund_page(fund.id, form, 409)
        else:
            flash(str(STATE_MESSAGES[outcome.state]), "success")
            return redirect(url_for("report_runs.run_detail", run_id=outcome.run.id))
    return _fund_page(fund.id, form, 422 if request.method == "POST" else 200)


@bp.route("/runs/<int:run_id>")
@login_required
def run_detail(run_id: int) -> Any:
    """One run: what it read, why this version, its files; the other versions."""
    actor = current_actor()
    run = queries.get_run(actor, run_id)
    others = queries.versions(run)
    names = queries.creator_names(others)
    fund = queries.fund_labels([run]).get(run.subject_id) if run.fund_id else None
    return render_template("reports/runs/run_detail.html", run=run, fund=fund,
                           versions=others, makers={r.id: maker(r, names) for r in others})


@bp.route("/runs/<int:run_id>/files/<int:file_id>")
@login_required
def run_file(run_id: int, file_id: int) -> Any:
    """The stored bytes of one file, exactly as the run produced them."""
    return file_response(queries.get_file(current_actor(), run_id, file_id))
