"""Guidance-fund policy indicators (domain-rules §3.2, §3.3, §3.6) and their rule checks.

Every indicator is ``numerator / denominator`` (yuan Decimals, exact) with ``value``
rounded half-to-even to 10 decimals (:func:`~fundops.calc.leverage.ratio_exact`, as the
multiples), ``None`` ("n/a") when the denominator is 0; pages round it for display. Ratios
are fractions (0.25 = 25 %), never percents. A rule is checked on the **exact** ratio, so a
value shown as 70.00 % can still breach a 0.70 minimum by less than 0.00005; an n/a value
never breaches. Policy parameters are per-fund rules with effective dates
(:class:`RuleSpec`); with no rule in force an indicator is reported without a check.

Ledger sums (``flows``) are net amounts per cash-flow kind on or before the as-of date,
each positive in its kind's direction (calls in, distributions out, …).
"""

from __future__ import annotations

import enum
import json
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from fundops.calc import pickling
from fundops.calc.leverage import LpAmount, is_government, ratio_exact
from fundops.errors import ValidationError

ZERO = Decimal("0.00")
DEFAULT_EARLY_STAGES = ("seed", "start_up")


class RuleType(enum.StrEnum):
    """What a policy rule limits (``policy_rule.rule_type``); see :data:`RULE_PARAMS`."""

    GOV_SHARE_CAP = "gov_share_cap"
    REINVEST_MULTIPLE = "reinvest_multiple"
    EARLY_STAGE_MIN_SHARE = "early_stage_min_share"
    SMALL_COMPANY_MIN_SHARE = "small_company_min_share"
    HARD_TECH_MIN_SHARE = "hard_tech_min_share"
    SINGLE_DEAL_MAX = "single_deal_max"
    DEPLOYMENT_MIN_RATIO = "deployment_min_ratio"
    IDLE_MAX_RATIO = "idle_max_ratio"
    PAID_IN_MIN_RATIO = "paid_in_min_ratio"


class PolicyBasis(enum.StrEnum):
    """What a share is measured on (``policy_rule.basis``): ``subscribed`` = 认缴
    (commitments), ``paid_in`` = 实缴 (capital-call allocations)."""

    SUBSCRIBED = "subscribed"
    PAID_IN = "paid_in"


# rule_type: {param: (kind, required)}; kinds: fraction (0..1), positive, prefix, stages
RULE_PARAMS: dict[RuleType, dict[str, tuple[str, bool]]] = {
    RuleType.GOV_SHARE_CAP: {"max_share": ("fraction", True)},
    RuleType.REINVEST_MULTIPLE: {"region_prefix": ("prefix", True),
                                 "multiple": ("positive", True),
                                 "min_ratio": ("positive", False)},
    RuleType.EARLY_STAGE_MIN_SHARE: {"min_share": ("fraction", True),
                                     "stages": ("stages", False)},
    RuleType.SMALL_COMPANY_MIN_SHARE: {"min_share": ("fraction", True),
                                       "max_deal": ("positive", False)},
    RuleType.HARD_TECH_MIN_SHARE: {"min_share": ("fraction", True)},
    RuleType.SINGLE_DEAL_MAX: {"max_share": ("fraction", True)},
    RuleType.DEPLOYMENT_MIN_RATIO: {"min_ratio": ("fraction", True)},
    RuleType.IDLE_MAX_RATIO: {"max_ratio": ("fraction", True)},
    RuleType.PAID_IN_MIN_RATIO: {"min_ratio": ("fraction", True)},
}

# rule_type -> (indicator code, "min"/"max", threshold param, default threshold)
RULE_CHECKS: dict[RuleType, tuple[str, str, str, str | None]] = {
    RuleType.GOV_SHARE_CAP: ("gov_share", "max", "max_share", None),
    RuleType.REINVEST_MULTIPLE: ("reinvestment_achievement", "min", "min_ratio", "1"),
    RuleType.EARLY_STAGE_MIN_SHARE: ("early_stage_share", "min", "min_share", None),
    RuleType.SMALL_COMPANY_MIN_SHARE: ("small_company_share", "min", "min_share", None),
    RuleType.HARD_TECH_MIN_SHARE: ("hard_tech_share", "min", "min_share", None),
    RuleType.SINGLE_DEAL_MAX: ("single_deal_share", "max", "max_share", None),
    RuleType.DEPLOYMENT_MIN_RATIO: ("deployment_ratio", "min", "min_ratio", None),
    RuleType.IDLE_MAX_RATIO: ("idle_ratio", "max", "max_ratio", None),
    RuleType.PAID_IN_MIN_RATIO: ("paid_in_ratio", "min", "min_ratio", None),
}

