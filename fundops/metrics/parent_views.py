"""Parent-fund (guidance fund / 母基金) page: look-through, leverage, policy indicators and rules.

One GET page, ``metrics.parent_overview``, computes each service once per request
(:func:`look_through`, :func:`leverage`, :func:`policy_indicators`) and shows every figure
with its definition, numerator, denominator and basis. One POST route records a policy
rule (writers with manager access); a bad rule re-renders the page with the error on its
field (422) and writes nothing. Dates default to today in the business timezone, exactly
as on the performance page.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from fundops.auth.current import current_actor
from fundops.calc.lookthrough import CashLine, NetAssets, quantize_fraction
from fundops.calc.policy import LABELS as INDICATOR_LABELS
from fundops.calc.policy import RULE_CHECKS, RULE_PARAMS, PolicyBasis, RuleType
from fundops.errors import ValidationError
from fundops.i18n import format_money, localise, register_enum_labels, unit_label
from fundops.metrics import charts
from fundops.metrics.asof import business_today, parse_as_of, recent_quarter_ends
from fundops.metrics.lookthrough import (
    LOOK_THROUGH_DEFINITION,
    SHARE_DEFINITIONS,
    parse_share_basis,
)
from fundops.metrics.parent import parent_overview as overview_of
from fundops.metrics.parent_tables import chosen_sub_fund, paged_tables
from fundops.metrics.policy import list_policy_rules, set_policy_rule
from fundops.metrics.web import AsOfForm, bp
from fundops.portfolio.access import Access, get_fund, list_funds
from fundops.portfolio.forms import label as enum_label
from fundops.portfolio.forms import option
from fundops.portfolio.models import Fund
from fundops.uow import Actor
from fundops.web.formtokens import TokenForm
from fundops.web.paging import url_with


def N_(text: str) -> str:
    """Mark a msgid for extraction; the text is translated when it is shown."""
    return text


# Formulas and fixed notes come from fundops.calc in English; these are their msgids.
KNOWN_TEXTS = (
    N_("Σ sub-fund size / guidance-fund contribution"),
    N_("(Σ sub-fund size − all government-sourced money) / guidance-fund contribution"),
    N_("(Σ sub-fund size − guidance-fund contribution) / guidance-fund contribution"),
    N_("(Σ sub-fund cumulative investment at cost + co-investment) / guidance-fund contribution"),
    N_("Σ portfolio investment at cost attributable to the guidance fund through its shares "
       "(any depth) / guidance-fund contribution"),
    N_("paid-in / committed (all LPs)"),
    N_("government LPs' paid-in / their commitments"),
    N_("social LPs' paid-in / their commitments"),
    N_("(cumulative investment at cost incl. exited + sub-fund contributions) / paid-in"),
    N_("(paid-in − invested − sub-fund contributions − fees − expenses + proceeds + sub-fund "
       "returns − distributions) / paid-in"),
    N_("government-sourced commitments (or paid-in) / all commitments (or paid-in)"),
    N_("investment in companies of the region / (multiple × guidance-fund contribution)"),
    N_("investment in companies at the early stages / cumulative investment"),
    N_("deals ≤ the single-deal cap or in SMEs / cumulative investment"),
    N_("investment in hard-tech companies / cumulative investment"),
    N_("largest cumulative investment in one company / fund size"),
    N_("no 返投 rule in force"),
    N_("companies flagged hard-tech"),
    N_("SME companies"),
)

RULE_TYPE_LABELS: dict[str, Any] = {
    RuleType.GOV_SHARE_CAP: _l("Government share cap"),
    RuleType.REINVEST_MULTIPLE: _l("Local reinvestment multiple (返投)"),
    RuleType.EARLY_STAGE_MIN_SHARE: _l("Minimum early-stage share (投早)"),
    RuleType.SMALL_COMPANY_MIN_SHARE: _l("Minimum small-company share (投小)"),
    RuleType.HARD_TECH_MIN_SHARE: _l("Minimum hard-tech share (投硬科技)"),
    RuleType.SINGLE_DEAL_MAX: _l("Single-company investment cap"),
    RuleType.DEPLOYMENT_MIN_RATIO: _l("Minimum deployment ratio"),
    RuleType.IDLE_MAX_RATIO: _l("Maximum idle-cash ratio"),
    RuleType.PAID_IN_MIN_RATIO: _l("Minimum paid-in ratio"),
}
POLICY_BASIS_LABELS: dict[str, Any] = {
    PolicyBasis.SUBSCRIBED: _l("Subscribed (认缴)"), PolicyBasis.PAID_IN: _l("Paid-in (实缴)"),
}
BASIS_LABELS = {**POLICY_BASIS_LABELS, "commitment": _l("Commitment share")}
"""Policy bases and the look-through's share bases (``paid_in`` is both)."""
register_enum_labels({RuleType: RULE_TYPE_LABELS, PolicyBasis: POLICY_BASIS_LABELS})
VALUE_BASIS_LABELS = {"fair_value": _l("Fair value"), "cost": _l("Cost"),
                      "mixed": _l("Fair value / cost")}
