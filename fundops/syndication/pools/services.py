"""Risk-compensation pools: set up (rules, scheme, member banks), fund, enrol loans under
the leverage cap, pay claims on default, receive the pool's share of later recoveries.

The pool's manager (a guidance-fund manager, platform operator or guarantor) sets it up
and sees everything in it; a member bank enrols its own loans and sees the pool's
position and its own claims. Loss splitting: :func:`fundops.calc.loss_sharing.share_loss`
with the pool party's room = min(cap per loan, cap per company − paid to the company,
cap per year − paid in the claim's year, the pool's balance); what a cap removes falls
to the bank. Money in yuan of the pool's currency, exact to the fen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from fundops.audit import record_by
from fundops.auth.models import Organisation, OrgKind
from fundops.calc.loss_sharing import (
    ClaimLimit,
    Party,
    PoolRole,
    Scheme,
    SchemeError,
    leverage_check,
    share_loss,
    split_recovery,
)
from fundops.errors import ConflictError, NotFound, ValidationError
from fundops.extensions import db
from fundops.money import Money, parse_amount, validate_currency
from fundops.portfolio.access import require_writer
from fundops.syndication.enums import LoanEntryKind, LoanStatus
from fundops.syndication.loans.models import Loan, LoanEntry
from fundops.syndication.loans.services import get_loan, recoveries
from fundops.syndication.pools.models import (
    RiskPool,
    RiskPoolBank,
    RiskPoolClaim,
    RiskPoolClaimShare,
    RiskPoolContribution,
    RiskPoolEnrolment,
    RiskPoolParty,
    RiskPoolRecovery,
)
from fundops.uow import Actor, lock_row, unit_of_work, updated_rows
from fundops.validation import require_date, require_id, require_text

ZERO = Decimal("0.00")
MANAGER_KINDS = (OrgKind.GUIDANCE_FUND_MANAGER, OrgKind.PLATFORM_OPERATOR, OrgKind.GUARANTOR)


def require_manager(actor: Actor) -> Organisation:
    """The actor's organisation if it may run pools (404 otherwise, like any hidden object)."""
    org = db.session.get(Organisation, actor.organisation_id)
    if org is None or org.kind not in MANAGER_KINDS:
        raise NotFound()
    return org


def get_pool(actor: Actor, pool_id: int, *, manage: bool = False) -> RiskPool:
    """The pool if the actor's organisation manages it (or, unless ``manage``, is a member
    bank); 404 otherwise."""
    pool = db.session.get(RiskPool, int(pool_id))
    if pool is None:
        raise NotFound()
    if pool.organisation_id != actor.organisation_id and (manage or not _member(pool.id, actor)):
        raise NotFound()
    return pool


def _member(pool_id: int, actor: Actor) -> bool:
    return db.session.scalar(sa.select(RiskPoolBank.id).where(
        RiskPoolBank.pool_id == pool_id, RiskPoolBank.bank_id == actor.organisation_id)) is not None


def list_pools(actor: Actor) -> list[RiskPool]:
    member = sa.select(RiskPoolBank.pool_id).where(RiskPoolBank.bank_id == actor.organisation_id)
    return list(db.session.scalars(sa.select(RiskPool).where(sa.or_(
        RiskPool.organisation_id == actor.organisation_id, RiskPool.id.in_(member)))
        .order_by(RiskPool.id)))


def scheme_of(pool: RiskPool) -> Scheme:
    """The pool's loss-sharing scheme as the calculation package sees it."""
    return Scheme(pool.name, tuple(Party(p.name, p.role, p.share, p.cap)
                                   for p in pool.parties), pool.source)