LABELS: dict[str, tuple[str, str, str]] = {
    "paid_in_ratio": ("出资到位率", "Paid-in ratio", "paid-in / committed (all LPs)"),
    "paid_in_ratio_government": ("政府出资到位率", "Paid-in ratio, government LPs",
                                 "government LPs' paid-in / their commitments"),
    "paid_in_ratio_social": ("社会资本出资到位率", "Paid-in ratio, social LPs",
                             "social LPs' paid-in / their commitments"),
    "deployment_ratio": ("资金使用率", "Deployment ratio",
                         ("(cumulative investment at cost incl. exited + sub-fund "
                          "contributions) / paid-in")),
    "idle_ratio": ("闲置率", "Idle-cash ratio",
                   ("(paid-in − invested − sub-fund contributions − fees − expenses "
                    "+ proceeds + sub-fund returns − distributions) / paid-in")),
    "gov_share": ("政府出资占比", "Government share",
                  "government-sourced commitments (or paid-in) / all commitments (or paid-in)"),
    "reinvestment_achievement": ("返投达成率", "Local reinvestment achievement",
                                 ("investment in companies of the region / (multiple × "
                                  "guidance-fund contribution)")),
    "early_stage_share": ("投早占比", "Early-stage share",
                          "investment in companies at the early stages / cumulative investment"),
    "small_company_share": ("投小占比", "Small-company share",
                            "deals ≤ the single-deal cap or in SMEs / cumulative investment"),
    "hard_tech_share": ("投硬科技占比", "Hard-tech share",
                        "investment in hard-tech companies / cumulative investment"),
    "single_deal_share": ("单一项目投资占比", "Largest single-company share",
                          "largest cumulative investment in one company / fund size"),
}


def _decimal(value: object, field: str) -> Decimal:
    if isinstance(value, bool | float) or not isinstance(value, str | int | Decimal):
        raise ValidationError(field, "decimal_as_text", value=repr(value))
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError(field, "not_a_number", value=value) from None
    if not result.is_finite():
        raise ValidationError(field, "not_finite", value=value)
    return result


def validate_params(rule_type: str, params: Mapping[str, Any],
                    allowed_stages: Iterable[str] | None = None) -> dict[str, Any]:
    """Check ``params`` for ``rule_type`` and return them normalised for storage.

    Numbers become canonical decimal strings (exact), stages a sorted list. Raises
    ``ValidationError`` naming ``rule_type`` or ``params.<key>``.
    """
    try:
        spec = RULE_PARAMS[RuleType(rule_type)]
    except ValueError:
        raise ValidationError("rule_type", "not_one_of", value=rule_type,
                              allowed=", ".join(RULE_PARAMS)) from None
    if not isinstance(params, Mapping):
        raise ValidationError("params", "params_not_object")
    out: dict[str, Any] = {}
    for key in params:
        if key not in spec:
            raise ValidationError(f"params.{key}", "policy_unknown_param", rule_type=rule_type,
                                  expected=", ".join(spec))
    for key, (kind, required) in spec.items():
        field = f"params.{key}"
        if key not in params or params[key] in (None, ""):
            if required:
                raise ValidationError(field, "required")
            continue
        out[key] = _param_value(kind, params[key], field, allowed_stages)
    return out


def _param_value(kind: str, raw: Any, field: str, allowed_stages: Iterable[str] | None) -> Any:
    """One given parameter of ``kind`` normalised for storage (see :func:`validate_params`)."""
    if kind == "prefix":
        text = str(raw).strip()
        if not (text.isdigit() and 2 <= len(text) <= 6):
            raise ValidationError(field, "region_prefix")
        return text
    if kind == "stages":
        stages = [raw] if isinstance(raw, str) else list(raw)
        allowed = set(allowed_stages) if allowed_stages is not None else None
        bad = [s for s in stages if not isinstance(s, str) or (allowed and s not in allowed)]
        if not stages or bad:
            raise ValidationError(field, "unknown_stages", stages=str(bad or stages))
        return sorted(set(stages))
    number = _decimal(raw, field)
    if number <= 0 and kind == "positive":
        raise ValidationError(field, "not_positive")
    if kind == "fraction" and not 0 <= number <= 1:
        raise ValidationError(field, "not_fraction")
    return format(number, "f")


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """A stored policy rule (``params_json`` is canonical JSON; see :data:`RULE_PARAMS`)."""

    rule_id: int | None
    fund_id: int
    rule_type: RuleType
    params_json: str
    basis: PolicyBasis
    effective_from: date
    source_citation: str = ""

    @property
    def params(self) -> dict[str, Any]:
        value = json.loads(self.params_json)
        return value if isinstance(value, dict) else {}


