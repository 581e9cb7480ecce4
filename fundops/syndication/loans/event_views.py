"""The loan page's credit events, pool claim and warrants (on the ``syndication``
blueprint): overdue, default, write-off and recovery entries, the claim on the loan's
pool after a default, warrants added and closed; by the lead bank's writers.

The loan page itself is :func:`fundops.syndication.loans.views.loan_detail`; its template
asks :func:`loan_risk` for this part (the warrants, the pool enrolment and claim, and the
forms the loan's status allows). Errors follow the page's rules: a service
``ValidationError`` on its field (422), a ``ConflictError`` as the refusal's reason
(409), nothing written; another bank's loan or warrant is 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from fundops.approvals.web import submit_form
from fundops.auth.current import current_actor
from fundops.errors import NotFound
from fundops.syndication import queries
from fundops.syndication.enums import LoanStatus, WarrantStatus
from fundops.syndication.fields import fraction
from fundops.syndication.loans import events as loan_events
from fundops.syndication.loans import services as lending
from fundops.syndication.loans.models import Loan, Warrant
from fundops.syndication.loans.views import loan_post
from fundops.syndication.pools import forms as pool_forms
from fundops.syndication.pools.models import RiskPool, RiskPoolClaim, RiskPoolEnrolment
from fundops.syndication.web import bp
from fundops.uow import Actor

_DEFAULTED = (LoanStatus.DEFAULTED, LoanStatus.WRITTEN_OFF)
_LIVE = (LoanStatus.APPROVED, LoanStatus.ACTIVE)
_EVENT_FORMS: dict[str, tuple[type[FlaskForm], tuple[LoanStatus, ...]]] = {
    "overdue": (pool_forms.OverdueForm, (LoanStatus.ACTIVE,)),
    "default": (pool_forms.DefaultForm, (LoanStatus.ACTIVE,)),
    "writeoff": (pool_forms.WriteOffForm, (LoanStatus.DEFAULTED,)),
    "recovery": (pool_forms.RecoveryForm, _DEFAULTED),
    "claim": (pool_forms.ClaimForm, _DEFAULTED),
    "warrant": (pool_forms.WarrantForm, _LIVE),
}


@dataclass
class LoanRisk:
    """What the loan page shows below the ledger: warrants, pool enrolment and claim, and
    the event forms the lead bank's writer may use (posted ones keep their input)."""

    warrants: list[Warrant]
    enrolment: RiskPoolEnrolment | None
    pool: RiskPool | None
    claim: RiskPoolClaim | None
    returns: dict[tuple[int, str], Any]
    forms: dict[str, Any] = field(default_factory=dict)
    close_forms: dict[int, Any] = field(default_factory=dict)


@bp.app_template_global("loan_risk")
def loan_risk(loan: Loan, posted: dict[str, Any]) -> LoanRisk:
    """Called by ``loan_detail.html`` once the page's view has loaded the loan (so the
    caller lends in it); reads only."""
    enrolled = queries.loan_enrolment(loan.id)
    claim = queries.loan_claim(loan.id)
    risk = LoanRisk(queries.list_warrants(loan.id), enrolled[0] if enrolled else None,
                    enrolled[1] if enrolled else None, claim,
                    queries.claim_returns([claim.id] if claim else []))
    if loan.lead_bank_id != current_actor().organisation_id or not current_user.can_write:
        return risk
    for name, (cls, when) in _EVENT_FORMS.items():
        if name in posted:
            risk.forms[name] = posted[name]
        elif loan.status in when and (name != "claim" or (enrolled and claim is None)):
            risk.forms[name] = cls(formdata=None, prefix=name)
    for w in risk.warrants:
        key = f"close{w.id}"
        if key in posted or w.status is WarrantStatus.OPEN:
            risk.close_forms[w.id] = posted.get(key) or pool_forms.CloseWarrantForm(
                formdata=None, prefix=key)
    return risk


