"""Cross-row validation of a parsed dataset: keys, references and ledger invariants
(the :class:`Checker`; :mod:`fundops.exchange.checks` runs it, then the loan checks).

Runs after :mod:`fundops.exchange.parse`; fields that failed to parse are skipped so
that one bad value yields one problem. Every rule here mirrors a rule of the services
(:mod:`fundops.portfolio.services`, :mod:`fundops.portfolio.ledger_services`) or a
database constraint, so an import cannot store what the application could not.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import MAX_PREC, Decimal, localcontext
from typing import Any

from fundops.errors import ValidationError
from fundops.exchange.parse import Dataset, Row
from fundops.exchange.problems import Problems
from fundops.exchange.schema import BY_NAME, ref_target
from fundops.models import Fund
from fundops.portfolio.enums import (
    COMPANY_KINDS,
    LP_ALLOCATED_KINDS,
    SUB_FUND_KINDS,
    CashFlowKind,
)
from fundops.portfolio.services import check_in_life

Index = dict[str, dict[str, Row]]
ALLOCATED_KINDS = LP_ALLOCATED_KINDS | {CashFlowKind.LP_TRANSFER}
"""Entries allocated to LPs: calls, distributions, and the paid-in an LP-interest transfer
moves (its allocations sum to its amount, 0.00; checked further by the transfer checks)."""
_MAX_ROWS_SHOWN = 10


class Checker:
    """Holds the dataset, its key index and the problem list while checks run."""

    def __init__(self, data: Dataset, problems: Problems) -> None:
        self.data = data
        self.problems = problems
        self.index: Index = {}
        self.lives: dict[str, Fund] = {}

    def bad(self, row: Row, field: str, message: str) -> None:
        self.problems.row(row.sheet, row.number, field, message)
        row.bad.add(field)

    def ref(self, row: Row, field: str) -> Row | None:
        """The row that ``field`` of ``row`` refers to, if the reference is valid."""
        key = row.get(field)
        if key is None:
            return None
        target = ref_target(BY_NAME[row.sheet].field(field), row.values) or ""
        return self.index.get(target, {}).get(key)

    # -- keys and references -------------------------------------------------------------

    def index_keys(self) -> None:
        for sheet, rows in self.data.items():
            keys: dict[str, Row] = {}
            for row in rows:
                if row.key is None:
                    continue
                first = keys.get(row.key)
                if first is not None:
                    self.bad(row, "id", f"id '{row.key}' is already used by row {first.number}")
                else:
                    keys[row.key] = row
            self.index[sheet] = keys

    def check_refs(self) -> None:
        for sheet, rows in self.data.items():
            refs = [f for f in BY_NAME[sheet].fields if f.kind in ("ref", "objref")]
            for row in rows:
                for spec in refs:
                    key, name = row.get(spec.name), ref_target(spec, row.values)
                    if key is None or name is None:
                        continue
                    target = self.index.get(name, {}).get(key)
                    if target is None:
                        self.bad(row, spec.name, f"refers to {name} id '{key}', "
                                                 "which is not in the file")
                    elif target.sheet == sheet and target.number >= row.number:
                        self.bad(row, spec.name,
                                 f"refers to {name} id '{key}' in row {target.number}; "
                                 "it must refer to an earlier row")

    def unique(self, sheet: str, fields: tuple[str, ...], label: str,
               normalise: Callable[[Any], Any] = lambda v: v) -> None:
        """Report rows repeating the value of ``fields`` (rows with a None part are skipped)."""
        seen: dict[tuple[Any, ...], Row] = {}
        for row in self.data[sheet]:
            parts = tuple(row.get(f) for f in fields)
            if any(p is None for p in parts) or not row.ok(*fields):
                continue
            value = tuple(normalise(p) for p in parts)
            first = seen.get(value)
            if first is not None:
                shown = ", ".join(str(p) for p in parts)
                self.bad(row, fields[-1], f"{label} ({shown}) is already used by row "
                                          f"{first.number}")
            else:
                seen[value] = row

    def check_natural_keys(self) -> None:
        self.unique("organisation", ("name",), "name")
        self.unique("user", ("email",), "email")
        self.unique("fund", ("organisation_id", "code"), "organisation and code")
        self.unique("fund", ("registration_no",), "registration number")
        self.unique("investor", ("organisation_id", "name"), "organisation and name")
        self.unique("company", ("created_by_organisation_id", "uscc"),
                    "organisation and credit code")
        self.check_company_identities()
        self.unique("cash_flow", ("fund_id", "source_ref"), "fund and source reference")
        self.unique("cash_flow", ("reverses_id",), "reversed entry")
        self.unique("cash_flow_allocation", ("cash_flow_id", "investor_id"), "entry and investor")
        self.unique("investment", ("cash_flow_id",), "ledger entry")

    def check_company_identities(self) -> None:
        """Records of one credit code share its registered name and region (one identity)."""
        first: dict[str, Row] = {}
        for row in self.data["company"]:
            code = row.get("uscc")
            if code is None or not row.ok("uscc", "name", "region_code"):
                continue
            seen = first.setdefault(code, row)
            for field in ("name", "region_code"):
                if row.get(field) != seen.get(field):
                    self.bad(row, field, f"is {row.get(field)}, but row {seen.number} gives credit "
                                         f"code {code} the {field} {seen.get(field)} (one "
                                         "registered name and region per code)")

    # -- shared rules --------------------------------------------------------------------

    def fund_rules(self, row: Row, date_field: str | None,
                   currency_field: str = "currency") -> None:
        """Currency equal to the fund's, and the date inside the fund's life."""
        fund = self.ref(row, "fund_id")
        if fund is None:
            return
        currency, fund_currency = row.get(currency_field), fund.get("currency")
        if currency is not None and fund_currency is not None and currency != fund_currency:
            self.bad(row, currency_field,
                     f"is {currency}, but the fund's ledger currency is {fund_currency}")
        life = self.lives.get(fund.key or "")
        when = row.get(date_field) if date_field else None
        if life is not None and when is not None:
            try:
                check_in_life(life, when, date_field or "")
            except ValidationError as exc:
                self.problems.row(row.sheet, row.number, exc.field, exc.message, exc.code,
                                  exc.params)

    # -- per record type -----------------------------------------------------------------

    def check_funds(self) -> None:
        for row in self.data["fund"]:
            inception, inv_end = row.get("inception_on"), row.get("investment_period_end_on")
            term_end, ext_end = row.get("term_end_on"), row.get("extension_end_on")
            if inception and inv_end and inv_end < inception:
                self.bad(row, "investment_period_end_on", "is before the inception date")
            if inv_end and term_end and term_end < inv_end:
                self.bad(row, "term_end_on", "is before the end of the investment period")
            if term_end and ext_end and ext_end < term_end:
                self.bad(row, "extension_end_on", "is before the end of the term")
            vintage = row.get("vintage")
            if vintage is not None and not 1980 <= vintage <= 2100:
                self.bad(row, "vintage", f"{vintage} is not a plausible vintage year")
            if row.key and inception and term_end and row.ok("extension_end_on"):
                self.lives[row.key] = Fund(inception_on=inception, term_end_on=term_end,
                                           extension_end_on=ext_end)

    def check_commitments(self) -> None:
        fund_of_funds: dict[str, set[str]] = defaultdict(set)  # LP fund -> funds it is in
        for row in self.data["commitment"]:
            self.fund_rules(row, "committed_on")
            closing = row.get("closing")
            if closing is not None and closing < 1:
                self.bad(row, "closing", "must be 1 or more")
            fund, investor = self.ref(row, "fund_id"), self.ref(row, "investor_id")
            if fund is None or investor is None:
                continue
            if investor.get("organisation_id") != fund.get("organisation_id"):
                self.bad(row, "investor_id", "the investor is recorded by another organisation "
                                             "than the one managing the fund")
                continue
            lp_fund = investor.get("fund_id")
            if lp_fund is not None and fund.key is not None:
                if _reaches(fund_of_funds, fund.key, lp_fund):
                    self.bad(row, "investor_id",
                             "this commitment would make the fund-of-funds graph a cycle")
                else:
                    fund_of_funds[lp_fund].add(fund.key)

    def check_cash_flows(self) -> None:
        for row in self.data["cash_flow"]:
            self.fund_rules(row, "value_on")
            kind = row.get("kind")
            if kind is not None:
                self._kind_fields(row, kind)
            original = self.ref(row, "reverses_id")
            amount = row.get("amount")
            self._zero_rule(row, kind, amount)
            if row.get("reverses_id") is None:
                if amount is not None and amount < 0:
                    self.bad(row, "amount", f"{amount} is negative; only a reversal "
                                            "(reverses_id set) holds a negative amount")
                continue
            if original is None:
                continue
            if original.get("reverses_id") is not None:
                self.bad(row, "reverses_id", "a reversal cannot be reversed")
            if original.get("fund_id") != row.get("fund_id"):
                self.bad(row, "reverses_id", "the reversed entry belongs to another fund")
            if kind is not None and original.get("kind") not in (None, kind):
                self.bad(row, "kind", f"is {kind.value}, but the reversed entry (row "
                                      f"{original.number}) is {original.get('kind').value}")
            orig_amount = original.get("amount")
            if amount is not None and orig_amount is not None and amount != -orig_amount:
                self.bad(row, "amount", f"{amount} is not the negation of the reversed entry's "
                                        f"amount {orig_amount} (row {original.number})")

    def _zero_rule(self, row: Row, kind: CashFlowKind | None, amount: Decimal | None) -> None:
        """An ``lp_transfer`` entry holds exactly 0.00 (its allocations move paid-in
        between LPs); every other entry a non-zero amount."""
        if kind is None or amount is None:
            return
        if kind is CashFlowKind.LP_TRANSFER and amount != 0:
            self.bad(row, "amount", f"is {amount}, but an lp_transfer entry holds 0.00 (its "
                                    "allocations move paid-in from the seller to the buyer)")
        elif kind is not CashFlowKind.LP_TRANSFER and amount == 0:
            self.bad(row, "amount", "must not be zero (only an lp_transfer entry holds 0.00)")

    def _kind_fields(self, row: Row, kind: CashFlowKind) -> None:
        rules = (("call_purpose", CashFlowKind.CAPITAL_CALL),
                 ("distribution_type", CashFlowKind.DISTRIBUTION))
        for field, owner in rules:
            if not row.ok(field):
                continue
            if kind == owner and row.get(field) is None:
                self.bad(row, field, f"is required for a {kind.value} entry")
            elif kind != owner and row.get(field) is not None:
                self.bad(row, field, f"must be empty for a {kind.value} entry")
        if kind in COMPANY_KINDS and row.get("company_id") is None and row.ok("company_id"):
            self.bad(row, "company_id", f"is required for a {kind.value} entry")
        if row.ok("target_fund_id") and (kind in SUB_FUND_KINDS) != (
                row.get("target_fund_id") is not None):
            need = "is required" if kind in SUB_FUND_KINDS else "must be empty"
            self.bad(row, "target_fund_id", f"{need} for a {kind.value} entry")

    def check_allocations(self) -> None:
        committed = {(r.get("fund_id"), r.get("investor_id")) for r in self.data["commitment"]}
        # Funds with a commitment row whose references are broken: already reported there.
        unsure = {r.get("fund_id") for r in self.data["commitment"]
                  if not r.ok("fund_id", "investor_id")}
        by_entry: dict[str, list[Row]] = defaultdict(list)
        incomplete: set[str] = set()
        for row in self.data["cash_flow_allocation"]:
            entry = self.ref(row, "cash_flow_id")
            if entry is None or entry.key is None:
                continue
            by_entry[entry.key].append(row)
            if row.get("amount") is None:
                incomplete.add(entry.key)
            kind = entry.get("kind")
            if kind is not None and kind not in ALLOCATED_KINDS:
                self.bad(row, "cash_flow_id", f"a {kind.value} entry is not allocated to LPs")
            if None not in (row.get("currency"), entry.get("currency")) and \
                    row.get("currency") != entry.get("currency"):
                self.bad(row, "currency", f"is {row.get('currency')}, but the entry's currency "
                                          f"is {entry.get('currency')}")
            amount, total = row.get("amount"), entry.get("amount")
            if amount is not None and total is not None and amount * total < 0:
                self.bad(row, "amount", f"{amount} has the opposite sign of its entry ({total})")
            investor = row.get("investor_id")
            fund = entry.get("fund_id")
            if investor is not None and fund not in unsure and None not in unsure \
                    and (fund, investor) not in committed:
                self.bad(row, "investor_id", "the investor has no commitment in the entry's fund")
        for entry in self.data["cash_flow"]:
            if entry.key is None or entry.key in incomplete:
                continue
            self._check_sum(entry, by_entry.get(entry.key, []))

    def _check_sum(self, entry: Row, allocations: list[Row]) -> None:
        kind, total = entry.get("kind"), entry.get("amount")
        if kind not in ALLOCATED_KINDS or total is None:
            return
        if not allocations:
            self.bad(entry, "amount", f"a {kind.value} must be allocated to its LPs, but no "
                                      "cash_flow_allocation row refers to it")
            return
        with localcontext() as ctx:
            ctx.prec = MAX_PREC
            allocated = sum((a.get("amount") for a in allocations), Decimal("0.00"))
        if allocated != total:
            rows = ", ".join(str(a.number) for a in allocations[:_MAX_ROWS_SHOWN])
            more = " …" if len(allocations) > _MAX_ROWS_SHOWN else ""
            self.bad(entry, "amount", f"its allocations (sheet 'cash_flow_allocation', rows "
                                      f"{rows}{more}) sum to {allocated}, not {total}")

    def check_valuations(self) -> None:
        held = {(r.get("fund_id"), r.get("company_id")) for r in self.data["investment"]}
        for row in self.data["fund_valuation"]:
            self.fund_rules(row, "as_of")
        for row in self.data["holding_valuation"]:
            self.fund_rules(row, "as_of")
            pair = (row.get("fund_id"), row.get("company_id"))
            if None not in pair and pair not in held:
                self.bad(row, "company_id", "the fund holds no investment in this company "
                                            "(no matching investment row)")

    def check_investments(self) -> None:
        for row in self.data["investment"]:
            self.fund_rules(row, "invested_on")
            rate = row.get("ownership_rate")
            if rate is not None and rate > 1:
                self.bad(row, "ownership_rate", "is a fraction and cannot exceed 1")
            entry = self.ref(row, "cash_flow_id")
            if entry is None:
                continue
            if entry.get("kind") not in (None, CashFlowKind.INVESTMENT):
                self.bad(row, "cash_flow_id", f"the entry (row {entry.number}) is not an "
                                              "investment entry")
            if entry.get("reverses_id") is not None:
                self.bad(row, "cash_flow_id", "the entry is a reversal")
            for field, other in (("fund_id", "fund_id"), ("company_id", "company_id"),
                                 ("amount", "amount"), ("invested_on", "value_on"),
                                 ("currency", "currency")):
                mine, theirs = row.get(field), entry.get(other)
                if None not in (mine, theirs) and mine != theirs:
                    self.bad(row, field, f"is {mine}, but its ledger entry (row {entry.number}) "
                                         f"has {other} {theirs}")


def _reaches(edges: dict[str, set[str]], start: str, goal: str) -> bool:
    """True if ``goal`` is ``start`` or reachable from it along ``edges``."""
    seen: set[str] = set()
    stack = [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(edges.get(node, ()))
    return False