def rule_in_force(rules: Iterable[RuleSpec], rule_type: RuleType, as_of: date) -> RuleSpec | None:
    """The rule of this type with the latest ``effective_from`` on or before ``as_of``
    (for one date the highest rule id wins); ``None`` when there is none."""
    live = [r for r in rules if r.rule_type == rule_type and r.effective_from <= as_of]
    return max(live, key=lambda r: (r.effective_from, r.rule_id or 0), default=None)


def rules_in_force(own: Iterable[RuleSpec], inherited: Iterable[RuleSpec],
                   as_of: date) -> dict[RuleType, RuleSpec]:
    """Per rule type, the fund's own rule in force, else the inherited one (the guidance
    fund's rule for all its sub-funds): the specific agreement beats the general policy."""
    own, inherited = list(own), list(inherited)
    out = {}
    for rule_type in RULE_PARAMS:
        rule = rule_in_force(own, rule_type, as_of) or rule_in_force(inherited, rule_type, as_of)
        if rule is not None:
            out[rule_type] = rule
    return out


@dataclass(frozen=True, slots=True)
class Deal:
    """A live (not reversed) investment of the fund, on or before as-of, yuan."""

    company_id: int
    amount: Decimal
    stage: str
    is_sme: bool
    is_hard_tech: bool
    region_code: str


@dataclass(frozen=True, slots=True)
class FundPolicyInputs:
    """Everything one fund's indicators need, as of a date (yuan)."""

    fund_id: int
    fund_code: str
    fund_name: str
    role: str
    """``"guidance"`` (the evaluated guidance fund itself) or ``"sub_fund"``."""
    lps: tuple[LpAmount, ...]
    flows: Mapping[str, Decimal]
    """Net ledger sum per cash-flow kind value (``"capital_call"``, ``"investment"``, …)."""
    deals: tuple[Deal, ...]


@dataclass(frozen=True, slots=True)
class RuleCheck:
    """The rule an indicator was checked against."""

    rule_id: int | None
    fund_id: int
    """The fund the rule is recorded on (the sub-fund itself or the guidance fund)."""
    rule_type: RuleType
    comparison: str
    """``"min"`` (breach if below) or ``"max"`` (breach if above)."""
    threshold: Decimal
    basis: PolicyBasis
    effective_from: date
    source_citation: str


@dataclass(frozen=True, slots=True)
class Indicator:
    code: str
    label_zh: str
    label_en: str
    formula: str
    basis: PolicyBasis | None
    """The basis where the figure depends on it, else ``None``."""
    numerator: Decimal
    denominator: Decimal
    value: Decimal | None
    rule: RuleCheck | None
    breach: bool
    note: str = ""


@dataclass(frozen=True, slots=True)
class FundIndicators:
    fund_id: int
    fund_code: str
    fund_name: str
    role: str
    indicators: tuple[Indicator, ...]

    @property
    def breaches(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.breach)

    @property
    def checked(self) -> bool:
        """Whether any rule is in force for the fund (no rule: nothing was checked, which
        is not the same as nothing breached)."""
        return any(i.rule is not None for i in self.indicators)

    def get(self, code: str, basis: str | None = None) -> Indicator:
        """The indicator with this code (and basis, for the two-basis ones)."""
        for i in self.indicators:
            if i.code == code and (basis is None or i.basis == basis):
                return i
        raise KeyError((code, basis))


def _indicator(code: str, basis: PolicyBasis | None, num: Decimal, den: Decimal,
               rule: RuleSpec | None, note: str = "") -> Indicator:
    zh, en, formula = LABELS[code]
    value = ratio_exact(num, den)
    check, breach = None, False
    if rule is not None and (basis is None or basis == rule.basis):
        _, comparison, key, default = RULE_CHECKS[rule.rule_type]
        threshold = Decimal(str(rule.params.get(key, default)))
        check = RuleCheck(rule.rule_id, rule.fund_id, rule.rule_type, comparison, threshold,
                          rule.basis, rule.effective_from, rule.source_citation)
        if den != 0:
            exact = Fraction(num) / Fraction(den)
            breach = exact < threshold if comparison == "min" else exact > threshold
    return Indicator(code, zh, en, formula, basis, num, den, value, check, breach, note)


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, ZERO)


