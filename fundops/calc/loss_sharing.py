"""Risk compensation and loss sharing on defaulted loans (风险补偿 / 风险分担, domain-rules §4.6).

Units and signs: money is ``Decimal`` yuan with at most 2 decimals; every amount in a
result is >= 0 and quantized to exactly 2 decimals. A *loss* is the principal still
outstanding at default minus recoveries (never negative); each party's figure is the
part of that loss it bears. Shares are ``Decimal`` fractions of the loss that sum
exactly to 1. Rounding: loss splits use the largest-remainder method of
:func:`fundops.calc.allocation.allocate_pro_rata` so that parts add up exactly; amount
caps are applied after that split and whatever a cap removes falls to the bank.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from types import MappingProxyType

from fundops.calc.allocation import allocate_pro_rata
from fundops.money import decimal_places

__all__ = [
    "GUANGDONG_POOL_90", "HANYIN_FUND_1_TO_5", "HUBEI_POOL_80", "LANZHOU_FOUR_PARTY",
    "ROLES", "SEED_POOL_RULES", "SEED_SCHEMES", "ClaimLimit", "LeverageCheck", "LossSplit",
    "Party", "PartyLoss", "PoolCompensation", "PoolRole", "PoolRule", "RecoverySplit", "Role",
    "Scheme", "SchemeError",
    "leverage_check", "pool_compensation", "share_loss", "split_recovery",
]



class PoolRole(enum.StrEnum):
    """A risk bearer's role in a loss-sharing scheme (stored in ``risk_pool_party.role``
    and ``risk_pool_claim_share.role``); ``pool`` is the pool itself."""

    POOL = "pool"
    GOVERNMENT = "government"
    GUARANTOR = "guarantor"
    RE_GUARANTOR = "re_guarantor"
    TECH_INVESTMENT = "tech_investment"
    BANK = "bank"


Role = PoolRole
ROLES: frozenset[PoolRole] = frozenset(PoolRole)


class ClaimLimit(enum.StrEnum):
    """Which limit cut the pool's part of a claim (``risk_pool_claim.binding``).

    ``NONE`` (the empty string, falsy) when none did; ``BALANCE`` the pool's balance,
    ``PER_LOAN`` / ``PER_COMPANY`` / ``PER_YEAR`` its caps (:class:`PoolRule`), and
    ``PARTY_CAP`` the pool party's own cap in the scheme (:class:`Party`).
    """

    NONE = ""
    BALANCE = "balance"
    PER_LOAN = "per_loan"
    PER_COMPANY = "per_company"
    PER_YEAR = "per_year"
    PARTY_CAP = "party_cap"

ZERO = Decimal("0.00")
FEN = Decimal("0.01")


class SchemeError(ValueError):
    """A party or scheme breaks the scheme rules. ``code`` and ``params`` name the rule
    for the user's language (the codes are registered in
    :mod:`fundops.messages.syndication`); ``str()`` is the English text."""

    def __init__(self, code: str, text: str, **params: object) -> None:
        super().__init__(text)
        self.code = code
        self.params = params


def _money(value: Decimal, name: str) -> Decimal:
    """Check a yuan amount >= 0 with at most 2 decimals; return it with exactly 2."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise TypeError(f"{name} must be a finite Decimal, got {value!r}")
    if value < 0 or decimal_places(value) > 2:
        raise ValueError(f"{name} must be >= 0 with at most 2 decimals, got {value}")
    return value.quantize(FEN) + 0


@dataclass(frozen=True, slots=True)
class Party:
    """One risk bearer: ``share`` of the loss (fraction 0..1) and an optional ``cap``,
    the most it bears on one loan (yuan). The bank may not have a cap. ``role`` may be
    given as its string value; it is kept as a :class:`PoolRole`."""

    name: str
    role: PoolRole
    share: Decimal
    cap: Decimal | None = None

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "role", PoolRole(self.role))
        except ValueError:
            raise SchemeError("scheme_unknown_role",
                              f"party {self.name!r}: unknown role {self.role!r}",
                              party=self.name, role=self.role) from None
        if not isinstance(self.share, Decimal) or not 0 <= self.share <= 1:
            raise SchemeError("scheme_share_range",
                              f"party {self.name!r}: share must be a Decimal in 0..1",
                              party=self.name)
        if self.cap is not None:
            if self.role is PoolRole.BANK:
                raise SchemeError("scheme_bank_has_no_cap",
                                  "the bank bears whatever others' caps leave; it has no cap")
            try:
                object.__setattr__(self, "cap", _money(self.cap, f"cap of {self.name!r}"))
            except ValueError as exc:
                raise SchemeError("scheme_cap_invalid", str(exc), party=self.name) from None


