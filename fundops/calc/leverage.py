"""Leverage of social capital (撬动社会资本 / 放大倍数) of a guidance fund over its sub-funds.

domain-rules §3.5 lists several definitions and no national formula, so every result
carries its definition code, labels, formula, basis, numerator and denominator.

Bases: ``subscribed`` (认缴) uses commitments; ``paid_in`` (实缴) uses capital-call
allocations (reversals net out). "Government" money is every commitment (or paid-in) of
an LP whose investor type is in the configured government types, plus — always — the
guidance fund's own LP records. Amounts are yuan Decimals (exact, ≥ 0). Ratios are
``numerator / denominator`` rounded half-to-even to :data:`RATIO_PLACES` (10) decimals
(:func:`ratio_exact`, the precision of the multiples), so anyone recomputing them from the
amounts gets the same figure; pages round for display only (:func:`ratio_4dp`). ``None``
means "n/a" (zero denominator), never 0.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from fundops.calc import pickling
from fundops.calc.lookthrough import quantize_fraction
from fundops.calc.multiples import PLACES as RATIO_PLACES

BASES = ("subscribed", "paid_in")
ZERO = Decimal("0.00")

DEFINITIONS: dict[str, tuple[str, str, str]] = {
    # code: (label_zh, label_en, formula)
    "fund_amplification": (
        "一级放大倍数", "Fund-level amplification",
        "Σ sub-fund size / guidance-fund contribution"),
    "social_capital_leverage": (
        "撬动社会资本倍数", "Social-capital leverage",
        "(Σ sub-fund size − all government-sourced money) / guidance-fund contribution"),
    "narrow_leverage": (
        "本级放大倍数（狭义）", "Narrow leverage (this guidance fund only)",
        "(Σ sub-fund size − guidance-fund contribution) / guidance-fund contribution"),
    "project_leverage": (
        "二级放大倍数（项目层）", "Project-level amplification",
        "(Σ sub-fund cumulative investment at cost + co-investment) / guidance-fund contribution"),
    "lookthrough_leverage": (
        "穿透放大倍数", "Look-through leverage",
        ("Σ portfolio investment at cost attributable to the guidance fund through its shares "
         "(any depth) / guidance-fund contribution")),
}


def ratio_exact(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """``numerator / denominator`` rounded half-to-even to :data:`RATIO_PLACES` (10)
    decimals, exactly (no binary or context step); ``None`` if the denominator is 0."""
    if denominator == 0:
        return None
    return quantize_fraction(Fraction(numerator) / Fraction(denominator), RATIO_PLACES)


def ratio_4dp(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """``numerator / denominator`` rounded half-to-even to 4 dp, exactly; ``None`` if the
    denominator is 0. For display only: results carry :func:`ratio_exact`."""
    if denominator == 0:
        return None
    return quantize_fraction(Fraction(numerator) / Fraction(denominator), 4)


@dataclass(frozen=True, slots=True)
class LpAmount:
    """One LP record's money in a fund (yuan): commitments and paid-in on or before as-of."""

    investor_type: str
    is_guidance: bool
    """The LP record belongs to the guidance fund being evaluated (always government)."""
    committed: Decimal
    paid_in: Decimal


def is_government(lp: LpAmount, government_types: Iterable[str]) -> bool:
    return lp.is_guidance or lp.investor_type in set(government_types)


@dataclass(frozen=True, slots=True)
class SubFundLeverageInput:
    """What one sub-fund contributes to the guidance fund's leverage (yuan, as of a date)."""

    fund_id: int
    fund_code: str
    fund_name: str
    lps: tuple[LpAmount, ...]
    invested: Decimal
    """Cumulative company investments at cost, net of reversals, exits not deducted."""
    attributable_subscribed: Fraction
    """Guidance fund's commitment share × the sub-fund's look-through investment at cost."""
    attributable_paid_in: Fraction
    """Same with paid-in shares."""
    co_invested: Decimal = ZERO
    """Co-investment alongside the sub-fund (no ledger source yet: 0)."""


@dataclass(frozen=True, slots=True)
class LeverageRatio:
    """One named leverage figure; ``value`` = numerator / denominator to 10 decimals
    (:func:`ratio_exact`), None ("n/a") when the denominator is 0."""

    definition: str
    label_zh: str
    label_en: str
    formula: str
    basis: str
    numerator: Decimal
    denominator: Decimal
    value: Decimal | None


@dataclass(frozen=True, slots=True)
class SubFundLeverage:
    """Per-sub-fund components (yuan) and the same ratios for that sub-fund alone."""

    fund_id: int
    fund_code: str
    fund_name: str
    committed_total: Decimal
    paid_in_total: Decimal
    guidance_committed: Decimal
    guidance_paid_in: Decimal
    government_committed: Decimal
    government_paid_in: Decimal
    invested: Decimal
    co_invested: Decimal
    attributable_subscribed: Decimal
    """Rounded to 0.01 yuan, half-even."""
    attributable_paid_in: Decimal
    ratios: tuple[LeverageRatio, ...]


@dataclass(frozen=True, slots=True)
class LeverageReport:
    """Every definition on both bases for the guidance fund, plus per-sub-fund rows."""

    fund_id: int
    as_of: date
    government_types: tuple[str, ...]
    ratios: tuple[LeverageRatio, ...]
    """Definitions in :data:`DEFINITIONS` order, each subscribed then paid_in."""
    sub_funds: tuple[SubFundLeverage, ...]

    def get(self, definition: str, basis: str) -> LeverageRatio:
        """The ratio with this definition code and basis (KeyError if unknown)."""
        for r in self.ratios:
            if r.definition == definition and r.basis == basis:
                return r
        raise KeyError((definition, basis))