def create_pool(actor: Actor, *, name: str, parties: Iterable[Mapping[str, object]],
                member_bank_ids: Iterable[int] = (), currency: str = "CNY",
                leverage_k: object = None, cap_per_loan: object = None,
                cap_per_company: object = None, cap_per_year: object = None,
                source: str = "") -> RiskPool:
    """Set up a pool; ``parties`` are {name, role, share, cap?} with exactly one bank and
    shares summing to 1 (the scheme rules of :class:`fundops.calc.loss_sharing.Scheme`)."""
    org = require_manager(actor)
    require_writer(actor)

    def money(value: object, field: str) -> Decimal | None:
        return None if value in (None, "") else parse_amount(value, field)

    drafts = []
    for i, p in enumerate(parties):
        field = f"parties[{i}]"
        drafts.append((require_text(p.get("name"), field, 100), str(p.get("role") or ""),
                       parse_amount(p.get("share"), field, places=8, allow_zero=True),
                       money(p.get("cap"), field)))
    try:
        scheme = Scheme(name, tuple(Party(*d) for d in drafts))  # type: ignore[arg-type]
    except SchemeError as exc:
        raise ValidationError("parties", exc.code, **exc.params) from None
    rows = [RiskPoolParty(seq=i + 1, name=name, role=party.role, share=share, cap=cap)
            for i, ((name, _, share, cap), party) in enumerate(zip(drafts, scheme.parties,
                                                                  strict=True))]
    banks = []
    for i, bank_id in enumerate(member_bank_ids):
        bank = db.session.get(Organisation, require_id(bank_id, f"member_bank_ids[{i}]"))
        if bank is None or bank.kind is not OrgKind.BANK:
            raise ValidationError(f"member_bank_ids[{i}]", "pool_not_a_bank")
        banks.append(bank.id)
    k = None if leverage_k in (None, "") else parse_amount(leverage_k, "leverage_k", places=8)
    title = require_text(name, "name", 200)
    if db.session.scalar(sa.select(RiskPool.id).where(RiskPool.organisation_id == org.id,
                                                      RiskPool.name == title)):
        raise ValidationError("name", "pool_name_taken", name=title)
    if len(str(source or "")) > 500:
        raise ValidationError("source", "too_long", max_len=500)
    pool = RiskPool(organisation_id=org.id, name=title,
                    currency=validate_currency(currency), leverage_k=k,
                    cap_per_loan=money(cap_per_loan, "cap_per_loan"),
                    cap_per_company=money(cap_per_company, "cap_per_company"),
                    cap_per_year=money(cap_per_year, "cap_per_year"),
                    enrolled_amount=ZERO, source=str(source or ""))
    with unit_of_work():
        db.session.add(pool)
        db.session.flush()
        for row in rows:
            row.pool_id = pool.id
        db.session.add_all(rows)
        db.session.add_all(RiskPoolBank(pool_id=pool.id, bank_id=b) for b in sorted(set(banks)))
        db.session.flush()
        record_by(actor, "risk_pool.create", "risk_pool", pool.id, {
            "name": pool.name, "parties": [(r.name, r.role, r.share, r.cap) for r in rows],
            "leverage_k": k, "banks": banks})
    return pool


def add_contribution(actor: Actor, pool_id: int, *, funder: str, amount: object,
                     contributed_on: object) -> RiskPoolContribution:
    pool = get_pool(actor, pool_id, manage=True)
    require_writer(actor)
    with unit_of_work():
        row = RiskPoolContribution(pool_id=pool.id, funder=require_text(funder, "funder"),
                                   amount=parse_amount(amount, "amount"),
                                   contributed_on=require_date(contributed_on, "contributed_on"),
                                   recorded_by_id=actor.user_id)
        db.session.add(row)
        db.session.flush()
        record_by(actor, "risk_pool.contribution", "risk_pool", pool.id,
                  {"funder": row.funder, "amount": row.amount})
    return row


def balance(pool_id: int) -> Decimal:
    """Contributions − claims paid + the pool's share of recoveries (yuan)."""
    paid_in = db.session.scalar(sa.select(sa.func.sum(RiskPoolContribution.amount)).where(
        RiskPoolContribution.pool_id == pool_id)) or ZERO
    claims = db.session.scalar(sa.select(sa.func.sum(RiskPoolClaim.pool_paid)).where(
        RiskPoolClaim.pool_id == pool_id)) or ZERO
    back = db.session.scalar(
        sa.select(sa.func.sum(RiskPoolRecovery.amount))
        .join(RiskPoolClaim, RiskPoolClaim.id == RiskPoolRecovery.claim_id)
        .join(RiskPoolParty, sa.and_(RiskPoolParty.pool_id == RiskPoolClaim.pool_id,
                                     RiskPoolParty.name == RiskPoolRecovery.party))
        .where(RiskPoolClaim.pool_id == pool_id, RiskPoolParty.role == PoolRole.POOL)) or ZERO
    return paid_in - claims + back


