"""Credit-event and warrant routes of the linked-loans API (on the ``api`` blueprint,
/api/v1), for the lead bank's writers: overdue, default, write-off and recovery entries
on a loan (:mod:`fundops.syndication.loans.events`), warrants added to and closed on it.

Same rules as :mod:`fundops.syndication.api`: the loan (or the warrant's loan) is
checked before the body is read, so another organisation and a partner bank get 404;
409 when the loan's status does not allow the event; 422 naming the field.
"""

from __future__ import annotations

from typing import Any

from flask import Response

from fundops.api.legacy import bp
from fundops.auth.current import current_actor
from fundops.idempotency import once
from fundops.syndication import api_json as J
from fundops.syndication.loans import services as lending
from fundops.syndication.loans import events as loan_events
from fundops.syndication.api import ID, _balances, _reply
from fundops.syndication.loans.models import LoanEntry
from fundops.syndication.pools.api_json import recovery_shares_json
from fundops.uow import Actor


def _entry_reply(actor: Actor, loan_id: int, entry: LoanEntry, **extra: Any) -> Response:
    return _reply(J.entry_json(entry) | _balances(actor, loan_id) | extra, 201)


@bp.post(f"/loans/<{ID}:loan_id>/overdue")
def loan_overdue(loan_id: int) -> Response:
    """An amount past due on an active loan (a memo entry: no cash moves)."""
    actor = current_actor()
    lending.get_loan(actor, loan_id, write=True)
    entry = loan_events.mark_overdue(actor, loan_id, **J.parse_body(J.OVERDUE))
    return _entry_reply(actor, loan_id, entry)


@bp.post(f"/loans/<{ID}:loan_id>/default")
def loan_default(loan_id: int) -> Response:
    """An active loan defaults; the entry carries the principal outstanding that day."""
    actor = current_actor()
    lending.get_loan(actor, loan_id, write=True)
    entry = loan_events.declare_default(actor, loan_id, **J.parse_body(J.DEFAULT))
    return _entry_reply(actor, loan_id, entry)


@bp.post(f"/loans/<{ID}:loan_id>/write-offs")
def loan_write_off(loan_id: int) -> Response:
    """Principal written off a defaulted loan; all of it makes the loan ``written_off``."""
    actor = current_actor()
    lending.get_loan(actor, loan_id, write=True)
    return once(actor, lambda: _entry_reply(
        actor, loan_id, loan_events.write_off(actor, loan_id, **J.parse_body(J.WRITE_OFF))))


@bp.post(f"/loans/<{ID}:loan_id>/recoveries")
def loan_recovery(loan_id: int) -> Response:
    """Money recovered after a default; with a pool claim on the loan, ``shared`` is
    what it handed back to each party (in proportion to what each bore)."""
    actor = current_actor()
    lending.get_loan(actor, loan_id, write=True)

    def recover() -> Response:
        entry = loan_events.record_recovery(actor, loan_id, **J.parse_body(J.RECOVERY))
        return _entry_reply(actor, loan_id, entry, shared=recovery_shares_json(entry.id))

    return once(actor, recover)


@bp.post(f"/loans/<{ID}:loan_id>/warrants")
def loan_warrant(loan_id: int) -> Response:
    """A warrant (认股权) on an approved or active loan: amount = coverage × the loan."""
    actor = current_actor()
    lending.get_loan(actor, loan_id, write=True)
    warrant = loan_events.add_warrant(actor, loan_id, **J.parse_body(J.WARRANT))
    return _reply(J.warrant_json(warrant), 201)


@bp.post(f"/warrants/<{ID}:warrant_id>/close")
def warrant_close(warrant_id: int) -> Response:
    """Record an open warrant's exercise (on a date within its window) or expiry."""
    actor = current_actor()
    loan_events.get_warrant(actor, warrant_id, write=True)  # 404 before the body is read
    data = J.parse_body(J.CLOSE_WARRANT)
    return _reply(J.warrant_json(loan_events.close_warrant(actor, warrant_id, **data)))