_EXAMPLES = {"fraction": '"0.30"', "positive": '"1.5"', "prefix": '"4403"',
             "stages": '["seed", "start_up"]'}


def is_zh() -> bool:
    return str(get_locale()).startswith("zh")


def pick(zh: str, en: str) -> str:
    """The Chinese or the English text, by the page's language."""
    return zh if is_zh() else en


def basis_text(basis: str | None) -> str:
    return "" if basis is None else str(BASIS_LABELS.get(basis, basis))


def rule_type_text(rule_type: str) -> str:
    return str(RULE_TYPE_LABELS.get(rule_type, rule_type))


def formula_text(text: str) -> str:
    """A calc formula or note in the page's language (unchanged when it has no translation)."""
    return str(_(text)) if text else ""


_STAGES_NOTE = re.compile(r"stages: (.*) \(the company's current stage\)")
_SME_NOTE = re.compile(r"SME companies or deals ≤ (\S+) yuan")
_REGION_NOTE = re.compile(r"region (\d+)\*, multiple (\S+); recognised: investments in "
                          r"companies registered in the region")


def note_text(note: str) -> str:
    """The note of a policy indicator, translated where its pattern is known."""
    if m := _STAGES_NOTE.fullmatch(note):
        stages = ", ".join(enum_label(s.strip(), "CompanyStage") for s in m.group(1).split(","))
        return str(_("Stages: %(stages)s (the company's current stage)", stages=stages))
    if m := _SME_NOTE.fullmatch(note):
        return str(_("SME companies or deals ≤ %(amount)s %(unit)s",
                     amount=format_money(Decimal(m.group(1))), unit=unit_label()))
    if m := _REGION_NOTE.fullmatch(note):
        return str(_("Region %(prefix)s*, multiple %(multiple)s; recognised: investments in "
                     "companies registered in the region", prefix=m.group(1),
                     multiple=m.group(2)))
    return formula_text(note)


def threshold_text(comparison: str, threshold: Decimal) -> str:
    """``≥ 70.00%`` / ``≤ 30.00%``: a rule's threshold as a percentage."""
    sign = "≥" if comparison == "min" else "≤"
    return f"{sign} {(threshold * 100).normalize():f}%"


def params_text(params: dict[str, Any]) -> str:
    return json.dumps(params, ensure_ascii=False, sort_keys=True)


class LookThroughForm(AsOfForm):
    """The GET picker: as-of date and the share basis of the look-through."""

    basis = SelectField(_l("Share basis"), choices=[
        option("paid_in", _l("Paid-in share (实缴)")),
        option("commitment", _l("Commitment share (认缴)")),
    ], default="paid_in")