def fund_indicators(inputs: FundPolicyInputs, rules: Mapping[RuleType, RuleSpec],
                    government_types: Iterable[str]) -> FundIndicators:
    """Every indicator of one fund, checked against ``rules`` (rule type → rule in force).

    For the guidance fund itself pass no rules: its rules are meant for its sub-funds.
    Local-reinvestment figures (返投) are only produced for sub-funds.
    """
    gov = frozenset(government_types)
    lps, f = inputs.lps, inputs.flows
    g = [lp for lp in lps if is_government(lp, gov)]
    s = [lp for lp in lps if not is_government(lp, gov)]
    guidance = [lp for lp in lps if lp.is_guidance]

    def flow(kind: str) -> Decimal:
        return f.get(kind, ZERO)

    paid_in = flow("capital_call")
    deployed = flow("investment") + flow("fund_contribution")
    cash = (paid_in - deployed - flow("management_fee") - flow("expense") + flow("proceeds")
            + flow("fund_return") - flow("distribution"))
    out = [
        _indicator("paid_in_ratio", None, _sum(x.paid_in for x in lps),
                   _sum(x.committed for x in lps), rules.get(RuleType.PAID_IN_MIN_RATIO)),
        _indicator("paid_in_ratio_government", None, _sum(x.paid_in for x in g),
                   _sum(x.committed for x in g), None),
        _indicator("paid_in_ratio_social", None, _sum(x.paid_in for x in s),
                   _sum(x.committed for x in s), None),
        _indicator("deployment_ratio", None, deployed, paid_in,
                   rules.get(RuleType.DEPLOYMENT_MIN_RATIO)),
        _indicator("idle_ratio", None, cash, paid_in, rules.get(RuleType.IDLE_MAX_RATIO)),
        _indicator("gov_share", PolicyBasis.SUBSCRIBED, _sum(x.committed for x in g),
                   _sum(x.committed for x in lps), rules.get(RuleType.GOV_SHARE_CAP)),
        _indicator("gov_share", PolicyBasis.PAID_IN, _sum(x.paid_in for x in g), paid_in,
                   rules.get(RuleType.GOV_SHARE_CAP)),
    ]
    if inputs.role == "sub_fund":
        rule = rules.get(RuleType.REINVEST_MULTIPLE)
        for basis in PolicyBasis:
            contribution = _sum(x.committed if basis is PolicyBasis.SUBSCRIBED else x.paid_in
                                for x in guidance)
            if rule is None:
                out.append(_indicator("reinvestment_achievement", basis, ZERO, ZERO, None,
                                      "no 返投 rule in force"))
                continue
            prefix, multiple = rule.params["region_prefix"], Decimal(rule.params["multiple"])
            local = _sum(d.amount for d in inputs.deals if d.region_code.startswith(prefix))
            note = (f"region {prefix}*, multiple {multiple}; recognised: investments in "
                    "companies registered in the region")
            out.append(_indicator("reinvestment_achievement", basis, local, multiple * contribution,
                                  rule, note))
    invested = _sum(d.amount for d in inputs.deals)
    early = rules.get(RuleType.EARLY_STAGE_MIN_SHARE)
    stages = tuple(early.params.get("stages", DEFAULT_EARLY_STAGES) if early
                   else DEFAULT_EARLY_STAGES)
    small = rules.get(RuleType.SMALL_COMPANY_MIN_SHARE)
    max_deal = Decimal(small.params["max_deal"]) if small and "max_deal" in small.params else None
    out += [
        _indicator("early_stage_share", None,
                   _sum(d.amount for d in inputs.deals if d.stage in stages), invested, early,
                   f"stages: {', '.join(stages)} (the company's current stage)"),
        _indicator("small_company_share", None,
                   _sum(d.amount for d in inputs.deals
                        if d.is_sme or (max_deal is not None and d.amount <= max_deal)),
                   invested, small,
                   "SME companies" + ("" if max_deal is None else f" or deals ≤ {max_deal} yuan")),
        _indicator("hard_tech_share", None, _sum(d.amount for d in inputs.deals if d.is_hard_tech),
                   invested, rules.get(RuleType.HARD_TECH_MIN_SHARE),
                   "companies flagged hard-tech"),
    ]
    per_company: dict[int, Decimal] = {}
    for d in inputs.deals:
        per_company[d.company_id] = per_company.get(d.company_id, ZERO) + d.amount
    largest = max(per_company.values(), default=ZERO)
    for basis, size in ((PolicyBasis.SUBSCRIBED, _sum(x.committed for x in lps)),
                        (PolicyBasis.PAID_IN, paid_in)):
        out.append(_indicator("single_deal_share", basis, largest, size,
                              rules.get(RuleType.SINGLE_DEAL_MAX)))
    return FundIndicators(inputs.fund_id, inputs.fund_code, inputs.fund_name, inputs.role,
                          tuple(out))


@dataclass(frozen=True, slots=True)
class PolicyReport:
    """A guidance fund's own indicators (unchecked) and each sub-fund's, checked."""

    fund_id: int
    as_of: date
    government_types: tuple[str, ...]
    guidance: FundIndicators
    sub_funds: tuple[FundIndicators, ...]

    @property
    def breaches(self) -> tuple[FundIndicators, ...]:
        """The sub-funds that break at least one rule in force, with all their figures."""
        return tuple(f for f in self.sub_funds if f.breaches)


pickling.register(sys.modules[__name__])  # fast unpickling of the cached records
