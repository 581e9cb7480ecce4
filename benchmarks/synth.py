"""Deterministic synthetic national-scale fund-of-funds portfolio for the metrics benchmarks.

One guidance parent fund (kind ``parent_fund``) managed by a guidance-fund-manager
organisation, ``sub_funds`` sub-funds managed by ``gps`` GP organisations, ``companies``
portfolio companies and exactly ``entries`` ledger entries (``cash_flow`` rows) dated
2015-01-01..2024-12-31. Every sub-fund has the parent as an LP (an ``investor`` row in the
GP's organisation with ``fund_id`` = the parent) plus 5–10 other LPs.

Cash model of a sub-fund (amounts are integer fen throughout):

- investments: each sub-fund holds 100–150 companies, 1–4 rounds each, a round paid in
  one or two tranches (one ``investment`` row per paying ``cash_flow`` row);
- proceeds: exit proceeds in 1–3 tranches for holdings that exit before 2025, and monthly
  income (interest / dividends) on about half of the holdings;
- management fees quarterly, expenses spread over the fund's life (their number is what
  brings the ledger to exactly ``entries`` rows);
- one capital call per quarter equal to that quarter's outflows (investments, fees,
  expenses), one distribution per quarter equal to that quarter's proceeds, both split
  over the LPs pro rata to commitment by integer largest remainder (the rule of
  :func:`fundops.calc.allocation.allocate_pro_rata`, so the parts sum exactly);
- quarterly fund NAV = the sum of the holdings' fair values; semi-annual
  ``holding_valuation`` rows per holding (a zero row after the last exit tranche).

The parent fund's own ledger has a ``fund_contribution`` (``target_fund_id`` set) for each
sub-fund call, equal to the call's allocation to the parent's LP record, a
``fund_return`` for each sub-fund distribution, quarterly management fees, monthly
expenses, quarterly calls on its own six LPs covering its outflows and quarterly
distributions of its returns; its quarterly NAV is its commitment share of the sub-funds'
NAVs. Everything is drawn from ``random.Random`` seeded per fund, so a given
:class:`Params` always yields the same rows.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np

from fundops.identifiers import USCC_ALPHABET, make_uscc

GENERATOR_VERSION = 1
START, END = date(2015, 1, 1), date(2024, 12, 31)
START_ORD, END_ORD = START.toordinal(), END.toordinal()
QUARTERS = 40
RECORDED_AT = "2025-01-15 02:00:00.000000"  # UTC; loaders set the session time zone to UTC
GUIDANCE_EMAIL = "guidance@bench.fundops.test"
GUIDANCE_PASSWORD = "bench-password-2024"  # a synthetic benchmark account

REGIONS = [
    ("110000", "北京"), ("310000", "上海"), ("440300", "深圳"), ("440100", "广州"),
    ("320500", "苏州"), ("330100", "杭州"), ("420100", "武汉"), ("510100", "成都"),
    ("610100", "西安"), ("340100", "合肥"), ("430100", "长沙"), ("370200", "青岛"),
    ("350200", "厦门"), ("320100", "南京"), ("500000", "重庆"), ("120000", "天津"),
]
SECTORS = [("集成电路", True), ("人工智能", True), ("生物医药", True), ("医疗器械", True),
           ("新能源", False), ("新材料", True), ("高端装备", True), ("航空航天", True),
           ("信息技术", False), ("节能环保", False), ("现代农业", False), ("消费服务", False)]
STAGES = (["seed"] * 15 + ["start_up"] * 35 + ["growth"] * 35 + ["mature"] * 15)
ROUNDS = {
    "seed": ["天使轮", "A轮", "B轮", "C轮"],
    "start_up": ["A轮", "B轮", "C轮", "D轮"],
    "growth": ["B轮", "C轮", "D轮", "Pre-IPO"],
    "mature": ["Pre-IPO", "战略轮", "定增", "并购"],
}
SYLLABLES = "华芯智源创新达科联微星启航睿博恒通泰瑞安鼎盛景云天海宏远晶光量子"
LP_TYPES = (["fiscal"] * 2 + ["state_owned"] * 4 + ["private"] * 4 + ["insurance"] * 2
            + ["bank_aic"] * 2 + ["social_security"] + ["corporate"] * 3 + ["individual"] * 2)
VENDORS = ["律师事务所", "会计师事务所", "托管银行", "评估机构", "审计机构", "咨询公司"]
PARENT_LPS = [
    ("财政部（合成）", "fiscal", 30),
    ("省财政厅（合成）", "fiscal", 20),
    ("国有资本投资公司（合成）", "state_owned", 20),
    ("金融资产投资公司（合成）", "bank_aic", 12),
    ("人寿保险（合成）", "insurance", 12),
    ("社保基金（合成）", "social_security", 6),
]


@dataclass(frozen=True)
class Params:
    """Size of the synthetic portfolio (defaults: the national-scale benchmark)."""

    sub_funds: int = 200
    gps: int = 20
    companies: int = 20_000
    entries: int = 1_000_000
    seed: int = 20241231
    income_share: float = 0.55  # holdings paying monthly income

    def scaled(self, factor: float) -> Params:
        """A smaller portfolio with the same shape (for smoke runs)."""
        if factor >= 1:
            return self
        return replace(self, sub_funds=max(2, round(self.sub_funds * factor)),
                       gps=max(1, round(self.gps * factor)),
                       companies=max(200, round(self.companies * factor)),
                       entries=max(20_000, round(self.entries * factor)))

    def signature(self) -> str:
        return (f"v{GENERATOR_VERSION}-f{self.sub_funds}-g{self.gps}-c{self.companies}"
                f"-e{self.entries}-s{self.seed}-i{self.income_share}")


@dataclass
class Table:
    columns: tuple[str, ...]
    rows: Sequence[tuple[Any, ...]]


@dataclass
class Portfolio:
    """Rows per table, in foreign-key order, with explicit ids."""

    params: Params
    tables: dict[str, Table]
    parent_fund_id: int
    guidance_organisation_id: int
    guidance_user_id: int
    counts: dict[str, int] = field(default_factory=dict)
    flow_kinds: dict[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------------- calendar

_ISO: dict[int, str] = {}


def iso(day: int) -> str:
    s = _ISO.get(day)
    if s is None:
        s = _ISO[day] = date.fromordinal(day).isoformat()
    return s


def quarter_of(day: int) -> int:
    d = date.fromordinal(day)
    return (d.year - START.year) * 4 + (d.month - 1) // 3


def quarter_start(q: int) -> int:
    return date(START.year + q // 4, (q % 4) * 3 + 1, 1).toordinal()


def quarter_end(q: int) -> int:
    return quarter_start(q + 1) - 1


QEND = [quarter_end(q) for q in range(QUARTERS)]
_QUARTER_INDEX = np.array([quarter_of(d) for d in range(START_ORD, END_ORD + 1)], dtype=np.int64)


def quarter_fast(day: int) -> int:
    return int(_QUARTER_INDEX[day - START_ORD])


def split_pro_rata(total: int, weights: list[int], wsum: int) -> list[int]:
    """Integer largest remainder: parts of ``total`` (fen) pro rata to ``weights``.

    Same rule as ``allocate_pro_rata``: truncate each exact share, then hand the missing
    fen to the largest remainders, ties to the larger weight, then the earlier party.
    """
    prods = [total * w for w in weights]
    base = [p // wsum for p in prods]
    left = total - sum(base)
    if left:
        rems = [p - b * wsum for p, b in zip(prods, base, strict=True)]
        order = sorted(range(len(weights)), key=lambda i: (-rems[i], -weights[i], i))
        for i in order[:left]:
            base[i] += 1
    return base


def _yuan(x: float) -> int:
    """Fen rounded to whole yuan."""
    return round(x / 100.0) * 100


# --------------------------------------------------------------------------- per fund


@dataclass
class Book:
    """One fund's generated ledger before global id assignment.

    flows: (day, kind, amount, company_id, target_fund_id, call_purpose,
    distribution_type, counterparty, memo)
    investments: (flow index in ``flows``, company_id, round, instrument, day, amount, rate)
    """

    fund_id: int
    inception: int
    size: int
    flows: list[tuple[Any, ...]] = field(default_factory=list)
    investments: list[tuple[Any, ...]] = field(default_factory=list)
    holding_values: list[tuple[int, int, int]] = field(default_factory=list)  # company, day, fen
    nav: list[int] = field(default_factory=lambda: [0] * QUARTERS)
    commitments: list[tuple[int, int]] = field(default_factory=list)  # investor, fen
    allocations: list[tuple[int, int, int]] = field(default_factory=list)  # flow idx, inv, fen


def _holding(book: Book, rng: random.Random, company: tuple[int, str, str], cost_target: float,
             income: bool) -> None:
    company_id, name, stage = company
    lo = book.inception + 30
    hi = max(lo + 1, min(book.inception + 5 * 365, END_ORD - 60))
    t0 = rng.randint(lo, hi)
    last_allowed = min(book.inception + 7 * 365, END_ORD)
    n_rounds = rng.choices((1, 2, 3, 4), weights=(35, 30, 20, 15))[0]
    weights = [1.0, 1.5, 2.0, 2.5][:n_rounds]
    wsum = sum(weights)
    instrument = rng.choices(("preferred_equity", "ordinary_equity", "convertible"),
                             weights=(60, 30, 10))[0]
    events: list[tuple[int, int]] = []  # (day, +cost)
    day = t0
    for k in range(n_rounds):
        if k:
            day += rng.randint(180, 540)
        if day > last_allowed:
            break
        amount = max(_yuan(cost_target * weights[k] / wsum), 100_000_00)
        tranches = [amount] if rng.random() < 0.7 else [amount // 200 * 100,
                                                         amount - amount // 200 * 100]
        tday = day
        for j, part in enumerate(tranches):
            if j:
                tday = day + rng.randint(60, 120)
                if tday > END_ORD:
                    break
            rate = int(rng.uniform(0.01, 0.15) * 10**8)  # ownership, 8 decimal places
            book.investments.append((len(book.flows), company_id, ROUNDS[stage][k], instrument,
                                     tday, part, rate))
            book.flows.append((tday, "investment", part, company_id, None, None, None, name,
                               ROUNDS[stage][k]))
            events.append((tday, part))
    cost = sum(a for _, a in events)
    last_inv = max(d for d, _ in events)
    r = rng.random()
    if r < 0.25:
        multiple = rng.uniform(0.0, 0.15)
    elif r < 0.65:
        multiple = rng.uniform(0.6, 2.0)
    elif r < 0.93:
        multiple = rng.uniform(2.0, 5.0)
    else:
        multiple = rng.uniform(5.0, 15.0)
    exit_day = max(t0 + rng.randint(3 * 365, 8 * 365), last_inv + 90)
    exits: list[tuple[int, int]] = []
    if exit_day <= END_ORD:
        total = _yuan(cost * multiple)
        n = rng.choice((1, 2, 3)) if exit_day + 180 <= END_ORD else 1
        parts = [_yuan(total / n)] * (n - 1)
        parts.append(total - sum(parts))
        exits = [(exit_day + 90 * j, p) for j, p in enumerate(parts) if p > 0]
        for d, p in exits:
            book.flows.append((d, "proceeds", p, company_id, None, None, None, name, "退出回款"))
    if income:
        monthly = cost * rng.uniform(0.002, 0.006)
        d = t0 + 365
        stop = min(exit_day, END_ORD + 1)
        while d < stop:
            amount = _yuan(monthly * rng.uniform(0.8, 1.2))
            if amount > 0:
                book.flows.append((d, "proceeds", amount, company_id, None, None, None, name,
                                   "分红/利息"))
            d += rng.randint(28, 33)
    # fair value at each quarter end from the first investment
    q0 = quarter_fast(t0)
    span = max(exit_day - t0, 1)
    zero_written = False
    for q in range(q0, QUARTERS):
        qe = QEND[q]
        if qe < exit_day:
            cost_to_date = sum(a for d, a in events if d <= qe)
            frac = min((qe - t0) / span, 1.0)
            growth = max(0.0, 1.0 + (multiple - 1.0) * frac ** 1.3)
            value = _yuan(cost_to_date * growth * rng.lognormvariate(0.0, 0.08))
        else:
            value = sum(p for d, p in exits if d > qe)
        book.nav[q] += value
        if q % 2 == 1:  # June and December: semi-annual holding valuation
            if value == 0 and qe >= exit_day:
                if zero_written:
                    break
                zero_written = True
            book.holding_values.append((company_id, qe, value))


def _sub_fund(book: Book, rng: random.Random, holdings: list[tuple[int, str, str]],
              income_share: float) -> None:
    w = [rng.lognormvariate(0.0, 0.8) for _ in holdings]
    wsum = sum(w)
    for company, weight in zip(holdings, w, strict=True):
        _holding(book, rng, company, 0.75 * book.size * weight / wsum,
                 rng.random() < income_share)
    q_in = quarter_fast(book.inception)
    for q in range(q_in, QUARTERS):
        rate = 0.005 if q - q_in < 20 else 0.003
        day = max(book.inception, quarter_start(q) + 9)
        book.flows.append((day, "management_fee", _yuan(book.size * rate), None, None, None, None,
                           "基金管理人", "管理费"))


def _expenses(book: Book, rng: random.Random, n: int) -> None:
    for _ in range(n):
        day = rng.randint(book.inception, END_ORD)
        amount = max(_yuan(book.size * rng.uniform(0.5e-5, 3e-5)), 10000)
        book.flows.append((day, "expense", amount, None, None, None, None, rng.choice(VENDORS),
                           "费用"))


def _calls_and_distributions(book: Book, lp_weights: list[tuple[int, int]]) -> None:
    """Quarterly calls (= outflows) and distributions (= proceeds) with allocations."""
    outflow = [0] * QUARTERS
    inflow = [0] * QUARTERS
    for flow in book.flows:
        day, kind, amount = flow[0], flow[1], flow[2]
        if kind == "proceeds":
            inflow[quarter_fast(day)] += amount
        else:
            outflow[quarter_fast(day)] += amount
    investors = [i for i, _ in lp_weights]
    weights = [w for _, w in lp_weights]
    wsum = sum(weights)
    for q in range(QUARTERS):
        if outflow[q]:
            day = max(book.inception, quarter_start(q) + 2)
            idx = len(book.flows)
            book.flows.append((day, "capital_call", outflow[q], None, None, "investment", None,
                               "", f"{date.fromordinal(day).year}Q{q % 4 + 1} 出资"))
            for inv, part in zip(investors, split_pro_rata(outflow[q], weights, wsum),
                                 strict=True):
                if part:
                    book.allocations.append((idx, inv, part))
        if inflow[q]:
            day = QEND[q]
            idx = len(book.flows)
            book.flows.append((day, "distribution", inflow[q], None, None, None,
                               "return_of_capital", "", f"{q // 4 + START.year}Q{q % 4 + 1} 分配"))
            for inv, part in zip(investors, split_pro_rata(inflow[q], weights, wsum),
                                 strict=True):
                if part:
                    book.allocations.append((idx, inv, part))


# --------------------------------------------------------------------------- portfolio


def _uscc(i: int, region: str) -> str:
    digits = []
    n = 7_654_321 + i * 104_729  # distinct for every i < 31**9 / 104729
    for _ in range(9):
        n, r = divmod(n, 31)
        digits.append(USCC_ALPHABET[r])
    return make_uscc("91" + region + "".join(digits))


def generate(params: Params) -> Portfolio:
    """Build every row of the synthetic portfolio (deterministic for ``params``)."""
    rng = random.Random(params.seed)
    tables: dict[str, Table] = {}
    guidance_org = 1
    orgs = [(guidance_org, "国家合成引导基金管理有限公司", "guidance_fund_manager", RECORDED_AT)]
    for g in range(params.gps):
        city = REGIONS[g % len(REGIONS)][1]
        orgs.append((2 + g, f"{city}合成创业投资管理有限公司{g + 1:02d}", "gp", RECORDED_AT))
    tables["organisation"] = Table(("id", "name", "kind", "created_at"), orgs)
    from werkzeug.security import generate_password_hash

    tables["user_account"] = Table(
        (
            "id",
            "organisation_id",
            "email",
            "display_name",
            "password_hash",
            "role",
            "locale",
            "is_active_flag",
            "session_version",
            "created_at",
        ),
        [
            (
                1,
                guidance_org,
                GUIDANCE_EMAIL,
                "引导基金管理员",
                generate_password_hash(GUIDANCE_PASSWORD),
                "admin",
                "zh_CN",
                True,
                1,
                RECORDED_AT,
            )
        ],
    )

    # companies
    companies: list[tuple[int, str, str]] = []
    company_rows: list[list[Any]] = []
    tag_rows: list[tuple[int, str]] = []
    for cid in range(1, params.companies + 1):
        region, city = REGIONS[rng.randrange(len(REGIONS))]
        sector, tech_prone = SECTORS[rng.randrange(len(SECTORS))]
        stage = STAGES[rng.randrange(len(STAGES))]
        name = (f"{city}{rng.choice(SYLLABLES)}{rng.choice(SYLLABLES)}{sector}"
                f"科技有限公司{cid:05d}")
        hard_tech = rng.random() < (0.7 if tech_prone else 0.1)
        sme = stage in ("seed", "start_up") or rng.random() < 0.3
        company_rows.append([cid, guidance_org, name, _uscc(cid, region), sector, hard_tech, stage,
                             region, sme, RECORDED_AT])
        for tag, p in (("srdi", 0.2), ("little_giant", 0.05), ("high_tech", 0.35)):
            if rng.random() < p:
                tag_rows.append((cid, tag))
        companies.append((cid, name, stage))

    # funds and their holdings
    n = params.sub_funds
    perm = list(range(params.companies))
    rng.shuffle(perm)
    per_fund = params.companies // n
    books: list[Book] = []
    fund_rows: list[tuple[Any, ...]] = []
    investor_rows: list[tuple[Any, ...]] = []
    commitment_rows: list[tuple[Any, ...]] = []
    parent_id = 1
    parent_record: dict[int, int] = {}  # GP organisation -> its investor row for the parent
    gp_pool: dict[int, list[int]] = {}
    next_investor = 1
    for g in range(params.gps):
        org = 2 + g
        investor_rows.append((next_investor, org, "国家合成引导基金（母基金）", "guidance_fund",
                              parent_id, None, RECORDED_AT))
        parent_record[org] = next_investor
        next_investor += 1
        pool = []
        for k in range(15):
            itype = LP_TYPES[rng.randrange(len(LP_TYPES))]
            investor_rows.append((next_investor, org, f"合成LP{g + 1:02d}-{k + 1:02d}（{itype}）",
                                  itype, None, None, RECORDED_AT))
            pool.append(next_investor)
            next_investor += 1
        gp_pool[org] = pool
    parent_lp_ids = []
    for name, itype, _ in PARENT_LPS:
        investor_rows.append((next_investor, guidance_org, name, itype, None, None, RECORDED_AT))
        parent_lp_ids.append(next_investor)
        next_investor += 1

    first_holder: dict[int, int] = {}
    parent_commit: dict[int, int] = {}
    lp_weights: dict[int, list[tuple[int, int]]] = {}
    for k in range(n):
        fid = 2 + k
        org = 2 + k % params.gps
        frng = random.Random(params.seed * 1_000_003 + fid)
        inception = frng.randint(date(2015, 1, 15).toordinal(), date(2020, 6, 30).toordinal())
        size = frng.randrange(300, 2001) * 1_000_000 * 100  # 3亿–20亿 yuan, in fen
        own = perm[k * per_fund:(k + 1) * per_fund]
        extra_n = frng.randint(100, 150) - len(own)
        chosen = set(own)
        while extra_n > 0:
            c = frng.randrange(params.companies)
            if c not in chosen:
                chosen.add(c)
                extra_n -= 1
        holdings = [companies[c] for c in sorted(chosen)]
        for c in chosen:
            first_holder.setdefault(c, org)
        book = Book(fid, inception, size)
        # commitments: the parent 20-30 %, 5-10 other LPs from the GP's pool
        p_share = _yuan(size * frng.uniform(0.2, 0.3) / 1_000_000) * 1_000_000
        others = frng.sample(gp_pool[org], frng.randint(5, 10))
        ow = [frng.lognormvariate(0, 0.6) for _ in others]
        rest = size - p_share
        amounts = [_yuan(rest * w / sum(ow) / 1_000_000) * 1_000_000 for w in ow[:-1]]
        amounts.append(rest - sum(amounts))
        commits = [(parent_record[org], p_share), *zip(others, amounts, strict=True)]
        assert all(a > 0 for _, a in commits)
        book.commitments = commits
        lp_weights[fid] = commits
        parent_commit[fid] = p_share
        _sub_fund(book, frng, holdings, params.income_share)
        books.append(book)
        vintage = date.fromordinal(inception).year
        region = REGIONS[k % len(REGIONS)][0]
        age = END_ORD - inception
        stage = "investing" if age < 5 * 365 else ("managing" if age < 7 * 365 else "exiting")
        d = date.fromordinal(inception)
        fund_rows.append(
            (
                fid,
                org,
                f"SF{fid:04d}",
                f"合成子基金{fid:04d}号",
                f"Synthetic sub-fund {fid}",
                "sub_fund",
                "CNY",
                vintage,
                size,
                iso(inception),
                date(d.year + 5, d.month, min(d.day, 28)).isoformat(),
                date(d.year + 8, d.month, min(d.day, 28)).isoformat(),
                date(d.year + 10, d.month, min(d.day, 28)).isoformat(),
                stage,
                region,
                f"SBX{fid:05d}",
                False,
                RECORDED_AT,
            )
        )

    parent_total = sum(parent_commit.values())
    parent_size = _yuan(parent_total * 1.08 / 1_000_000) * 1_000_000
    fund_rows.insert(0, (parent_id, guidance_org, "GF0001", "国家合成引导基金（母基金）",
                         "National synthetic guidance fund", "parent_fund", "CNY", 2015,
                         parent_size, iso(START_ORD), "2020-12-31", "2029-12-31", "2034-12-31",
                         "managing", "100000", "SBX00001", True, RECORDED_AT))
    for cid, org in first_holder.items():
        company_rows[cid][1] = org

    # count rows so far, then size the expenses to reach exactly params.entries
    calls = sum(1 for b in books for q in range(quarter_fast(b.inception), QUARTERS))
    dists = 0
    for b in books:
        qs = {quarter_fast(f[0]) for f in b.flows if f[1] == "proceeds"}
        dists += len(qs)
    # parent: a contribution per sub-fund call, a return per sub-fund distribution, a call and a
    # fee every quarter, a distribution in every quarter with proceeds, 120 monthly expenses
    parent_dist_quarters = len({quarter_fast(f[0]) for b in books for f in b.flows
                                if f[1] == "proceeds"})
    parent_rows = calls + dists + 2 * QUARTERS + parent_dist_quarters + 120
    base = sum(len(b.flows) for b in books) + calls + dists + parent_rows
    remaining = params.entries - base
    if remaining < 0:
        raise ValueError(f"{base} entries before expenses exceed the target {params.entries}; "
                         "lower income_share")
    active = [QUARTERS - quarter_fast(b.inception) for b in books]
    total_active = sum(active)
    shares = [remaining * a // total_active for a in active]
    for i in range(remaining - sum(shares)):
        shares[i] += 1
    for b, extra in zip(books, shares, strict=True):
        _expenses(b, random.Random(params.seed * 7_919 + b.fund_id), extra)
        _calls_and_distributions(b, lp_weights[b.fund_id])

    parent = _parent_book(books, parent_id, parent_size, parent_lp_ids, parent_record,
                          {b.fund_id: org_of for b, org_of in
                           zip(books, [2 + k % params.gps for k in range(n)], strict=True)},
                          parent_commit, random.Random(params.seed * 31 + 1))
    all_books = [parent, *books]
    for b in all_books:
        for inv, amount in b.commitments:
            commitment_rows.append((0, b.fund_id, inv, amount, "CNY", iso(b.inception), 1,
                                    RECORDED_AT))
    commitment_rows = [(i + 1, *r[1:]) for i, r in enumerate(commitment_rows)]

    # one identity per company (id = the company's id), then the guidance org's records
    tables["company_identity"] = Table(
        ("id", "uscc", "registered_name", "region_code", "created_at"),
        [(r[0], r[3], r[2], r[7], r[9]) for r in company_rows])
    tables["company"] = Table(("id", "created_by_organisation_id", "name", "uscc", "sector",
                               "is_hard_tech", "stage", "region_code", "is_sme", "created_at",
                               "identity_id"),
                              [(*r, r[0]) for r in company_rows])
    tables["company_tag"] = Table(("company_id", "tag"), tag_rows)
    tables["fund"] = Table(("id", "organisation_id", "code", "name_zh", "name_en", "kind",
                            "currency", "vintage", "target_size_amount", "inception_on",
                            "investment_period_end_on", "term_end_on", "extension_end_on",
                            "stage", "region_code", "registration_no", "is_guidance_fund",
                            "created_at"), fund_rows)
    tables["investor"] = Table(("id", "organisation_id", "name", "investor_type", "fund_id",
                                "uscc", "created_at"), investor_rows)
    tables["commitment"] = Table(("id", "fund_id", "investor_id", "amount", "currency",
                                  "committed_on", "closing", "recorded_at"), commitment_rows)
    tables.update(_ledger_tables(all_books))
    portfolio = Portfolio(params, tables, parent_id, guidance_org, 1)
    portfolio.counts = {name: len(t.rows) for name, t in tables.items()}
    kinds: dict[str, int] = {}
    for row in tables["cash_flow"].rows:
        kinds[row[2]] = kinds.get(row[2], 0) + 1
    portfolio.flow_kinds = kinds
    assert portfolio.counts["cash_flow"] == params.entries, portfolio.counts
    return portfolio


def _parent_book(books: list[Book], parent_id: int, size: int, lp_ids: list[int],
                 parent_record: dict[int, int], org_of: dict[int, int],
                 parent_commit: dict[int, int], rng: random.Random) -> Book:
    parent = Book(parent_id, START_ORD, size)
    weights = [w for _, _, w in PARENT_LPS]
    amounts = [size * w // sum(weights) // 100 * 100 for w in weights]
    amounts[0] += size - sum(amounts)
    parent.commitments = list(zip(lp_ids, amounts, strict=True))
    outflow = [0] * QUARTERS
    inflow = [0] * QUARTERS
    for b in books:
        record = parent_record[org_of[b.fund_id]]
        for idx, inv, part in b.allocations:
            if inv != record:
                continue
            day, kind = b.flows[idx][0], b.flows[idx][1]
            q = quarter_fast(day)
            if kind == "capital_call":
                parent.flows.append((day, "fund_contribution", part, None, b.fund_id, None, None,
                                     f"合成子基金{b.fund_id:04d}号", "子基金出资"))
                outflow[q] += part
            else:
                parent.flows.append((day, "fund_return", part, None, b.fund_id, None, None,
                                     f"合成子基金{b.fund_id:04d}号", "子基金返还"))
                inflow[q] += part
    for q in range(QUARTERS):
        day = quarter_start(q) + 9
        fee = _yuan(size * 0.00125)
        parent.flows.append((day, "management_fee", fee, None, None, None, None, "引导基金管理机构",
                             "管理费"))
        outflow[q] += fee
    for m in range(120):
        d = date(START.year + m // 12, m % 12 + 1, 20).toordinal()
        amount = _yuan(rng.uniform(20_000, 400_000) * 100)
        parent.flows.append((d, "expense", amount, None, None, None, None, rng.choice(VENDORS),
                             "费用"))
        outflow[quarter_fast(d)] += amount
    wsum = sum(amounts)
    for q in range(QUARTERS):
        day = quarter_start(q) + 1
        idx = len(parent.flows)
        parent.flows.append((day, "capital_call", outflow[q], None, None, "investment", None, "",
                             f"{q // 4 + START.year}Q{q % 4 + 1} 出资"))
        for inv, part in zip(lp_ids, split_pro_rata(outflow[q], amounts, wsum), strict=True):
            parent.allocations.append((idx, inv, part))
        if inflow[q]:
            idx = len(parent.flows)
            parent.flows.append(
                (
                    QEND[q],
                    "distribution",
                    inflow[q],
                    None,
                    None,
                    None,
                    "return_of_capital",
                    "",
                    f"{q // 4 + START.year}Q{q % 4 + 1} 分配",
                )
            )
            for inv, part in zip(lp_ids, split_pro_rata(inflow[q], amounts, wsum), strict=True):
                if part:
                    parent.allocations.append((idx, inv, part))
    for b in books:
        share, fsize = parent_commit[b.fund_id], b.size
        for q in range(QUARTERS):
            parent.nav[q] += b.nav[q] * share // fsize
    return parent


def _ledger_tables(books: list[Book]) -> dict[str, Table]:
    """Assign ids in value-date order (as a live ledger would) and build the ledger rows."""
    offsets, pos = [], 0
    for b in books:
        offsets.append(pos)
        pos += len(b.flows)
    days = np.fromiter((f[0] for b in books for f in b.flows), np.int64, pos)
    funds = np.fromiter((b.fund_id for b in books for _ in b.flows), np.int64, pos)
    order = np.lexsort((np.arange(pos), funds, days))
    new_id = np.empty(pos, np.int64)
    new_id[order] = np.arange(1, pos + 1)
    flat = [(b.fund_id, f) for b in books for f in b.flows]
    cash_rows = []
    for i in order.tolist():
        fid, (day, kind, amount, company, target, purpose, dtype, cp, memo) = flat[i]
        cash_rows.append((int(new_id[i]), fid, kind, purpose, dtype, False, iso(day), amount,
                          "CNY", cp, company, target, memo, RECORDED_AT))
    ids = new_id.tolist()
    alloc = sorted((ids[off + idx], inv, part) for b, off in zip(books, offsets, strict=True)
                   for idx, inv, part in b.allocations)
    alloc_rows = [(i + 1, cf, inv, part, "CNY") for i, (cf, inv, part) in enumerate(alloc)]
    inv_items = sorted((day, b.fund_id, ids[off + idx], company, rnd, inst, amount, rate)
                       for b, off in zip(books, offsets, strict=True)
                       for idx, company, rnd, inst, day, amount, rate in b.investments)
    inv_rows = [(i + 1, fid, company, rnd, inst, iso(day), amount, "CNY", rate, cf, RECORDED_AT)
                for i, (day, fid, cf, company, rnd, inst, amount, rate) in enumerate(inv_items)]
    hv = sorted((day, b.fund_id, company, value) for b in books
                for company, day, value in b.holding_values)
    hv_rows = [(i + 1, fid, company, iso(day), value, "CNY", "synthetic_mark", RECORDED_AT)
               for i, (day, fid, company, value) in enumerate(hv)]
    fv = sorted((QEND[q], b.fund_id, b.nav[q]) for b in books
                for q in range(quarter_fast(b.inception), QUARTERS))
    fv_rows = [(i + 1, fid, iso(day), nav, "CNY", "gp_report", RECORDED_AT)
               for i, (day, fid, nav) in enumerate(fv)]
    return {
        "cash_flow": Table(("id", "fund_id", "kind", "call_purpose", "distribution_type",
                            "recallable", "value_on", "amount", "currency", "counterparty",
                            "company_id", "target_fund_id", "memo", "recorded_at"), cash_rows),
        "cash_flow_allocation": Table(("id", "cash_flow_id", "investor_id", "amount", "currency"),
                                      alloc_rows),
        "investment": Table(("id", "fund_id", "company_id", "round_name", "instrument",
                             "invested_on", "amount", "currency", "ownership_rate",
                             "cash_flow_id", "recorded_at"), inv_rows),
        "fund_valuation": Table(("id", "fund_id", "as_of", "nav_amount", "currency", "source",
                                 "recorded_at"), fv_rows),
        "holding_valuation": Table(("id", "fund_id", "company_id", "as_of", "fair_value_amount",
                                    "currency", "method", "recorded_at"), hv_rows),
    }
