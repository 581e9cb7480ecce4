"""A bank's loan products (see :class:`fundops.syndication.loans.models.LoanProduct`)."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from fundops.audit import record_by
from fundops.errors import ValidationError
from fundops.extensions import db
from fundops.money import parse_amount, validate_currency
from fundops.portfolio.access import require_writer
from fundops.syndication.enums import (
    Collateral,
    EquityRule,
    RateType,
    RepaymentType,
    TermSheetStatus,
)
from fundops.syndication.loans.models import LoanProduct
from fundops.syndication.loans.services import require_bank
from fundops.uow import Actor, unit_of_work
from fundops.validation import parse_enum, require_int, require_text

ONE = Decimal(1)


def _fraction(value: object, field: str, upper: Decimal = ONE, *, optional: bool = False
              ) -> Decimal | None:
    if optional and value in (None, ""):
        return None
    rate = parse_amount(value, field, places=8, allow_zero=True)
    if rate > upper:
        raise ValidationError(field, "syn_fraction_too_high", value=rate, upper=upper)
    return rate


def create_product(actor: Actor, *, name: str, alpha: object, beta: object, cap_amount: object,
                   tenor_months: int, rate_type: str, repayment_type: str, collateral: str,
                   required_status: str = "ic_approved", equity_rule: str = "share",
                   required_share: object = "1", fixed_rate: object = None,
                   spread: object = None, currency: str = "CNY", subsidy_share: object = "0",
                   subsidy_max_rate: object = None, subsidy_annual_cap: object = None,
                   warrant_coverage: object = "0", risk_scheme: str = "") -> LoanProduct:
    """Define a product of the actor's bank. Fractions are decimal text (0.3 = 30 %)."""
    require_bank(actor)
    require_writer(actor)
    kind = parse_enum(RateType, rate_type, "rate_type")
    fixed = _fraction(fixed_rate, "fixed_rate", optional=True)
    extra = _fraction(spread, "spread", optional=True)
    if kind is RateType.FIXED and fixed is None:
        raise ValidationError("fixed_rate", "product_fixed_rate_required")
    if kind is RateType.LPR_SPREAD and extra is None:
        raise ValidationError("spread", "product_spread_required")
    status = parse_enum(TermSheetStatus, required_status, "required_status")
    if status in (TermSheetStatus.LAPSED, TermSheetStatus.CANCELLED):
        raise ValidationError("required_status", "product_status_not_live")
    months = require_int(tenor_months, "tenor_months", 1, 360)
    product = LoanProduct(
        organisation_id=actor.organisation_id, name=require_text(name, "name", 200),
        currency=validate_currency(currency), alpha=_fraction(alpha, "alpha"),
        beta=_fraction(beta, "beta"), cap_amount=parse_amount(cap_amount, "cap_amount"),
        required_status=status, equity_rule=parse_enum(EquityRule, equity_rule, "equity_rule"),
        required_share=_fraction(required_share, "required_share"), tenor_months=months,
        rate_type=kind, fixed_rate=fixed, spread=extra,
        repayment_type=parse_enum(RepaymentType, repayment_type, "repayment_type"),
        subsidy_share=_fraction(subsidy_share, "subsidy_share"),
        subsidy_max_rate=_fraction(subsidy_max_rate, "subsidy_max_rate", optional=True),
        subsidy_annual_cap=(parse_amount(subsidy_annual_cap, "subsidy_annual_cap")
                            if subsidy_annual_cap not in (None, "") else None),
        warrant_coverage=_fraction(warrant_coverage, "warrant_coverage"),
        collateral=parse_enum(Collateral, collateral, "collateral"),
        risk_scheme=str(risk_scheme or "").strip()[:100], active=True)
    with unit_of_work():
        db.session.add(product)
        db.session.flush()
        record_by(actor, "loan_product.create", "loan_product", product.id,
                  {"name": product.name, "alpha": product.alpha, "beta": product.beta,
                   "cap_amount": product.cap_amount})
    return product


def list_products(actor: Actor) -> list[LoanProduct]:
    """The actor's bank's products (404 for non-banks)."""
    require_bank(actor)
    return list(db.session.scalars(sa.select(LoanProduct).where(
        LoanProduct.organisation_id == actor.organisation_id).order_by(LoanProduct.id)))
