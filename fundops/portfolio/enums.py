"""Enumerations of the portfolio ledger; values are the stored strings."""

from __future__ import annotations

import enum


class FundKind(enum.StrEnum):
    PARENT_FUND = "parent_fund"  # 母基金 / FoF
    SUB_FUND = "sub_fund"  # 子基金
    DIRECT_VEHICLE = "direct_vehicle"  # 直投载体
    MA_FUND = "ma_fund"  # 并购基金
    S_FUND = "s_fund"  # S基金


class FundStage(enum.StrEnum):
    RAISING = "raising"
    INVESTING = "investing"
    MANAGING = "managing"
    EXITING = "exiting"
    EXTENDED = "extended"
    LIQUIDATED = "liquidated"


class InvestorType(enum.StrEnum):
    FISCAL = "fiscal"  # 财政 / 政府出资
    GUIDANCE_FUND = "guidance_fund"  # 政府引导基金
    STATE_OWNED = "state_owned"  # 国有企业
    PRIVATE = "private"  # 民营 / 社会资本
    INSURANCE = "insurance"
    BANK_AIC = "bank_aic"  # 金融资产投资公司
    SOCIAL_SECURITY = "social_security"
    CORPORATE = "corporate"
    INDIVIDUAL = "individual"


class CashFlowKind(enum.StrEnum):
    """Ledger entry kinds. Direction is implied by the kind (see ``CashFlow``)."""

    CAPITAL_CALL = "capital_call"  # LPs -> fund
    DISTRIBUTION = "distribution"  # fund -> LPs
    INVESTMENT = "investment"  # fund -> company
    PROCEEDS = "proceeds"  # company -> fund
    MANAGEMENT_FEE = "management_fee"  # fund -> manager
    EXPENSE = "expense"  # fund -> third parties
    FUND_CONTRIBUTION = "fund_contribution"  # parent fund -> sub-fund (paying its call)
    FUND_RETURN = "fund_return"  # sub-fund -> parent fund (its distribution)
    # An LP interest changing hands (份额转让): fund amount 0.00; the allocations move the
    # seller's paid-in to the buyer (seller −, buyer +). No cash moves in the fund, so the
    # kind is in no NAV roll-forward and no fund net or gross flow (fundops.exits.transfers).
    LP_TRANSFER = "lp_transfer"


class CallPurpose(enum.StrEnum):
    INVESTMENT = "investment"
    MANAGEMENT_FEE = "management_fee"
    FUND_EXPENSES = "fund_expenses"
    OTHER = "other"


class DistributionType(enum.StrEnum):
    RETURN_OF_CAPITAL = "return_of_capital"
    GAIN = "gain"
    INCOME = "income"
    IN_KIND = "in_kind"  # listed shares distributed to the LPs (实物分配), at their value


class CompanyStage(enum.StrEnum):
    SEED = "seed"
    START_UP = "start_up"
    GROWTH = "growth"
    MATURE = "mature"


class CompanyTag(enum.StrEnum):
    SRDI = "srdi"  # 专精特新
    LITTLE_GIANT = "little_giant"  # 小巨人
    HIGH_TECH = "high_tech"  # 高新技术企业


class Instrument(enum.StrEnum):
    ORDINARY_EQUITY = "ordinary_equity"
    PREFERRED_EQUITY = "preferred_equity"
    CONVERTIBLE = "convertible"
    DEBT = "debt"
    OTHER = "other"


# Kinds allocated to LPs pro rata to commitment.
LP_ALLOCATED_KINDS = frozenset({CashFlowKind.CAPITAL_CALL, CashFlowKind.DISTRIBUTION})
# Kinds that are company-level flows and need a company.
COMPANY_KINDS = frozenset({CashFlowKind.INVESTMENT, CashFlowKind.PROCEEDS})
# Kinds that are flows between a parent fund and one of its sub-funds.
SUB_FUND_KINDS = frozenset({CashFlowKind.FUND_CONTRIBUTION, CashFlowKind.FUND_RETURN})