@dataclass(frozen=True, slots=True)
class Scheme:
    """A loss-sharing scheme: unique party names, shares summing exactly to 1, exactly
    one ``bank``. ``pool_balance`` (yuan) and ``leverage_k`` describe a backing pool
    when there is one (``max enrolled outstanding = k × pool_balance``)."""

    name: str
    parties: tuple[Party, ...]
    source: str = ""
    pool_balance: Decimal | None = None
    leverage_k: Decimal | None = None

    def __post_init__(self) -> None:
        names = [p.name for p in self.parties]
        if len(set(names)) != len(names):
            raise SchemeError("scheme_names_unique",
                              f"scheme {self.name!r}: party names must be unique", scheme=self.name)
        if [p.role for p in self.parties].count(PoolRole.BANK) != 1:
            raise SchemeError("scheme_one_bank",
                              f"scheme {self.name!r}: exactly one party must be the bank",
                              scheme=self.name)
        if sum((p.share for p in self.parties), Decimal(0)) != 1:
            raise SchemeError("scheme_shares_sum",
                              f"scheme {self.name!r}: shares must sum exactly to 1",
                              scheme=self.name)

    @property
    def bank(self) -> Party:
        return next(p for p in self.parties if p.role is PoolRole.BANK)


@dataclass(frozen=True, slots=True)
class PartyLoss:
    """A party's part of one loss: ``pro_rata`` before caps, ``borne`` after them, and
    ``moved_to_bank`` the amount its cap shifted to the bank (0 for the bank itself)."""

    name: str
    role: PoolRole
    pro_rata: Decimal
    borne: Decimal
    moved_to_bank: Decimal


@dataclass(frozen=True, slots=True)
class LossSplit:
    """``loss = max(0, principal_outstanding - recoveries)``, split so that the parties'
    ``borne`` sum exactly to ``loss``."""

    principal_outstanding: Decimal
    recoveries: Decimal
    loss: Decimal
    parts: tuple[PartyLoss, ...]

    def borne(self) -> dict[str, Decimal]:
        """Amount borne per party name, in scheme order."""
        return {p.name: p.borne for p in self.parts}


def share_loss(
    principal_outstanding: Decimal,
    recoveries: Decimal,
    scheme: Scheme,
    *,
    cap_room: Mapping[str, Decimal] | None = None,
) -> LossSplit:
    """Split the loss on one defaulted loan among the scheme's parties.

    1. ``loss = principal_outstanding - recoveries``, floored at 0: recoveries above the
       principal (interest, costs) are not shared.
    2. The loss is split by ``share`` with the largest-remainder method (exact to the fen).
    3. Each non-bank party bears at most ``min(cap, cap_room[name])`` — ``cap_room`` is
       the room left under per-company or per-year limits (see :func:`pool_compensation`);
       **the amount above a cap falls to the bank**, which bears the residual.

    The ``borne`` amounts sum exactly to ``loss`` and none is negative.
    """
    outstanding = _money(principal_outstanding, "principal_outstanding")
    recovered = _money(recoveries, "recoveries")
    loss = max(ZERO, outstanding - recovered)
    room = {name: _money(v, f"cap_room[{name!r}]") for name, v in (cap_room or {}).items()}
    bank = scheme.bank.name
    if bank in room:
        raise ValueError("the bank has no cap room: it bears the residual")
    unknown = set(room) - {p.name for p in scheme.parties}
    if unknown:
        raise ValueError(f"cap_room names unknown parties: {sorted(unknown)}")
    raw = allocate_pro_rata(loss, [(p.name, p.share) for p in scheme.parties])
    borne: dict[str, Decimal] = {}
    moved: dict[str, Decimal] = {}
    for party in scheme.parties:
        limits = [c for c in (party.cap, room.get(party.name)) if c is not None]
        kept = min([raw[party.name], *limits])
        borne[party.name], moved[party.name] = kept, raw[party.name] - kept
    borne[bank] += sum(moved.values(), ZERO)
    parts = tuple(PartyLoss(p.name, p.role, raw[p.name], borne[p.name], moved[p.name])
                  for p in scheme.parties)
    return LossSplit(outstanding, recovered, loss, parts)