@dataclass(frozen=True, slots=True)
class _Sums:
    size: Decimal
    guidance: Decimal
    government: Decimal
    invested: Decimal
    attributable: Decimal


def _ratio(definition: str, basis: str, numerator: Decimal, denominator: Decimal) -> LeverageRatio:
    zh, en, formula = DEFINITIONS[definition]
    return LeverageRatio(definition, zh, en, formula, basis, numerator, denominator,
                         ratio_exact(numerator, denominator))


def _ratios(by_basis: dict[str, _Sums]) -> tuple[LeverageRatio, ...]:
    out = []
    for definition in DEFINITIONS:
        for basis in BASES:
            s = by_basis[basis]
            numerator = {
                "fund_amplification": s.size,
                "social_capital_leverage": s.size - s.government,
                "narrow_leverage": s.size - s.guidance,
                "project_leverage": s.invested,
                "lookthrough_leverage": s.attributable,
            }[definition]
            out.append(_ratio(definition, basis, numerator, s.guidance))
    return tuple(out)


def _sub_sums(sub: SubFundLeverageInput, gov: frozenset[str]) -> dict[str, _Sums]:
    invested = sub.invested + sub.co_invested
    return {
        "subscribed": _Sums(
            size=sum((lp.committed for lp in sub.lps), ZERO),
            guidance=sum((lp.committed for lp in sub.lps if lp.is_guidance), ZERO),
            government=sum((lp.committed for lp in sub.lps if is_government(lp, gov)), ZERO),
            invested=invested, attributable=quantize_fraction(sub.attributable_subscribed)),
        "paid_in": _Sums(
            size=sum((lp.paid_in for lp in sub.lps), ZERO),
            guidance=sum((lp.paid_in for lp in sub.lps if lp.is_guidance), ZERO),
            government=sum((lp.paid_in for lp in sub.lps if is_government(lp, gov)), ZERO),
            invested=invested, attributable=quantize_fraction(sub.attributable_paid_in)),
    }


def leverage_report(fund_id: int, as_of: date, sub_funds: Sequence[SubFundLeverageInput],
                    government_types: Iterable[str]) -> LeverageReport:
    """Leverage of the guidance fund ``fund_id`` over ``sub_funds`` (its direct sub-funds).

    Numerators and denominators are sums over the sub-funds (yuan); the look-through
    numerator is the exact attributable total rounded once to 0.01 yuan (half-even).
    """
    gov = frozenset(government_types)
    rows, per_sub = [], []
    for sub in sub_funds:
        sums = _sub_sums(sub, gov)
        per_sub.append(sums)
        rows.append(SubFundLeverage(
            fund_id=sub.fund_id, fund_code=sub.fund_code, fund_name=sub.fund_name,
            committed_total=sums["subscribed"].size, paid_in_total=sums["paid_in"].size,
            guidance_committed=sums["subscribed"].guidance,
            guidance_paid_in=sums["paid_in"].guidance,
            government_committed=sums["subscribed"].government,
            government_paid_in=sums["paid_in"].government,
            invested=sub.invested, co_invested=sub.co_invested,
            attributable_subscribed=sums["subscribed"].attributable,
            attributable_paid_in=sums["paid_in"].attributable,
            ratios=_ratios(sums),
        ))
    exact = {
        "subscribed": sum((x.attributable_subscribed for x in sub_funds), Fraction(0)),
        "paid_in": sum((x.attributable_paid_in for x in sub_funds), Fraction(0)),
    }
    overall = {
        b: _Sums(size=sum((x[b].size for x in per_sub), ZERO),
                 guidance=sum((x[b].guidance for x in per_sub), ZERO),
                 government=sum((x[b].government for x in per_sub), ZERO),
                 invested=sum((x[b].invested for x in per_sub), ZERO),
                 attributable=quantize_fraction(exact[b]))
        for b in BASES
    }
    return LeverageReport(fund_id, as_of, tuple(sorted(gov)), _ratios(overall), tuple(rows))


LOAN_DEFINITIONS: dict[str, tuple[str, str, str]] = {
    # Bank credit linked to rounds in which the guidance fund's portfolio invested (投联贷).
    "loan_leverage": (
        "投联贷撬动倍数（批准）", "Loan leverage (credit approved)",
        ("Σ bank credit approved against rounds with a fund of the guidance fund's portfolio "
         "(any depth) in the syndicate / guidance-fund contribution")),
    "loan_leverage_disbursed": (
        "投联贷撬动倍数（放款）", "Loan leverage (credit disbursed)",
        ("Σ bank credit disbursed against those rounds, net of reversals / "
         "guidance-fund contribution")),
}


def loan_leverage_ratios(approved: Decimal, disbursed: Decimal, guidance_committed: Decimal,
                         guidance_paid_in: Decimal) -> tuple[LeverageRatio, ...]:
    """Both loan-leverage definitions on both bases (yuan in, 10-dp ratios out; n/a on 0)."""
    out = []
    for definition, numerator in (("loan_leverage", approved),
                                  ("loan_leverage_disbursed", disbursed)):
        zh, en, formula = LOAN_DEFINITIONS[definition]
        for basis, denominator in (("subscribed", guidance_committed),
                                   ("paid_in", guidance_paid_in)):
            out.append(LeverageRatio(definition, zh, en, formula, basis, numerator, denominator,
                                     ratio_exact(numerator, denominator)))
    return tuple(out)


pickling.register(sys.modules[__name__])  # fast unpickling of the cached records
