"""The ``fundops metrics`` command: a fund, an LP position or a deal as of a date.

The ``--user`` decides what is visible, exactly as in the pages and the API (an Actor
is built from that user); the fund is looked up by code among that user's funds.
Tables show amounts in yuan with 2 decimals, multiples with 4 and rates as percentages
with 2 (rounded half-up for display); ``--format json`` prints what the API answers,
dumped with the same reply schemas (:mod:`fundops.metrics.schemas`: Decimals as exact
strings, ISO dates, definitions in Chinese and English).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from fundops.auth.models import User
from fundops.errors import ValidationError
from fundops.extensions import db
from fundops.metrics import perspectives as P
from fundops.metrics import schemas as S
from fundops.metrics.asof import STALE_AFTER_DAYS, business_today, parse_as_of
from fundops.metrics.charts import percent
from fundops.metrics.engine import Perspective, Position
from fundops.portfolio.access import list_funds
from fundops.portfolio.models import Fund
from fundops.uow import Actor

TITLES = {Perspective.FUND_NET: "Fund net (all LPs)",
          Perspective.FUND_GROSS: "Fund gross (investment level)",
          Perspective.LP_NET: "LP net", Perspective.DEAL: "Deal"}


# --- look-ups ------------------------------------------------------------------------------


def actor_for_email(email: str) -> Actor:
    """The Actor of an active user, as ``auth.current`` builds it for a request."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user with the email {email!r}")
    if not user.is_active:
        raise click.ClickException(f"user {user.email} is deactivated")
    return Actor(user_id=user.id, organisation_id=user.organisation_id, role=user.role,
                 auth_method="cli")


def find_fund(actor: Actor, code: str) -> Fund:
    """The visible fund with this code (exact, then case-insensitive; own funds first)."""
    funds = list_funds(actor)
    for same in (lambda f: f.code == code, lambda f: f.code.casefold() == code.casefold()):
        hits = [f for f in funds if same(f)]
        own = [f for f in hits if f.organisation_id == actor.organisation_id]
        if len(own) == 1 or len(hits) == 1:
            return (own or hits)[0]
        if hits:
            raise click.ClickException(f"fund code {code!r} is ambiguous: ids "
                                       f"{', '.join(str(f.id) for f in hits)}")
    known = ", ".join(f.code for f in funds[:20]) or "none"
    raise click.ClickException(f"no fund {code!r} visible to this user (visible: {known})")


def find_lp(report: P.FundMetrics, name: str) -> P.LpLine:
    for same in (lambda n: n == name, lambda n: n.casefold() == name.strip().casefold()):
        hits = [line for line in report.lps if same(line.investor_name)]
        if hits:
            return hits[0]
    known = "; ".join(line.investor_name for line in report.lps) or "none visible"
    raise click.ClickException(f"no LP {name!r} in fund {report.fund.code} (LPs: {known})")


def find_deal(report: P.FundMetrics, ref: str) -> P.DealLine:
    text = ref.strip()
    for line in report.deals:
        if line.company.uscc == text.upper() or line.company.name == text:
            return line
    hits = [line for line in report.deals if line.company.name.casefold() == text.casefold()]
    if hits:
        return hits[0]
    known = "; ".join(line.company.name for line in report.deals) or "none"
    raise click.ClickException(f"no deal {ref!r} in fund {report.fund.code} (companies: {known})")


# --- table rendering -----------------------------------------------------------------------


def width(text: str) -> int:
    """Terminal columns: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, size: int, right: bool) -> str:
    gap = " " * max(size - width(text), 0)
    return gap + text if right else text + gap


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[bool]) -> str:
    """Columns aligned by display width; numeric columns right-aligned."""
    sizes = [max([width(h), *(width(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    lines = ["  ".join(pad(h, sizes[i], numeric[i]) for i, h in enumerate(headers)).rstrip(),
             "  ".join("-" * s for s in sizes)]
    lines += ["  ".join(pad(c, sizes[i], numeric[i]) for i, c in enumerate(r)).rstrip()
              for r in rows]
    return "\n".join(lines)


def amount(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value:,.2f}"


def multiple(value: Decimal | None) -> str:
    if value is None:
        return "n/a"
    return f"{value.quantize(Decimal('0.0001'), rounding=ROUND_HALF_UP):,.4f}x"


def ratio_pct(value: Decimal | None) -> str:
    """An exact fraction such as PIC as a percentage with 2 decimals."""
    if value is None:
        return "n/a"
    return f"{(value * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}%"


def irr(pos: Position) -> str:
    if pos.irr is None:
        return "n/a"
    if pos.short_track_record and pos.irr_cumulative is not None:
        return f"{percent(pos.irr_cumulative)} cumulative"
    return percent(pos.irr)


def valued(pos: Position) -> str:
    if pos.perspective is Perspective.FUND_GROSS:
        return "holdings at fair value + share of sub-fund NAV"
    if pos.value_on is None:
        return "cost basis (no valuation yet)"
    age = pos.value_age_days or 0
    stale = ", STALE" if age > STALE_AFTER_DAYS else ""
    return f"valued {pos.value_on.isoformat()}, {age} days old{stale}"


def position_block(pos: Position) -> str:
    """A key/value table of one position with each multiple's numerator and denominator."""
    paid, out, held = S.flow_names(pos.perspective)
    irr_label = "IRR"
    if pos.short_track_record and pos.irr is not None:
        irr_label = "IRR (cumulative, not annualised: under 1 year)"
    def terms(names: str, *amounts: Decimal | None) -> str:
        return f"{names} = " + " / ".join(amount(a) for a in amounts)

    rows = [
        ["Committed", amount(pos.committed), ""],
        [paid.replace("_", "-").capitalize(), amount(pos.paid_in), ""],
        [out.capitalize(), amount(pos.distributed), ""],
        [held.upper() if held == "nav" else held.capitalize(), amount(pos.value), valued(pos)],
        [irr_label, irr(pos), f"since {pos.first_on.isoformat()}" if pos.first_on else "no flows"],
        ["DPI", multiple(pos.dpi), terms(f"{out} / {paid}", pos.distributed, pos.paid_in)],
        ["RVPI", multiple(pos.rvpi), terms(f"{held} / {paid}", pos.value, pos.paid_in)],
        ["MOIC" if pos.perspective is Perspective.DEAL else "TVPI", multiple(pos.tvpi),
         f"({out} + {held}) / {paid} = ({amount(pos.distributed)} + {amount(pos.value)}) / "
         + amount(pos.paid_in)],
    ]
    if pos.committed is None:
        rows = rows[1:]
    else:
        rows.append(["PIC", ratio_pct(pos.pic),
                     terms("paid_in / committed", pos.paid_in, pos.committed)])
    definition = P.DEFINITIONS[pos.perspective][1]
    return (f"{TITLES[pos.perspective]}\n  {definition}\n"
            + _indent(table(["Metric", "Value", "Terms"], rows, [False, True, False])))


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