@dataclass(frozen=True, slots=True)
class RecoverySplit:
    """A later recovery handed back: ``parts`` per party (sum = ``amount - surplus``),
    ``remaining`` loss still borne after it, and ``surplus`` — the recovery beyond the
    total borne loss, which goes to the bank as lender (interest, costs)."""

    amount: Decimal
    parts: Mapping[str, Decimal]
    remaining: Mapping[str, Decimal]
    surplus: Decimal


def split_recovery(amount: Decimal, borne: Mapping[str, Decimal]) -> RecoverySplit:
    """Split a recovery made after compensation back in proportion to what each bore.

    ``borne`` is the loss each party currently bears (e.g. ``LossSplit.borne()`` or the
    ``remaining`` of an earlier recovery). Up to the total borne, the recovery is split
    by largest remainder with weights ``borne`` (exact to the fen; a party that bore
    nothing gets nothing); any excess is ``surplus``.
    """
    received = _money(amount, "amount")
    carried = {name: _money(v, f"borne[{name!r}]") for name, v in borne.items()}
    if not carried:
        raise ValueError("borne names no party")
    total = sum(carried.values(), ZERO)
    shared = min(received, total)
    if total == 0:
        parts = dict.fromkeys(carried, ZERO)
    else:
        parts = allocate_pro_rata(shared, list(carried.items()))
    remaining = {name: carried[name] - parts[name] for name in carried}
    return RecoverySplit(received, MappingProxyType(parts), MappingProxyType(remaining),
                         received - shared)


@dataclass(frozen=True, slots=True)
class PoolRule:
    """A compensation pool's rules: it pays ``compensation_share`` of the principal loss,
    at most ``cap_per_loan`` per loan, ``cap_per_company`` in total per company and
    ``cap_per_year`` in total per year (yuan; ``None`` = no limit)."""

    compensation_share: Decimal
    cap_per_loan: Decimal | None = None
    cap_per_company: Decimal | None = None
    cap_per_year: Decimal | None = None


@dataclass(frozen=True, slots=True)
class PoolCompensation:
    """``claim`` is the pool's share before limits, ``paid`` after them, ``bank_retained =
    loss - paid``; ``binding`` is :attr:`ClaimLimit.PER_LOAN`, ``PER_COMPANY``,
    ``PER_YEAR`` or ``None`` when no limit cut the claim."""

    loss: Decimal
    claim: Decimal
    paid: Decimal
    bank_retained: Decimal
    binding: ClaimLimit | None


def pool_compensation(
    principal_loss: Decimal,
    rule: PoolRule,
    *,
    paid_to_company: Decimal = ZERO,
    paid_in_year: Decimal = ZERO,
) -> PoolCompensation:
    """What a pool pays on one loan's principal loss, given what it already paid to the
    same company and in the same year; the rest stays with the bank.

    The claim is the pool's part of a two-party (pool, bank) largest-remainder split of
    the loss, as :func:`share_loss` would give. Limits: ``cap_per_loan``, ``cap_per_company
    - paid_to_company`` and ``cap_per_year - paid_in_year`` (each floored at 0); the
    smallest one below the claim binds (ties: that order).
    """
    loss = _money(principal_loss, "principal_loss")
    share = rule.compensation_share
    if not isinstance(share, Decimal) or not 0 <= share <= 1:
        raise ValueError("compensation_share must be a Decimal in 0..1")
    claim = allocate_pro_rata(loss, [("pool", share), ("bank", 1 - share)])["pool"]
    limits: list[tuple[ClaimLimit, Decimal]] = []
    if rule.cap_per_loan is not None:
        limits.append((ClaimLimit.PER_LOAN, _money(rule.cap_per_loan, "cap_per_loan")))
    if rule.cap_per_company is not None:
        left = _money(rule.cap_per_company, "cap_per_company") - _money(
            paid_to_company, "paid_to_company")
        limits.append((ClaimLimit.PER_COMPANY, max(ZERO, left)))
    if rule.cap_per_year is not None:
        left = _money(rule.cap_per_year, "cap_per_year") - _money(paid_in_year, "paid_in_year")
        limits.append((ClaimLimit.PER_YEAR, max(ZERO, left)))
    binding: ClaimLimit | None = None
    paid = claim
    for name, limit in limits:
        if limit < paid:
            binding, paid = name, limit
    return PoolCompensation(loss, claim, paid, loss - paid, binding)


