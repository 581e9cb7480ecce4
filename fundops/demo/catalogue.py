"""Static description of the illustrative demo portfolio (all names fictional, prefixed 示例).

Amounts are given in 万元 (10,000 yuan) as integers and converted to exact Decimal
yuan by :func:`wan`. The structure follows the seed articles: a high-tech-zone family of
four parent funds (51.86亿), eighteen sub-funds (82.91亿) and an M&A fund (12亿); a
provincial tech parent fund of 100亿 whose first twelve sub-funds commit 57亿; an
eye-health industry fund in which the government side holds 49 %; and a self-managed
direct-investment vehicle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

DEMO_PASSWORD = "fundops-demo"  # noqa: S105 - the documented login of the demo data
DEMO_END = date(2025, 12, 31)
"""Last value date of the demo ledger."""


def wan(amount: int) -> Decimal:
    """An amount in 万元 as exact yuan."""
    return Decimal(amount) * 10000


# key: (name, organisation kind)
ORGS: dict[str, tuple[str, str]] = {
    "htz": ("示例高新区科创投资引导基金管理有限公司", "guidance_fund_manager"),
    "prov": ("示例省科创母基金管理有限公司", "guidance_fund_manager"),
    "gp1": ("示例启明芯创私募基金管理有限公司", "gp"),
    "gp2": ("示例合创生物医药投资管理有限公司", "gp"),
    "gp3": ("示例星河硬科技创业投资管理有限公司", "gp"),
    "gp4": ("示例明眸健康产业基金管理有限公司", "gp"),
    "bank": ("示例农村商业银行股份有限公司科技支行", "bank"),
    "bank2": ("示例城市商业银行股份有限公司科创金融部", "bank"),
    "platform": ("示例高新区科技金融服务中心", "platform_operator"),
}

# (email, display name, organisation key, role, description shown by `fundops load-demo`)
USERS: list[tuple[str, str, str, str, str]] = [
    ("guidance@demo.fundops.cn", "王引导", "htz", "admin",
     "高新区引导基金管理人：4只母基金、直投基金，穿透看子基金 / guidance-fund manager"),
    ("province@demo.fundops.cn", "陈省投", "prov", "admin",
     "省级科创母基金管理人：100亿母基金及首批12只子基金 / provincial parent-fund manager"),
    ("gp@demo.fundops.cn", "李启明", "gp1", "admin",
     "主演示GP：半导体/AI子基金与并购基金 / main demo GP (sub-funds + M&A fund)"),
    ("gp.checker@demo.fundops.cn", "赵复核", "gp1", "checker",
     ("同一GP的复核岗：审批经办人提交的事项（/approvals） / the same GP's checker: approves "
      "items others submitted")),
    ("gp2@demo.fundops.cn", "周合创", "gp2", "admin", "生物医药GP / biotech GP"),
    ("gp3@demo.fundops.cn", "吴星河", "gp3", "admin",
     "硬科技GP：新能源、新材料、商业航天 / hard-tech GP"),
    ("gp4@demo.fundops.cn", "郑明眸", "gp4", "admin",
     "眼健康产业基金GP（政府方出资49%） / eye-health fund GP"),
    ("bank@demo.fundops.cn", "孙科技", "bank", "admin",
     ("农商行科技支行：投联贷、联合贷牵头行、风险池成员；看不到任何基金 / lead bank of the "
      "linked and joint loans, pool member; sees no funds")),
    ("bank2@demo.fundops.cn", "冯科创", "bank2", "admin",
     "城商行科创金融部：联合贷参贷行 / partner bank in the joint loan"),
    ("platform@demo.fundops.cn", "钱服务", "platform", "admin",
     "高新区科技金融服务中心 / platform operator"),
]


@dataclass(frozen=True, slots=True)
class FundSpec:
    """One demo fund. ``parent``/``parent_pct`` name the parent fund backing it (LP link)."""

    key: str
    org: str
    name_zh: str
    name_en: str
    kind: str
    size_wan: int
    inception: date
    inv_years: int
    term_years: int
    ext_years: int
    region: str
    profile: str  # fof | vc | angel | ma | eye | direct | prov
    sectors: tuple[str, ...] = ()
    parent: str | None = None
    parent_pct: int = 0
    fee_bp: int = 200  # annual management fee in basis points of the commitment

    @property
    def code(self) -> str:
        return self.key

    @property
    def registration_no(self) -> str:
        """Fictional filing number (备案编码); GPs use it to link a parent-fund LP."""
        return f"DEMO-{self.key}"


def _fof(key: str, org: str, name: str, en: str, size: int, start: date, region: str) -> FundSpec:
    return FundSpec(key, org, name, en, "parent_fund", size, start, 5, 10, 2, region, "fof",
                    fee_bp=50)


PARENTS: list[FundSpec] = [
    _fof("HTZ-FOF-1", "htz", "示例高新区科技创新母基金", "Demo HTZ Tech Innovation FoF",
         200000, date(2019, 3, 28), "410100"),
    _fof("HTZ-FOF-2", "htz", "示例高新区天使投资母基金", "Demo HTZ Angel FoF",
         88600, date(2020, 6, 18), "410100"),
    _fof("HTZ-FOF-3", "htz", "示例高新区产业升级母基金", "Demo HTZ Industrial Upgrade FoF",
         150000, date(2021, 4, 20), "410100"),
    _fof("HTZ-FOF-4", "htz", "示例高新区人才创新母基金", "Demo HTZ Talent Innovation FoF",
         80000, date(2022, 5, 26), "410100"),
    _fof("PROV-FOF", "prov", "示例省级科创母基金", "Demo Provincial Tech Innovation FoF",
         1000000, date(2025, 6, 30), "610000"),
]

SEMI, AI, EQUIP, SOFT = "半导体", "人工智能", "高端装备", "工业软件"
BIO, MED, NEV, MAT, SPACE, EYE = "生物医药", "医疗器械", "新能源", "新材料", "商业航天", "眼健康"


def _sub(n: int, org: str, name: str, en: str, size: int, start: date, region: str,
         sectors: tuple[str, ...], parent: str, pct: int, profile: str = "vc") -> FundSpec:
    return FundSpec(f"HTZ-SF{n:02d}", org, name, en, "sub_fund", size, start, 5, 7, 2, region,
                    profile, sectors, parent, pct)


SUB_FUNDS: list[FundSpec] = [
    _sub(1, "gp1", "示例启明芯创一期创业投资基金", "Demo Qiming Chip Fund I", 50000,
         date(2019, 6, 12), "440300", (SEMI, AI), "HTZ-FOF-1", 30),
    _sub(2, "gp2", "示例合创生物医药一期基金", "Demo Hechuang Bio Fund I", 65000,
         date(2019, 9, 5), "320500", (BIO, MED), "HTZ-FOF-1", 30),
    _sub(3, "gp3", "示例星河硬科技一期基金", "Demo Xinghe Hard-tech Fund I", 80000,
         date(2019, 12, 2), "340100", (NEV, MAT, EQUIP), "HTZ-FOF-1", 30),
    _sub(4, "gp1", "示例启明智能产业基金", "Demo Qiming AI Industry Fund", 42000,
         date(2020, 3, 16), "440300", (AI, SOFT), "HTZ-FOF-1", 30),
    _sub(5, "gp4", "示例明眸医疗健康基金", "Demo Mingmou Healthcare Fund", 30000,
         date(2020, 5, 20), "330300", (MED, EYE), "HTZ-FOF-1", 30),
    _sub(6, "gp3", "示例星河新能源产业基金", "Demo Xinghe New Energy Fund", 100000,
         date(2021, 1, 18), "340100", (NEV, MAT), "HTZ-FOF-1", 30),
    _sub(7, "gp1", "示例启明芯创天使基金", "Demo Qiming Chip Angel Fund", 25000,
         date(2020, 9, 8), "440300", (SEMI, AI), "HTZ-FOF-2", 30, "angel"),
    _sub(8, "gp2", "示例合创早期医药基金", "Demo Hechuang Early Bio Fund", 38000,
         date(2020, 12, 10), "320500", (BIO, MED), "HTZ-FOF-2", 30, "angel"),
    _sub(9, "gp3", "示例星河硬科技天使基金", "Demo Xinghe Hard-tech Angel Fund", 28000,
         date(2021, 6, 15), "510100", (SPACE, MAT, NEV), "HTZ-FOF-2", 30, "angel"),
    _sub(10, "gp4", "示例明眸眼科天使基金", "Demo Mingmou Eye Angel Fund", 20000,
         date(2022, 3, 22), "330300", (EYE,), "HTZ-FOF-2", 30, "angel"),
    _sub(11, "gp1", "示例启明芯创二期基金", "Demo Qiming Chip Fund II", 55000,
         date(2021, 8, 9), "320500", (SEMI, EQUIP), "HTZ-FOF-3", 25),
    _sub(12, "gp2", "示例合创生物医药二期基金", "Demo Hechuang Bio Fund II", 45000,
         date(2021, 10, 26), "320500", (BIO,), "HTZ-FOF-3", 25),
    _sub(13, "gp3", "示例星河先进制造基金", "Demo Xinghe Advanced Manufacturing Fund", 60000,
         date(2022, 1, 12), "620100", (EQUIP, MAT), "HTZ-FOF-3", 25),
    _sub(14, "gp1", "示例启明工业软件基金", "Demo Qiming Industrial Software Fund", 32000,
         date(2022, 6, 6), "410100", (SOFT, AI), "HTZ-FOF-3", 25),
    _sub(15, "gp2", "示例合创医疗器械基金", "Demo Hechuang Medtech Fund", 36100,
         date(2022, 9, 1), "320500", (MED,), "HTZ-FOF-3", 25),
    _sub(16, "gp3", "示例星河商业航天基金", "Demo Xinghe Commercial Space Fund", 50000,
         date(2022, 10, 18), "510100", (SPACE,), "HTZ-FOF-4", 25),
    _sub(17, "gp4", "示例明眸视光科技基金", "Demo Mingmou Vision Tech Fund", 33000,
         date(2023, 3, 14), "330300", (EYE, MED), "HTZ-FOF-4", 25),
    _sub(18, "gp1", "示例启明人才创新基金", "Demo Qiming Talent Fund", 40000,
         date(2023, 9, 4), "410100", (AI, SEMI), "HTZ-FOF-4", 25),
]

OTHER_FUNDS: list[FundSpec] = [
    FundSpec("HTZ-MA-1", "gp1", "示例高新区产业并购基金", "Demo HTZ Industrial M&A Fund",
             "ma_fund", 120000, date(2022, 7, 15), 3, 5, 1, "410100", "ma",
             (EQUIP, MAT, NEV), "HTZ-FOF-3", 25, fee_bp=150),
    FundSpec("EYE-IND-1", "gp4", "示例眼谷眼健康产业基金", "Demo Eye Valley Eye-health Fund",
             "sub_fund", 35000, date(2023, 4, 18), 4, 7, 2, "330300", "eye", (EYE,),
             "HTZ-FOF-3", 29),
    FundSpec("HTZ-DV-1", "htz", "示例高新区科创直投基金", "Demo HTZ Direct Investment Vehicle",
             "direct_vehicle", 50000, date(2020, 9, 10), 5, 8, 2, "410100", "direct",
             (SEMI, AI, BIO, NEV, MAT), fee_bp=100),
]

_PROV_GPS = ("gp1", "gp2", "gp3", "gp4", "gp1", "gp2", "gp3", "gp4", "gp1", "gp2", "gp3", "gp3")
_PROV_SIZES = (60000, 50000, 45000, 55000, 30000, 40000, 70000, 50000, 40000, 35000, 55000, 40000)
_PROV_SECTORS = {"gp1": (SEMI, AI), "gp2": (BIO, MED), "gp3": (SPACE, NEV, MAT),
                 "gp4": (EYE, MED)}
_PROV_BATCHES = (date(2025, 8, 20), date(2025, 10, 15), date(2025, 12, 10))
_PROV_NAMES = {"gp1": "示例启明秦创", "gp2": "示例合创秦创", "gp3": "示例星河秦创",
               "gp4": "示例明眸秦创"}

PROVINCIAL_SUBS: list[FundSpec] = [
    FundSpec(f"PROV-SF{i + 1:02d}", gp, f"{_PROV_NAMES[gp]}科创子基金{i + 1}号",
             f"Demo Provincial Sub-fund {i + 1}", "sub_fund", size,
             _PROV_BATCHES[i // 4], 5, 8, 2, "610100", "prov", _PROV_SECTORS[gp], "PROV-FOF",
             35)
    for i, (gp, size) in enumerate(zip(_PROV_GPS, _PROV_SIZES, strict=True))
]

ALL_FUNDS: list[FundSpec] = PARENTS + SUB_FUNDS + OTHER_FUNDS + PROVINCIAL_SUBS

# LP entities: key -> (name, investor type, region of its credit code; "" = individual)
LPS: dict[str, tuple[str, str, str]] = {
    "htz_fiscal": ("示例高新区财政局", "fiscal", "410100"),
    "city_gf": ("示例市级政府投资引导基金", "guidance_fund", "410100"),
    "htz_soe": ("示例高新区国有资本投资运营集团有限公司", "state_owned", "410100"),
    "aic": ("示例银行金融资产投资有限公司", "bank_aic", "110000"),
    "life": ("示例人寿保险股份有限公司", "insurance", "110000"),
    "prov_fiscal": ("示例省财政厅", "fiscal", "610000"),
    "cap_fiscal": ("示例省会市财政局", "fiscal", "610100"),
    "prov_soe": ("示例省投资集团有限公司", "state_owned", "610000"),
    "prov_ins": ("示例省属保险资产管理有限公司", "insurance", "610000"),
    "city_fiscal": ("示例市财政局", "fiscal", "320500"),
    "city_soe": ("示例城市投资发展集团有限公司", "state_owned", "320500"),
    "ind_soe": ("示例产业投资集团有限公司", "state_owned", "340100"),
    "priv_hold": ("示例民营实业控股有限公司", "private", "330100"),
    "priv_vc": ("示例创新创业投资合伙企业（有限合伙）", "private", "440300"),
    "pc_ins": ("示例财产保险股份有限公司", "insurance", "440300"),
    "aic2": ("示例农银金融资产投资有限公司", "bank_aic", "110000"),
    "ssf": ("示例社会保障基金（委托投资）", "social_security", "110000"),
    "elec": ("示例电子集团股份有限公司", "corporate", "440300"),
    "pharma": ("示例医药集团股份有限公司", "corporate", "320500"),
    "nev_corp": ("示例新能源汽车股份有限公司", "corporate", "340100"),
    "eye_hosp": ("示例眼科医院集团股份有限公司", "corporate", "330300"),
    "ind_zhang": ("张某某（示例个人LP）", "individual", ""),
    "ind_li": ("李某某（示例个人LP）", "individual", ""),
    "ind_wang": ("王某某（示例个人LP）", "individual", ""),
}

# Social LP pool for sub-funds, by investor type (rotated so that every type appears).
SOCIAL_TYPES = ("fiscal", "state_owned", "private", "insurance", "bank_aic",
                "social_security", "corporate", "individual")
SOCIAL_POOL: dict[str, tuple[str, ...]] = {
    "fiscal": ("city_fiscal", "htz_fiscal"),
    "state_owned": ("city_soe", "ind_soe"),
    "private": ("priv_hold", "priv_vc"),
    "insurance": ("life", "pc_ins"),
    "bank_aic": ("aic", "aic2"),
    "social_security": ("ssf",),
    "corporate": ("elec", "pharma", "nev_corp"),
    "individual": ("ind_zhang", "ind_li", "ind_wang"),
}
SOCIAL_WEIGHT = {"fiscal": 2, "state_owned": 3, "private": 2, "insurance": 3, "bank_aic": 3,
                 "social_security": 4, "corporate": 2, "individual": 1}

# Explicit LP lists (万元); "@FUND" links the parent fund, "@GP" is the GP's own commitment.
EXPLICIT_LPS: dict[str, list[tuple[str, int]]] = {
    "HTZ-FOF-1": [("htz_fiscal", 80000), ("city_gf", 60000), ("htz_soe", 60000)],
    "HTZ-FOF-2": [("htz_fiscal", 44300), ("htz_soe", 26580), ("aic", 17720)],
    "HTZ-FOF-3": [("htz_fiscal", 50000), ("city_gf", 40000), ("htz_soe", 30000),
                  ("life", 30000)],
    "HTZ-FOF-4": [("htz_fiscal", 40000), ("htz_soe", 24000), ("city_gf", 16000)],
    "PROV-FOF": [("prov_fiscal", 300000), ("cap_fiscal", 100000), ("prov_soe", 400000),
                 ("prov_ins", 100000), ("aic", 100000)],
    "HTZ-DV-1": [("htz_fiscal", 30000), ("htz_soe", 20000)],
    "HTZ-MA-1": [("@FUND", 30000), ("aic", 30000), ("ind_soe", 20000), ("elec", 24000),
                 ("ssf", 15000), ("@GP", 1000)],
    # government side 49 %: parent fund 29 % + district state-owned group 20 %
    "EYE-IND-1": [("@FUND", 10150), ("htz_soe", 7000), ("eye_hosp", 10000),
                  ("priv_hold", 6500), ("ind_wang", 1000), ("@GP", 350)],
}

# Portfolio companies: (creating organisation, brand, sector, region, hint); "mature" ones
# are M&A targets, "prov" ones are reserved for the provincial sub-funds' first deals.
COMPANIES: list[tuple[str, str, str, str, str]] = [
    ("gp1", "芯曜", SEMI, "440300", ""), ("gp1", "矽衡", SEMI, "320500", ""),
    ("gp1", "晶澜", SEMI, "310100", ""), ("gp1", "微拓", SEMI, "440300", ""),
    ("gp1", "芯逸", SEMI, "510100", ""), ("gp1", "智衡", AI, "440300", ""),
    ("gp1", "澜图", AI, "330100", ""), ("gp1", "深识", AI, "110108", ""),
    ("gp1", "启元", AI, "410100", ""), ("gp1", "衡准", EQUIP, "320500", ""),
    ("gp1", "精锐", EQUIP, "440300", ""), ("gp1", "数模", SOFT, "410100", ""),
    ("gp1", "算擎", AI, "510100", ""), ("gp1", "控芯", SEMI, "410100", ""),
    ("gp1", "秦芯", SEMI, "610100", "prov"),
    ("gp1", "华构", EQUIP, "320500", "mature"), ("gp1", "中原", MAT, "410100", "mature"),
    ("gp1", "远拓", NEV, "340100", "mature"),
    ("gp2", "合源", BIO, "320500", ""), ("gp2", "康岳", BIO, "310100", ""),
    ("gp2", "维诺", BIO, "320500", ""), ("gp2", "赛因", BIO, "510100", ""),
    ("gp2", "安瑞", MED, "320500", ""), ("gp2", "博衡", MED, "440300", ""),
    ("gp2", "泓昇", BIO, "340100", ""), ("gp2", "恒序", MED, "410100", ""),
    ("gp2", "秦康", BIO, "610100", "prov"), ("gp2", "诺川", BIO, "320500", ""),
    ("gp2", "析因", MED, "310100", ""), ("gp2", "和衍", BIO, "410100", ""),
    ("gp3", "氢川", NEV, "340100", ""), ("gp3", "阳储", NEV, "340100", ""),
    ("gp3", "锂擎", NEV, "510100", ""), ("gp3", "光跃", NEV, "620100", ""),
    ("gp3", "纤晟", MAT, "340100", ""), ("gp3", "镓原", MAT, "620100", ""),
    ("gp3", "烯创", MAT, "410100", ""), ("gp3", "鹰行", SPACE, "610100", "prov"),
    ("gp3", "穹宇", SPACE, "510100", ""), ("gp3", "箭元", SPACE, "340100", ""),
    ("gp3", "轨衡", EQUIP, "620100", ""), ("gp3", "擎岳", EQUIP, "410100", ""),
    ("gp3", "维钛", MAT, "610100", ""),
    ("gp4", "明瞳", EYE, "330300", ""), ("gp4", "视源", EYE, "330300", ""),
    ("gp4", "晶眸", EYE, "330300", ""), ("gp4", "清视", EYE, "330100", ""),
    ("gp4", "睿光", EYE, "330300", ""), ("gp4", "瞳测", EYE, "440300", ""),
    ("gp4", "安瞳", MED, "320500", ""), ("gp4", "瞳心", EYE, "330300", ""),
    ("gp4", "目清", EYE, "330100", ""), ("gp4", "睛准", EYE, "330300", ""),
    ("gp4", "秦瞳", EYE, "610100", "prov"),
    ("htz", "嵩芯", SEMI, "410100", ""), ("htz", "原智", AI, "410100", ""),
    ("htz", "河衡", MAT, "410100", ""), ("htz", "麦科", BIO, "410100", ""),
    ("htz", "川禾", NEV, "410100", ""), ("htz", "云枢", AI, "410100", ""),
]

_NAME_SUFFIX = {SEMI: "半导体科技", AI: "智能科技", EQUIP: "智能装备", SOFT: "软件技术",
                BIO: "生物医药科技", MED: "医疗器械", NEV: "新能源科技", MAT: "新材料科技",
                SPACE: "航天科技", EYE: "眼科医疗科技"}


def company_name(brand: str, sector: str, mature: bool) -> str:
    """Fictional company name; mature (M&A) targets are joint-stock companies."""
    return f"示例{brand}{_NAME_SUFFIX[sector]}{'股份' if mature else ''}有限公司"


HARD_TECH_SECTORS = frozenset({SEMI, AI, EQUIP, SOFT, BIO, MED, NEV, MAT, SPACE})