def fund_tables(report: P.FundMetrics) -> str:
    parts = [position_block(report.net),
             "  " + P.DEFINITIONS["nav"][1]]
    if report.gross is not None:
        parts.append(position_block(report.gross))
    lp_rows = [[line.investor_name, line.investor_type, amount(p.committed), amount(p.paid_in),
                amount(p.distributed), amount(p.value), multiple(p.dpi), multiple(p.rvpi),
                multiple(p.tvpi), irr(p), ratio_pct(p.pic)]
               for line in report.lps for p in [line.position]]
    parts.append("LP positions (LP net)\n" + _indent(table(
        ["LP", "Type", "Committed", "Paid-in", "Distributed", "NAV share", "DPI", "RVPI", "TVPI",
         "IRR", "PIC"], lp_rows, [False, False] + [True] * 9)) if lp_rows
        else "LP positions (LP net)\n  none visible")
    deal_rows = [[d.company.name, d.company.uscc, amount(p.paid_in), amount(p.distributed),
                  amount(p.value), p.value_on.isoformat() if p.value_on else "cost",
                  multiple(p.tvpi), irr(p)] for d in report.deals for p in [d.position]]
    parts.append("Deals\n" + _indent(table(
        ["Company", "USCC", "Invested", "Realised", "Unrealised", "Value date", "MOIC", "IRR"],
        deal_rows, [False, False, True, True, True, False, True, True])) if deal_rows
        else "Deals\n  none")
    return "\n\n".join(parts)


def heading(report: P.FundMetrics, what: str) -> str:
    fund = report.fund
    return (f"{fund.code} {fund.name_zh}: {what} as of {report.as_of.isoformat()} "
            f"({fund.currency}, amounts in yuan; n/a = not defined, never 0)")


# --- the command ---------------------------------------------------------------------------


@click.command("metrics")
@click.option("--fund", "fund_code", required=True, help="Fund code, e.g. HTZ-SF01.")
@click.option("--lp", "lp_name", default=None, help="Show one LP position: the investor's name.")
@click.option("--deal", "deal_ref", default=None, help="Show one deal: company name or USCC.")
@click.option("--as-of", "as_of_text", default=None, metavar="YYYY-MM-DD",
              help="Date of the figures (default: today in the business timezone).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.option("--user", "email", required=True,
              help="Email of the user whose access decides what is visible.")
@with_appcontext
def metrics_command(fund_code: str, lp_name: str | None, deal_ref: str | None,
                    as_of_text: str | None, fmt: str, email: str) -> None:
    """Return metrics (IRR, DPI, RVPI, TVPI, PIC, MOIC) of a fund, an LP position or a deal."""
    if lp_name and deal_ref:
        raise click.ClickException("use either --lp or --deal, not both")
    actor = actor_for_email(email)
    try:
        as_of = parse_as_of(as_of_text, business_today())
    except ValidationError as exc:
        raise click.ClickException(f"--as-of: {exc.message}") from None
    fund = find_fund(actor, fund_code)
    report = P.fund_metrics(actor, fund.id, as_of)
    head = S.head(report.fund, report.access, report.as_of)
    body: dict[str, Any]
    if lp_name:
        line = find_lp(report, lp_name)
        body = S.LpMetricsOut().dump(head | {"lp": line})
        text = f"{heading(report, 'LP ' + line.investor_name)}\n\n{position_block(line.position)}"
    elif deal_ref:
        deal = find_deal(report, deal_ref)
        body = S.DealMetricsOut().dump(head | {"deal": deal})
        text = (f"{heading(report, f'deal {deal.company.name} ({deal.company.uscc})')}\n\n"
                f"{position_block(deal.position)}")
    else:
        body = S.FundMetricsOut().dump(S.fund_metrics_data(report))
        text = f"{heading(report, 'fund metrics')}\n\n{fund_tables(report)}"
    if fmt == "json":
        click.echo(json.dumps(body, ensure_ascii=False, indent=2))
    else:
        click.echo(text)