class PolicyRuleForm(TokenForm):
    """Shape of a new policy rule; the parameters are checked by :func:`set_policy_rule`."""

    rule_type = SelectField(_l("Rule type"), choices=[
        option(code, text) for code, text in RULE_TYPE_LABELS.items()])
    params = TextAreaField(_l("Parameters (JSON object)"), [DataRequired(), Length(max=2000)],
                           render_kw={"rows": 2, "spellcheck": "false", "class": "code"})
    rule_basis = SelectField(_l("Basis"), choices=[
        option(code, text) for code, text in POLICY_BASIS_LABELS.items()])
    effective_from = DateField(_l("Effective from"), [DataRequired()])
    source_citation = StringField(_l("Source (document, article)"), [Optional(), Length(max=300)])


def rule_params_help() -> list[tuple[str, str, str, str]]:
    """Per rule type: (code, label, "indicator (min|max) · parameters", an example JSON)."""
    rows: list[tuple[str, str, str, str]] = []
    for rule_type, spec in RULE_PARAMS.items():
        example = ", ".join(f'"{key}": {_EXAMPLES[kind]}' for key, (kind, required) in spec.items()
                            if required or kind == "stages")
        indicator, comparison, _key, _default = RULE_CHECKS[rule_type]
        keys = ", ".join(key if required else f"[{key}]" for key, (_k, required) in spec.items())
        zh, en, _formula = INDICATOR_LABELS[indicator]
        bound = "≥" if comparison == "min" else "≤"
        rows.append((rule_type, rule_type_text(rule_type), f"{pick(zh, en)} {bound} · {keys}",
                     "{" + example + "}"))
    return rows


def _query(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, "")}


def _render(actor: Actor, fund: Fund, access: Access, rule_form: PolicyRuleForm | None,
            status: int = 200) -> Any:
    """The page; every service once. Bad ``as_of`` / ``basis`` show as field errors (422)."""
    today = business_today()
    args = request.args
    form = LookThroughForm(args if args else None, as_of=today, basis="paid_in")
    context: dict[str, Any] = {
        "fund": fund, "access": access, "form": form, "rule_form": rule_form, "today": today,
        "quarter_links": recent_quarter_ends(today), "quarter_label": charts.quarter_label,
        "pick": pick, "basis_text": basis_text, "formula_text": formula_text,
        "note_text": note_text, "rule_type_text": rule_type_text, "threshold_text": threshold_text,
        "params_text": params_text, "value_basis_labels": VALUE_BASIS_LABELS,
        "lt_definition": LOOK_THROUGH_DEFINITION, "share_definitions": SHARE_DEFINITIONS,
        "rule_help": rule_params_help(), "url_with": url_with,
        "query": _query(as_of=args.get("as_of"), basis=args.get("basis")),
        "rules": list_policy_rules(actor, fund.id),
    }
    as_of = basis = None
    try:
        as_of = parse_as_of(args.get("as_of"), today)
    except ValidationError:
        form.as_of.errors = [_("Enter a date in the form YYYY-MM-DD, not after %(today)s.",
                               today=today.isoformat())]
    try:
        basis = parse_share_basis(args.get("basis") or "paid_in")
    except ValidationError:
        form.basis.errors = [_("Choose the paid-in share or the commitment share.")]
    if as_of is None or basis is None:
        return render_template("metrics/parent_overview.html", lt=None, **context), 422
    overview = overview_of(actor, fund.id, as_of, basis)
    lt, lev, pol, labels = (
        overview.look_through,
        overview.leverage,
        overview.policy,
        overview.labels,
    )
    context["loan_lev"] = overview.loan_leverage
    exact_through = lt.total_exact - lt.direct_total_exact
    tables = paged_tables(lt, lev, pol, labels)
    pages = tables["pages"]
    amounts = {"direct": quantize_fraction(lt.direct_total_exact),
               "through": quantize_fraction(exact_through),
               "own": {s.sub_fund_id: quantize_fraction(s.own_total_exact)
                       for s in pages["shares"].rows}}
    amounts |= _net_amounts(lt.net_assets, pages["net"].rows if "net" in pages else [])
    visible = {f.id for f in list_funds(actor)}
    linkable = {row.company_id for row in tables["pages"]["companies"].rows
                if any(part.fund_id in visible for part in row.via)}
    return render_template(
        "metrics/parent_overview.html", lt=lt, lev=lev, pol=pol, as_of=as_of, basis=basis,
        labels=labels, amounts=amounts, visible_funds=visible, linkable=linkable,
        policy_detail=chosen_sub_fund(pol, args.get("policy_fund")), **tables,
        **context), status