def enrol_loan(actor: Actor, pool_id: int, loan_id: int, on: object) -> RiskPoolEnrolment:
    """A member bank enrols its approved loan; refused (ConflictError, nothing written)
    when enrolled amounts would exceed ``leverage_k × balance`` — checked in the same
    conditional UPDATE that counts it, so concurrent enrolments cannot overshoot."""
    pool = get_pool(actor, pool_id)
    loan = get_loan(actor, loan_id, write=True)
    if not _member(pool.id, actor):
        raise NotFound()
    if loan.status not in (LoanStatus.APPROVED, LoanStatus.ACTIVE):
        raise ConflictError("pool_enrol_not_approved", loan_id=loan.id, status=loan.status)
    if loan.currency != pool.currency:
        raise ValidationError("loan_id", "pool_enrol_currency", currency=loan.currency,
                              pool_currency=pool.currency)
    when = require_date(on, "on")
    if db.session.scalar(sa.select(RiskPoolEnrolment.id).where(
            RiskPoolEnrolment.loan_id == loan.id)):
        raise ConflictError("pool_already_enrolled", loan_id=loan.id)
    amount = loan.reserved_amount
    enrolled = sa.type_coerce(RiskPool.enrolled_amount, sa.BigInteger)
    guard = [RiskPool.id == pool.id]
    with unit_of_work():
        lock_row(RiskPool, pool.id)
        db.session.refresh(pool)
        if pool.leverage_k is not None:
            check = leverage_check(pool.enrolled_amount, max(ZERO, balance(pool.id)),
                                   pool.leverage_k, new_loan=amount)
            guard.append(enrolled + int(amount.scaleb(2)) <= int(check.limit.scaleb(2)))
        moved = updated_rows(
            sa.update(RiskPool).where(*guard)
            .values(enrolled_amount=enrolled + int(amount.scaleb(2)))
            .execution_options(synchronize_session=False))
        if moved != 1:
            raise ConflictError("pool_leverage_no_room", k=pool.leverage_k,
                                balance=Money(balance(pool.id), pool.currency),
                                amount=Money(amount, pool.currency))
        row = RiskPoolEnrolment(pool_id=pool.id, loan_id=loan.id, amount=amount,
                                enrolled_on=when, enrolled_by_id=actor.user_id)
        db.session.add(row)
        try:
            db.session.flush()
        except sa.exc.IntegrityError:  # enrolled by a concurrent request a moment ago
            raise ConflictError("pool_already_enrolled", loan_id=loan.id) from None
        record_by(actor, "risk_pool.enrol", "risk_pool", pool.id, {"loan_id": loan.id,
                                                                   "amount": amount})
    db.session.expire(pool)
    return row


def file_claim(actor: Actor, loan_id: int, on: object) -> RiskPoolClaim:
    """The lead bank claims on the pool for a defaulted enrolled loan (once per loan)."""
    loan = get_loan(actor, loan_id, write=True)
    enrolment = db.session.scalar(sa.select(RiskPoolEnrolment).where(
        RiskPoolEnrolment.loan_id == loan.id))
    if enrolment is None:
        raise ConflictError("pool_claim_not_enrolled", loan_id=loan.id)
    if loan.status not in (LoanStatus.DEFAULTED, LoanStatus.WRITTEN_OFF):
        raise ConflictError("pool_claim_not_defaulted", loan_id=loan.id, status=loan.status)
    pool = db.session.get(RiskPool, enrolment.pool_id)
    assert pool is not None
    when = require_date(on, "on")
    default_row = db.session.scalar(sa.select(LoanEntry).where(
        LoanEntry.loan_id == loan.id, LoanEntry.kind == LoanEntryKind.DEFAULT))
    if default_row is not None and when < default_row.value_on:
        raise ValidationError("on", "pool_claim_before_default", on=when,
                              default_on=default_row.value_on)
    with unit_of_work():
        lock_row(RiskPool, pool.id)  # claims on this pool queue: balance and caps stay true
        lock_row(Loan, loan.id)
        if db.session.scalar(sa.select(RiskPoolClaim.id).where(RiskPoolClaim.loan_id == loan.id)):
            raise ConflictError("pool_claim_exists", loan_id=loan.id)
        defaulted = default_row.amount if default_row is not None else ZERO
        recovered = recoveries(loan.id)  # every recovery recorded so far, whatever its date
        room, binding_of = _pool_room(pool, loan, when)
        scheme = scheme_of(pool)
        pool_party = next((p for p in scheme.parties if p.role is PoolRole.POOL), None)
        split = share_loss(defaulted, recovered, scheme,
                           cap_room={pool_party.name: room} if pool_party else None)
        paid = next((x.borne for x in split.parts if x.role is PoolRole.POOL), ZERO)
        pro_rata = next((x.pro_rata for x in split.parts if x.role is PoolRole.POOL), ZERO)
        binding = binding_of(paid) if paid < pro_rata else ClaimLimit.NONE
        claim = RiskPoolClaim(pool_id=pool.id, loan_id=loan.id, company_id=loan.company_id,
                              claimed_on=when, principal_outstanding=defaulted,
                              recoveries=recovered, loss=split.loss, pool_paid=paid,
                              binding=binding, recorded_by_id=actor.user_id)
        db.session.add(claim)
        db.session.flush()
        db.session.add_all(RiskPoolClaimShare(claim_id=claim.id, party=x.name, role=x.role,
                                              pro_rata=x.pro_rata, borne=x.borne)
                           for x in split.parts)
        db.session.flush()
        record_by(actor, "risk_pool.claim", "risk_pool", pool.id, {
            "loan_id": loan.id, "loss": split.loss, "pool_paid": paid, "binding": binding})
    return claim


