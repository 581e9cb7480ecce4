"""Kinds of LP-interest transfers (份额转让) and of the guidance fund's exits by transfer;
values are the stored strings."""

from __future__ import annotations

import enum

from fundops.portfolio.enums import InvestorType


class TransferKind(enum.StrEnum):
    """Why an LP interest changed hands."""

    S_FUND = "s_fund"  # a secondary sale (S基金 / 份额转让) at a negotiated or formula price
    BUYOUT_OPTION = "buyout_option"  # exercise of a buy-out option on the guidance LP's interest
    EARLY_EXIT = "early_exit"  # early exit of the guidance capital (210号 Art. 20)


class PriceBasis(enum.StrEnum):
    """How the price was set."""

    FORMULA = "formula"  # reference NAV × (1 − discount) ± calls / distributions after it
    NEGOTIATED = "negotiated"  # typed; the formula is shown beside it
    COST_PLUS_INTEREST = "cost_plus_interest"  # principal + simple interest − distributions
    APPRAISAL = "appraisal"  # a qualified asset appraisal (评估报告), typed with its reference


class TransferPlatform(enum.StrEnum):
    """Where a state-owned interest was transferred (the S-fund pilot platforms, §5.4)."""

    BEIJING = "beijing"  # 北京股权交易中心
    SHANGHAI = "shanghai"  # 上海股权托管交易中心
    ZHEJIANG = "zhejiang"  # 浙江股权交易中心
    NINGBO = "ningbo"  # 宁波股权交易中心
    GUANGDONG = "guangdong"  # 广东股权交易中心
    JIANGSU = "jiangsu"  # 江苏股权交易中心
    ANHUI = "anhui"  # 安徽省股权托管交易中心
    OTHER = "other"  # another exchange or platform (named in the memo)


class EarlyExitTrigger(enum.StrEnum):
    """The five early-exit triggers of 210号 Art. 20 (written into the charter)."""

    NOT_SET_UP = "not_set_up"  # fund not set up within 1 year of plan confirmation
    IDLE_OVER_YEAR = "idle_over_year"  # government money idle in the account > 1 year
    OFF_POLICY = "off_policy"  # investment direction not in line with the policy goals
    NOT_PER_CHARTER = "not_per_charter"  # not investing as the charter requires
    OTHER_BREACH = "other_breach"  # other breaches of the charter


class EligibleBuyers(enum.StrEnum):
    """Who may exercise a buy-out option on the guidance LP's interest."""

    SOCIAL_LPS = "social_lps"
    GP = "gp"
    SOCIAL_LPS_AND_GP = "social_lps_and_gp"


# Sellers whose interest is state-owned: an appraisal and a platform are required.
STATE_OWNED_TYPES = frozenset({InvestorType.FISCAL, InvestorType.GUIDANCE_FUND,
                               InvestorType.STATE_OWNED})
# Government capital (the guidance LP of a buy-out option or an early exit).
GOVERNMENT_TYPES = frozenset({InvestorType.FISCAL, InvestorType.GUIDANCE_FUND})
