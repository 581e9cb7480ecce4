"""The bank's quarterly pack: its loan book (xlsx), one per bank organisation and quarter,
kept as a report run (:mod:`fundops.reports.runs`) like a fund's pack."""

from __future__ import annotations

from fundops.auth.models import Organisation
from fundops.calc.periods import Quarter
from fundops.errors import NotFound
from fundops.extensions import db
from fundops.reports.bank.loan_book import bank_ids, load_loan_book, loan_book_inputs
from fundops.reports.bank.xlsx import loan_book_xlsx
from fundops.reports.runs.enums import RunSubject
from fundops.reports.runs.registry import register_pack
from fundops.syndication.loans.services import require_bank
from fundops.uow import Actor

LOAN_BOOK = "bank_loan_book"


def check_bank(actor: Actor, organisation_id: int) -> None:
    """Only a bank has a loan book, and only its own (else 404)."""
    if organisation_id != actor.organisation_id:
        raise NotFound()
    require_bank(actor)


def loan_book_filename(quarter: Quarter) -> str:
    return f"贷款台账-{quarter}.xlsx"


def build_loan_book(actor: Actor, organisation_id: int,
                    quarter: Quarter) -> list[tuple[str, bytes]]:
    """The builder of the ``bank_loan_book`` pack: the bank's book at the quarter end."""
    check_bank(actor, organisation_id)
    bank = db.session.get(Organisation, organisation_id)
    assert bank is not None  # checked above
    rows = load_loan_book(organisation_id, quarter.end)
    return [(loan_book_filename(quarter), loan_book_xlsx(bank.name, quarter, rows))]


def register() -> None:
    """Register the loan book pack (idempotent; called by :func:`fundops.reports.register`)."""
    register_pack(LOAN_BOOK, build_loan_book, subject=RunSubject.ORGANISATION,
                  inputs=loan_book_inputs, check=check_bank, candidates=bank_ids)