@dataclass(frozen=True, slots=True)
class LeverageCheck:
    """Pool leverage: ``limit = k × pool_balance`` (yuan, rounded down to the fen),
    ``outstanding_after`` = enrolled outstanding plus the new loan, ``ok`` when
    ``outstanding_after <= limit``, ``headroom = max(0, limit - outstanding_after)``."""

    ok: bool
    limit: Decimal
    outstanding_after: Decimal
    headroom: Decimal


def leverage_check(
    enrolled_outstanding: Decimal,
    pool_balance: Decimal,
    k: Decimal,
    *,
    new_loan: Decimal = ZERO,
) -> LeverageCheck:
    """Check ``enrolled outstanding (+ new_loan) <= k × pool balance`` (§4.6, k 5-10)."""
    if not isinstance(k, Decimal) or not k.is_finite() or k < 0:
        raise ValueError("k must be a finite Decimal >= 0")
    balance = _money(pool_balance, "pool_balance")
    after = _money(enrolled_outstanding, "enrolled_outstanding") + _money(new_loan, "new_loan")
    limit = (k * balance).quantize(FEN, ROUND_DOWN)
    return LeverageCheck(after <= limit, limit, after, max(ZERO, limit - after))


# --- seed schemes -------------------------------------------------------------------
# Verified figures are quoted from /work/shared/seeds; shares the sources do not state
# are marked ASSUMPTION and follow domain-rules §4.6 (bank keeps >= 20 %).

HUBEI_POOL_80 = Scheme(
    name="湖北 科技信贷风险补偿资金池 (10亿, 80 %)",
    parties=(Party("risk_pool", PoolRole.POOL, Decimal("0.8")),
             Party("bank", PoolRole.BANK, Decimal("0.2"))),
    source="seeds/004 line 50: 省、市财政按1∶1比例设立总额10亿元的资金池,"
           "对不良贷款本金损失补偿80%",
    pool_balance=Decimal("1000000000.00"),
)

GUANGDONG_POOL_90 = Scheme(
    name="广东 省级科技信贷风险补偿资金池 (up to 90 %)",
    parties=(Party("risk_pool", PoolRole.POOL, Decimal("0.9")),
             Party("bank", PoolRole.BANK, Decimal("0.1"))),
    source="seeds/004 line 71: 《广东省科技信贷风险补偿管理办法(试行)》,"
           "符合条件的项目最高补偿比例达90% (the maximum; ordinary loans get less)",
)

LANZHOU_FOUR_PARTY = Scheme(
    name="兰州银行 四方模式 (government subsidy + 省科投 + guarantor + bank)",
    parties=(Party("government", PoolRole.GOVERNMENT, Decimal(0)),
             Party("provincial_tech_investment", PoolRole.TECH_INVESTMENT, Decimal("0.4")),
             Party("guarantee_company", PoolRole.GUARANTOR, Decimal("0.4")),
             Party("bank", PoolRole.BANK, Decimal("0.2"))),
    source="seeds/000 line 24: 推出政府貼息、省科投公司與擔保公司、蘭州銀行共同承擔風險損失的"
           "“四方模式” — the source gives no ratios. ASSUMPTION: 40/40/20 as in 金华金东 "
           "(domain-rules §4.6); the government shares no loss, it pays the interest "
           "subsidy (schedules.interest_subsidy).",
)

HANYIN_FUND_1_TO_5 = Scheme(
    name="汉阴 科创引导基金 2000万, 1:5 credit enhancement",
    parties=(Party("guidance_fund", PoolRole.POOL, Decimal("0.8"), cap=Decimal("20000000.00")),
             Party("bank", PoolRole.BANK, Decimal("0.2"))),
    source="seeds/003 line 21: 联合政府设立2000万元科创引导基金…按照1:5的杠杆融资增信,"
           "为企业提供1500万元低息贷款. ASSUMPTION: the loss split is not stated; "
           "80/20 with the fund capped at its 2000万 balance.",
    pool_balance=Decimal("20000000.00"),
    leverage_k=Decimal(5),
)

SEED_SCHEMES: tuple[Scheme, ...] = (HUBEI_POOL_80, GUANGDONG_POOL_90, LANZHOU_FOUR_PARTY,
                                    HANYIN_FUND_1_TO_5)

SEED_POOL_RULES: Mapping[str, PoolRule] = MappingProxyType({
    HUBEI_POOL_80.name: PoolRule(Decimal("0.8")),
    GUANGDONG_POOL_90.name: PoolRule(Decimal("0.9")),
    HANYIN_FUND_1_TO_5.name: PoolRule(Decimal("0.8"), cap_per_loan=Decimal("20000000.00")),
})