def _net_amounts(na: NetAssets | None, shown: list[CashLine]) -> dict[str, Any]:
    """The net-assets totals and the ``shown`` lines of the page, each exact amount rounded
    once to 0.01 yuan."""
    if na is None:
        return {}
    q = quantize_fraction
    return {
        "nav": q(na.nav_exact), "own_cash": q(na.own_cash_exact),
        "difference": q(na.difference_exact),
        "net_lines": {x.fund_id: {"weight": q(x.weight, 10), "nav": q(x.nav_exact),
                                  "holdings": q(x.holdings_exact),
                                  "sub_funds": q(x.sub_funds_exact), "own": q(x.own_exact)}
                      for x in shown},
    }


def _can_write(access: Access) -> bool:
    return access is Access.MANAGER and bool(current_user.can_write)


@bp.route("/funds/<int:fund_id>/look-through")
@login_required
def parent_overview(fund_id: int) -> Any:
    """Look-through, leverage and policy indicators of a parent fund as of ``?as_of=``."""
    actor = current_actor()
    fund, access = get_fund(actor, fund_id)
    rule_form = None
    if _can_write(access):
        rule_form = PolicyRuleForm(formdata=None, effective_from=business_today())
    return _render(actor, fund, access, rule_form)


@bp.route("/funds/<int:fund_id>/policy-rules", methods=["POST"])
@login_required
def parent_policy_rule_new(fund_id: int) -> Any:
    """Record a policy rule of the fund; 404 without manager access, 403 for a viewer."""
    actor = current_actor()
    fund, access = get_fund(actor, fund_id, write=True)
    form = PolicyRuleForm()
    if form.validate_on_submit():
        assert form.params.data is not None and form.effective_from.data is not None  # required
        try:
            params = json.loads(form.params.data, parse_float=Decimal)
        except ValueError as exc:
            form.params.errors = [_("Not valid JSON (line %(line)s, column %(column)s).",
                                    line=getattr(exc, "lineno", 1),
                                    column=getattr(exc, "colno", 1))]
        else:
            try:
                if not isinstance(params, dict):
                    raise ValidationError("params", "params_json_object",
                                          example='{"max_share": "0.30"}')
                set_policy_rule(actor, fund.id, form.rule_type.data, params, form.rule_basis.data,
                                form.effective_from.data, form.source_citation.data or "")
            except ValidationError as exc:
                _attach(form, exc)
            else:
                flash(_("Policy rule recorded: %(rule)s from %(date)s.",
                        rule=rule_type_text(form.rule_type.data),
                        date=form.effective_from.data.isoformat()), "success")
                target = url_for("metrics.parent_overview", fund_id=fund.id,
                                 **_query(as_of=request.args.get("as_of"),
                                          basis=request.args.get("basis")))
                return redirect(target + "#policy-rules")
    return _render(actor, fund, access, form, 422)


def _attach(form: PolicyRuleForm, exc: ValidationError) -> None:
    """A service error on its field; ``params.<key>`` goes to the params box, named."""
    if exc.field.startswith("params."):
        # The parameter's key is what the user typed in the JSON box, so it is named as is.
        form.params.errors = [*form.params.errors, f"{exc.field[7:]}: {localise(exc)}"]
        return
    name = "rule_basis" if exc.field == "basis" else exc.field
    field = form._fields.get(name)
    target = field if field is not None and name != "csrf_token" else form.params
    target.errors = [*target.errors, localise(exc)]