def _event_post(loan_id: int, name: str, action: Callable[[Actor, int, Any], Any],
                message: str, refused: str, form: FlaskForm | None = None) -> Any:
    return loan_post(loan_id, name, action, message, refused,
                     form=form or _EVENT_FORMS[name][0](prefix=name), anchor="#credit-events")


@bp.route("/loans/<int:loan_id>/overdue", methods=["POST"])
@login_required
def loan_overdue(loan_id: int) -> Any:
    def mark(actor: Actor, lid: int, form: Any) -> None:
        loan_events.mark_overdue(actor, lid, amount=form.amount.data, value_on=form.value_on.data,
                                 memo=form.memo.data or "")

    return _event_post(loan_id, "overdue", mark, _("Overdue amount recorded."),
                       _("Refused: %(reason)s"))


@bp.route("/loans/<int:loan_id>/default", methods=["POST"])
@login_required
def loan_default(loan_id: int) -> Any:
    def declare(actor: Actor, lid: int, form: Any) -> None:
        loan_events.declare_default(actor, lid, value_on=form.value_on.data,
                                    reason=form.reason.data or "")

    return _event_post(loan_id, "default", declare,
                       _("Default declared: the outstanding principal is recorded."),
                       _("Refused: %(reason)s"))


@bp.route("/loans/<int:loan_id>/write-offs", methods=["POST"])
@login_required
def loan_write_off(loan_id: int) -> Any:
    def write_off(actor: Actor, lid: int, form: Any) -> None:
        loan_events.write_off(actor, lid, amount=form.amount.data, value_on=form.value_on.data,
                              reason=form.reason.data or "")

    return _event_post(loan_id, "writeoff", write_off, _("Write-off recorded."),
                       _("Refused: %(reason)s"))


@bp.route("/loans/<int:loan_id>/recoveries", methods=["POST"])
@login_required
def loan_recovery(loan_id: int) -> Any:
    def recover(actor: Actor, lid: int, form: Any) -> None:
        loan_events.record_recovery(actor, lid, amount=form.amount.data,
                                    value_on=form.value_on.data, memo=form.memo.data or "")

    return _event_post(loan_id, "recovery", recover,
                       _("Recovery recorded; with a pool claim it is shared back by what each "
                         "party bore."), _("Refused: %(reason)s"))


@bp.route("/loans/<int:loan_id>/claims", methods=["POST"])
@login_required
def loan_claim(loan_id: int) -> Any:
    def claim(actor: Actor, lid: int, form: Any) -> None:
        submit_form(actor, "pool_claim", {"loan_id": lid, "on": form.on.data})

    return _event_post(loan_id, "claim", claim, _("Claim filed on the pool."),
                       _("Claim refused: %(reason)s"))


@bp.route("/loans/<int:loan_id>/warrants", methods=["POST"])
@login_required
def loan_warrant_add(loan_id: int) -> Any:
    def add(actor: Actor, lid: int, form: Any) -> None:
        loan_events.add_warrant(actor, lid, holder_name=form.holder_name.data,
                                coverage=fraction(form.coverage.data),
                                exercise_price=form.exercise_price.data,
                                window_from=form.window_from.data, window_to=form.window_to.data)

    return _event_post(loan_id, "warrant", add, _("Warrant added to the loan."),
                       _("Refused: %(reason)s"))


@bp.route("/loans/<int:loan_id>/warrants/<int:warrant_id>/close", methods=["POST"])
@login_required
def loan_warrant_close(loan_id: int, warrant_id: int) -> Any:
    """Record a warrant's exercise or expiry; a warrant of another loan is 404 here."""
    actor = current_actor()
    lending.get_loan(actor, loan_id, write=True)
    if loan_events.get_warrant(actor, warrant_id, write=True).loan_id != loan_id:
        raise NotFound()
    name = f"close{warrant_id}"

    def close(actor: Actor, _lid: int, form: Any) -> None:
        loan_events.close_warrant(actor, warrant_id, outcome=form.outcome.data, on=form.on.data)

    return _event_post(loan_id, name, close, _("Warrant closed."), _("Refused: %(reason)s"),
                       pool_forms.CloseWarrantForm(prefix=name))
