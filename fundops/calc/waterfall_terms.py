"""Distribution-waterfall terms, their validation, the dated inputs of a run, and the
conventions printed beside every result (domain rules §5.5, §5.5.1 and §3.4).

Amounts are Decimal yuan (LP view: every amount here is non-negative; a contribution is
money the party paid in, a slice is money it received). Rates and shares are Decimal
fractions (0.08 = 8 %). Parties are opaque hashable keys (investor ids in the application).

The enums are the one list of values the database stores (``StrEnum`` values).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from fundops.errors import ValidationError

Party = Hashable
"""An opaque key naming an LP, a GP-commitment party or the carry recipient."""

ZERO = Decimal(0)
ONE = Decimal(1)


class Structure(StrEnum):
    """Where carry is measured: over the whole fund (European) or per realised deal
    (American, with a clawback at the end)."""

    WHOLE_FUND = "whole_fund"
    DEAL_BY_DEAL = "deal_by_deal"


class CapitalBasis(StrEnum):
    """What tier 1 returns (and what earns the pref): every contribution including its fee
    and expense part, or the contributions less that part."""

    WITH_FEES = "with_fees"
    WITHOUT_FEES = "without_fees"


class Hurdle(StrEnum):
    """How the preferred return accrues (see :mod:`fundops.calc.carry`)."""

    NONE = "none"
    SIMPLE = "simple"
    COMPOUND = "compound"
    IRR = "irr"


class ConcessionPlacement(StrEnum):
    """Where a 让利 tier sits: before the fund's carry (the excess is measured on the
    government's gross pool and ceded out of it before its waterfall, so no carry is
    charged on the ceded part) or after it (measured on what the government's pool pays
    it, and taken from that)."""

    BEFORE_CARRY = "before_carry"
    AFTER_CARRY = "after_carry"


@dataclass(frozen=True)
class ConcessionTier:
    """One 让利 tier (§3.4): ``government`` keeps its principal plus simple interest at
    ``threshold_rate`` and cedes ``share`` of its excess to ``beneficiaries``.

    ``beneficiaries``: ``(party, weight)`` pairs (other LPs, or the carry recipient); the
    ceded amount is split by weight. ``condition``: a label of the policy condition (返投,
    投早投小 …); a tier with a condition applies only in runs that list it as met.
    """

    government: Party
    threshold_rate: Decimal
    share: Decimal
    beneficiaries: tuple[tuple[Party, Decimal], ...]
    condition: str | None = None

    def __post_init__(self) -> None:
        if self.threshold_rate < 0:
            raise ValidationError("threshold_rate", "waterfall_rate_negative")
        _check_share("share", self.share)
        if not self.beneficiaries:
            raise ValidationError("beneficiaries", "waterfall_no_beneficiary")
        seen: set[Party] = set()
        for party, weight in self.beneficiaries:
            if party == self.government:
                raise ValidationError("beneficiaries", "waterfall_concession_to_itself")
            if party in seen:
                raise ValidationError("beneficiaries", "waterfall_beneficiary_twice")
            if weight <= 0:
                raise ValidationError("beneficiaries", "waterfall_weight_not_positive")
            seen.add(party)


@dataclass(frozen=True)
class WaterfallTerms:
    """The waterfall terms of a fund (validated on construction).

    * ``carry``: the GP's carried-interest share c, 0 ≤ c < 1.
    * ``catch_up``: the GP's share k of the catch-up tier (1 = 100 % catch-up, 0.8 = 80/20),
      c ≤ k ≤ 1 and k > 0; ``None`` = no catch-up tier (the GP then gets c of the remainder
      only). k = c makes the catch-up tier empty (it would equal the split).
    * ``hurdle`` and ``hurdle_rate`` (≥ 0; must be 0 with ``Hurdle.NONE``).
    * ``capital_basis``: what tier 1 returns and what earns the pref.
    * ``gp_commitment``: parties (the GP's own commitment, an affiliate …) that take their
      pro-rata share without carry on themselves.
    * ``holdback``: share of the GP's carry paid into escrow for a later clawback, 0 ≤ h ≤ 1.
    * ``concessions`` and ``concession_placement``: the 让利 tiers.
    """

    structure: Structure = Structure.WHOLE_FUND
    carry: Decimal = Decimal("0.2")
    catch_up: Decimal | None = ONE
    hurdle: Hurdle = Hurdle.COMPOUND
    hurdle_rate: Decimal = Decimal("0.08")
    capital_basis: CapitalBasis = CapitalBasis.WITH_FEES
    gp_commitment: frozenset[Party] = field(default_factory=frozenset)
    holdback: Decimal = ZERO
    concessions: tuple[ConcessionTier, ...] = ()
    concession_placement: ConcessionPlacement = ConcessionPlacement.AFTER_CARRY

    def __post_init__(self) -> None:
        if not ZERO <= self.carry < ONE:
            raise ValidationError("carry", "waterfall_carry_range")
        if self.catch_up is not None:
            if not ZERO < self.catch_up <= ONE:
                raise ValidationError("catch_up", "waterfall_catch_up_range")
            if self.catch_up < self.carry:
                raise ValidationError("catch_up", "waterfall_catch_up_below_carry",
                                      catch_up=_percent(self.catch_up),
                                      carry=_percent(self.carry))
        if self.hurdle_rate < 0:
            raise ValidationError("hurdle_rate", "waterfall_rate_negative")
        if self.hurdle is Hurdle.NONE and self.hurdle_rate != 0:
            raise ValidationError("hurdle_rate", "waterfall_rate_without_hurdle")
        _check_share("holdback", self.holdback)
        ceded: dict[Party, Decimal] = {}
        for tier in self.concessions:
            ceded[tier.government] = ceded.get(tier.government, ZERO) + tier.share
            if ceded[tier.government] > ONE:
                raise ValidationError("concessions", "waterfall_concession_over_all")


def _check_share(name: str, value: Decimal) -> None:
    if not ZERO <= value <= ONE:
        raise ValidationError(name, "waterfall_share_range")


def _percent(value: Decimal) -> str:
    """``value`` (a fraction) as a percentage string without trailing zeros: 0.08 → "8"."""
    shown = (value * 100).normalize()
    return format(shown.quantize(ONE) if shown == shown.to_integral() else shown, "f")


@dataclass(frozen=True)
class Contribution:
    """Money a party paid in on ``on``: ``amount`` yuan, of which ``fees`` (0 ≤ fees ≤
    amount) paid management fees and fund expenses."""

    on: date
    amount: Decimal
    fees: Decimal = ZERO

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise ValidationError("amount", "amount_negative", value=self.amount)
        if not ZERO <= self.fees <= self.amount:
            raise ValidationError("fees", "waterfall_fees_exceed", fees=self.fees,
                                  amount=self.amount)

    def base(self, basis: CapitalBasis) -> Decimal:
        """The part tier 1 returns and the pref accrues on, under ``basis``."""
        return self.amount if basis is CapitalBasis.WITH_FEES else self.amount - self.fees


@dataclass(frozen=True)
class Slice:
    """What one party's pool gave in one distribution on ``on`` (yuan, each ≥ 0).

    LP tiers (paid to the party): ``capital`` (tier 1), ``pref`` (tier 2), ``catch_up`` (the
    LP's 1 − k of the catch-up tier), ``split`` (the LP's 1 − c of the remainder).
    Carry on this pool (paid to the carry recipient): ``carry_catch_up`` (k of the catch-up
    tier), ``carry_split`` (c of the remainder). 让利: ``concession_in`` received as a
    beneficiary; as the government LP, ``concession_out`` ceded from its receipts after
    the carry, or ``ceded_before_carry`` ceded out of its pool before its waterfall (already
    outside the LP tiers, so not deducted again).
    The party receives :attr:`received`; a run stores one slice per party, and the next
    run reads them back from :class:`PartyHistory`.
    """

    on: date
    capital: Decimal = ZERO
    pref: Decimal = ZERO
    catch_up: Decimal = ZERO
    split: Decimal = ZERO
    carry_catch_up: Decimal = ZERO
    carry_split: Decimal = ZERO
    concession_in: Decimal = ZERO
    concession_out: Decimal = ZERO
    ceded_before_carry: Decimal = ZERO

    @property
    def waterfall(self) -> Decimal:
        """The LP tiers before 让利: capital + pref + catch_up + split."""
        return self.capital + self.pref + self.catch_up + self.split

    @property
    def carry(self) -> Decimal:
        """Carry taken from this pool: carry_catch_up + carry_split."""
        return self.carry_catch_up + self.carry_split

    @property
    def ceded(self) -> Decimal:
        """Everything ceded as the government LP: concession_out + ceded_before_carry."""
        return self.concession_out + self.ceded_before_carry

    @property
    def received(self) -> Decimal:
        """What the party receives: the LP tiers + concession_in − concession_out."""
        return self.waterfall + self.concession_in - self.concession_out


@dataclass(frozen=True)
class PartyHistory:
    """A party's dated history in the fund (or, deal by deal, in one deal): its
    contributions and the slices earlier runs gave it (all on or before the run date)."""

    contributions: tuple[Contribution, ...] = ()
    slices: tuple[Slice, ...] = ()


@dataclass(frozen=True)
class Convention:
    """One stated convention: ``code`` is a message code of :mod:`fundops.messages.exits`
    (its English template, translated on pages), ``params`` fill its placeholders."""

    code: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def values(self) -> dict[str, str]:
        """The params as a dict for ``template % values``."""
        return dict(self.params)


def conventions(terms: WaterfallTerms) -> tuple[Convention, ...]:
    """The conventions a run under ``terms`` follows, in reading order."""
    out = [Convention("wf_conv_structure_" + terms.structure.value),
           Convention("wf_conv_pro_rata"),
           Convention("wf_conv_basis_" + terms.capital_basis.value)]
    if terms.hurdle is Hurdle.NONE:
        out.append(Convention("wf_conv_hurdle_none"))
    else:
        out.append(Convention("wf_conv_hurdle_" + terms.hurdle.value,
                              (("rate", _percent(terms.hurdle_rate)),)))
    carry = ("carry", _percent(terms.carry))
    if terms.catch_up is None:
        out.append(Convention("wf_conv_no_catch_up", (carry,)))
    else:
        out.append(Convention("wf_conv_catch_up", (("share", _percent(terms.catch_up)), carry)))
    out += [Convention("wf_conv_cumulative"), Convention("wf_conv_rounding")]
    if terms.gp_commitment:
        out.append(Convention("wf_conv_gp_commitment"))
    if terms.holdback:
        out.append(Convention("wf_conv_holdback", (("share", _percent(terms.holdback)),)))
    for tier in terms.concessions:
        out.append(Convention("wf_conv_concession_" + terms.concession_placement.value,
                              (("rate", _percent(tier.threshold_rate)),
                               ("share", _percent(tier.share)))))
    if terms.concessions:
        out.append(Convention("wf_conv_concession_rules"))
    if terms.structure is Structure.DEAL_BY_DEAL:
        out.append(Convention("wf_conv_clawback"))
    return tuple(out)


def validate_history(histories: Mapping[Party, PartyHistory], on: date) -> None:
    """Refuse flows dated after the run date ``on`` (field ``histories``)."""
    for history in histories.values():
        dates = [c.on for c in history.contributions] + [s.on for s in history.slices]
        for flow_on in dates:
            if flow_on > on:
                raise ValidationError("histories", "waterfall_flow_after_date",
                                      flow_on=flow_on.isoformat(), on=on.isoformat())