def _pool_room(pool: RiskPool, loan: Loan,
               when: object) -> tuple[Decimal, Callable[[Decimal], ClaimLimit]]:
    """Room for the pool's part: the tightest of its caps and its balance."""
    year = require_date(when, "on").year
    to_company = db.session.scalar(sa.select(sa.func.sum(RiskPoolClaim.pool_paid)).where(
        RiskPoolClaim.pool_id == pool.id, RiskPoolClaim.company_id == loan.company_id)) or ZERO
    in_year = sum((c.pool_paid for c in db.session.scalars(sa.select(RiskPoolClaim).where(
        RiskPoolClaim.pool_id == pool.id)) if c.claimed_on.year == year), ZERO)
    limits = [(ClaimLimit.BALANCE, max(ZERO, balance(pool.id)))]
    if pool.cap_per_loan is not None:
        limits.append((ClaimLimit.PER_LOAN, pool.cap_per_loan))
    if pool.cap_per_company is not None:
        limits.append((ClaimLimit.PER_COMPANY, max(ZERO, pool.cap_per_company - to_company)))
    if pool.cap_per_year is not None:
        limits.append((ClaimLimit.PER_YEAR, max(ZERO, pool.cap_per_year - in_year)))
    room = min(v for _, v in limits)

    def binding_of(paid: Decimal) -> ClaimLimit:
        return next((name for name, v in limits if v == paid), ClaimLimit.PARTY_CAP)

    return room, binding_of


def share_recovery(loan: Loan, entry: LoanEntry) -> dict[str, Decimal]:
    """Split a recovery entry among the loan's claim parties by what each still bears
    (called inside the recovery's unit of work); {} when the loan has no claim."""
    claim = db.session.scalar(sa.select(RiskPoolClaim).where(RiskPoolClaim.loan_id == loan.id))
    if claim is None:
        return {}
    handed = dict(db.session.execute(
        sa.select(RiskPoolRecovery.party, sa.func.sum(RiskPoolRecovery.amount))
        .where(RiskPoolRecovery.claim_id == claim.id).group_by(RiskPoolRecovery.party)).all())
    bearing = {s.party: s.borne - handed.get(s.party, ZERO) for s in claim.shares}
    split = split_recovery(entry.amount, bearing)
    rows = [RiskPoolRecovery(claim_id=claim.id, loan_entry_id=entry.id, party=name, amount=amt)
            for name, amt in split.parts.items() if amt > 0]
    db.session.add_all(rows)
    return {r.party: r.amount for r in rows}


@dataclass(frozen=True)
class PoolPosition:
    """A pool at a glance (yuan): money in, claims paid, recoveries back, balance, and the
    leverage cap with its headroom (``None`` without a cap)."""

    pool_id: int
    name: str
    contributions: dict[str, Decimal]
    claims_paid: Decimal
    recoveries_back: Decimal
    balance: Decimal
    enrolled_loans: int
    enrolled_amount: Decimal
    leverage_limit: Decimal | None
    leverage_headroom: Decimal | None
    claims: int


def pool_position(actor: Actor, pool_id: int) -> PoolPosition:
    pool = get_pool(actor, pool_id)
    contributions: dict[str, Decimal] = {}
    for funder, amount in db.session.execute(
            sa.select(RiskPoolContribution.funder, sa.func.sum(RiskPoolContribution.amount))
            .where(RiskPoolContribution.pool_id == pool.id)
            .group_by(RiskPoolContribution.funder).order_by(RiskPoolContribution.funder)):
        contributions[funder] = amount
    claims = list(db.session.scalars(sa.select(RiskPoolClaim).where(
        RiskPoolClaim.pool_id == pool.id)))
    paid = sum((c.pool_paid for c in claims), ZERO)
    now = balance(pool.id)
    back = now - sum(contributions.values(), ZERO) + paid
    count = db.session.scalar(sa.select(sa.func.count()).select_from(RiskPoolEnrolment).where(
        RiskPoolEnrolment.pool_id == pool.id)) or 0
    limit = headroom = None
    if pool.leverage_k is not None:
        check = leverage_check(pool.enrolled_amount, max(ZERO, now), pool.leverage_k)
        limit, headroom = check.limit, check.headroom
    return PoolPosition(pool.id, pool.name, contributions, paid, back, now, count,
                        pool.enrolled_amount, limit, headroom, len(claims))


def list_claims(actor: Actor, pool_id: int) -> list[RiskPoolClaim]:
    """Claims on the pool: all of them for its manager, a member bank's own loans' claims
    for that bank."""
    pool = get_pool(actor, pool_id)
    query = sa.select(RiskPoolClaim).where(RiskPoolClaim.pool_id == pool.id)
    if pool.organisation_id != actor.organisation_id:
        query = query.join(Loan, Loan.id == RiskPoolClaim.loan_id).where(
            Loan.lead_bank_id == actor.organisation_id)
    return list(db.session.scalars(query.order_by(RiskPoolClaim.id)))
