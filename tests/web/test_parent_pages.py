"""The parent-fund page: look-through, leverage and policy indicators with their terms; the rule
form.

Fixture: the three-level fund-of-funds of ``test_lookthrough`` with the rules of
``test_policy`` (sub-fund A breaks the 返投 and 投小 rules, B its own government-share cap).
"""

from __future__ import annotations

import html as html_lib
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from fundops.audit import AuditEvent
from fundops.auth.models import User
from fundops.extensions import db
from fundops.metrics.leverage import leverage
from fundops.metrics.lookthrough import look_through
from fundops.metrics.models import PolicyRule
from fundops.metrics.policy import list_policy_rules, policy_indicators
from fundops.models import Organisation
from fundops.portfolio import services
from fundops.uow import Actor
from tests.conftest import Browser
from tests.factories import PASSWORD, make_fund, make_user
from tests.integration.test_lookthrough import Fof, build_fof
from tests.integration.test_policy import with_rules
from tests.web.test_pages import compile_catalog, field_error, text

AS_OF = date(2022, 12, 31)


@pytest.fixture(scope="module", autouse=True)
def _catalog() -> None:
    compile_catalog()


def email(actor: Actor) -> str:
    user = db.session.get(User, actor.user_id)
    assert user is not None
    return user.email


def login(browser: Any, actor: Actor, lang: str | None = "en") -> None:
    assert browser.login(email(actor), PASSWORD).status_code == 302
    if lang:
        browser.post("/preferences", {"lang": lang, "next": "/"})
    browser.post("/preferences", {"unit": "yuan", "next": "/"})


def page(browser: Any, fund_id: int, query: str = "?as_of=2022-12-31") -> Any:
    return browser.client.get(f"/funds/{fund_id}/look-through{query}")


def part(html: str, element_id: str, end: str = "</tr>") -> str:
    """The markup from the element with ``element_id`` up to ``end``."""
    assert f'id="{element_id}"' in html, f"no element {element_id}"
    return html.split(f'id="{element_id}"', 1)[1].split(end, 1)[0]


def rule_data(**overrides: str) -> dict[str, str]:
    data = {"rule_type": "gov_share_cap", "params": '{"max_share": "0.25"}',
            "basis": "subscribed", "effective_from": "2021-01-01",
            "source_citation": "示例市引导基金管理办法 第八条"}
    data |= overrides
    return {("rule_basis" if k == "basis" else k): v for k, v in data.items()}


def rule_count() -> int:
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(PolicyRule)) or 0)


def test_page_shows_look_through_leverage_and_breaches(app: Any, browser: Any) -> None:
    f = with_rules()
    login(browser, f.guidance)
    response = page(browser, f.p.id)
    assert response.status_code == 200
    html = text(response)
    lt = look_through(f.guidance, f.p.id, AS_OF, "paid_in")
    # Look-through total, the consistency flag, the sub-fund shares with their terms.
    assert f'data-value="{lt.total_amount}"' in part(html, "lt-total", "</th>")
    assert f"{lt.total_amount:,.2f}" in part(html, "card-total", "</div></div>")
    assert 'data-consistent="true"' in part(html, "consistent-flag", "</span>") and lt.consistent
    for s in lt.sub_funds:
        row = part(html, f"share-{s.sub_fund_id}")
        assert f'data-value="{s.share_rate}"' in row
        assert (
            f'data-value="{s.share_numerator}"' in row
            and f'data-value="{s.share_denominator}"' in row
        )
        assert f'data-value="{s.attributed_amount}"' in row
    # Every company, linked to its page, with its exposure, paths and value basis.
    assert len(lt.rows) == 4
    for r in lt.rows:
        row = part(html, f"company-{r.company_id}")
        assert r.company_name in row and f'data-value="{r.exposure_amount}"' in row
        assert f'href="/companies/{r.company_id}"' in row
    x = part(html, f"company-{f.x.id}")
    assert "Seed" in x and "440305" in x and "SRDI" in x and "Fair value / cost" in x
    assert ">3<" in x  # X is reached by three paths
    for table, items in (("by-sector", lt.by_sector), ("by-stage", lt.by_stage),
                         ("by-region", lt.by_region), ("by-tag", lt.by_tag)):
        body = part(html, table, "</table>")
        for b in items:
            assert (
                f'data-value="{b.exposure_amount}"' in body
                and f'data-value="{b.share_of_total}"' in body
            )
    # Each leverage definition on both bases, with its formula, numerator and denominator.
    rep = leverage(f.guidance, f.p.id, AS_OF)
    assert len(rep.ratios) == 10
    plain = html_lib.unescape(html)
    for r in rep.ratios:
        row = part(html, f"lev-{r.definition}-{r.basis}")
        assert f'data-value="{r.numerator}"' in row and f'data-value="{r.denominator}"' in row
        assert f'data-value="{r.value}"' in row
        assert f"{r.numerator:,.2f}" in row and f"{r.denominator:,.2f}" in row
        assert r.label_en in plain and r.formula in plain
    assert "5.00x" in part(html, "lev-fund_amplification-subscribed")
    for s in rep.sub_funds:
        assert s.fund_code in part(html, f"lev-sub-{s.fund_id}-subscribed")
    # Breaches listed at the top of the policy section, with their figures and rules.
    breaches = part(html, "breach-list", "</table>")
    reinvest = part(breaches, f"breach-{f.a.id}-reinvestment_achievement-subscribed")
    assert "41.67%" in reinvest and "25,000,000.00" in reinvest and "60,000,000.00" in reinvest
    assert (
        "≥ 100%" in reinvest and "2021-01-01" in reinvest and "深圳市引导基金管理办法" in reinvest
    )
    gov = part(breaches, f"breach-{f.b.id}-gov_share-subscribed")
    assert "40.00%" in gov and "≤ 35%" in gov and "own rule" in gov
    assert f"breach-{f.a.id}-small_company_share" in breaches
    assert "2 sub-fund(s) break a policy parameter" in part(html, "breach-banner", "</div>")
    own = part(html, "policy-guidance", "</table>")
    assert "30.00%" in part(own, "policy-guidance-paid_in_ratio") and "Rule in force" not in own
    # The rules recorded on the parent fund, and the form for its writer.
    assert html.count('data-rule-type="reinvest_multiple"') == 2
    assert 'id="rule-form"' in html and 'name="csrf_token"' in part(html, "rule-form", "</form>")


def test_sub_funds_policy_rows_and_one_sub_funds_indicators(app: Any, browser: Any) -> None:
    f = with_rules()
    login(browser, f.guidance)
    html = text(page(browser, f.p.id))
    # The sub-funds' indicators, one row each with the breach marked; the full indicator
    # table of one sub-fund is a click away (the link keeps the date).
    row = part(html, f"policy-fund-{f.a.id}")
    assert 'class="num breach"' in row and "41.67%" in row
    link = f"/funds/{f.p.id}/look-through?as_of=2022-12-31&amp;policy_fund={f.a.id}#policy-detail"
    assert f'href="{link}"' in row and f'href="{link}"' in part(html, "breach-banner", "</div>")
    assert f'id="policy-sub-{f.a.id}-idle_ratio"' not in html
    html = text(page(browser, f.p.id, f"?as_of=2022-12-31&policy_fund={f.a.id}"))
    assert 'class="breach"' in part(html, f"policy-sub-{f.a.id}-small_company_share")
    idle = part(html, f"policy-sub-{f.a.id}-idle_ratio")
    assert "64.60%" in idle and "Met" in idle and "≤ 90%" in idle
    # Not a direct sub-fund (the parent, C under A), or not a number: no detail.
    for bad in (str(f.p.id), str(f.c.id), "abc", "-1", "9" * 40):
        response = page(browser, f.p.id, f"?as_of=2022-12-31&policy_fund={bad}")
        assert response.status_code == 200 and 'id="policy-detail"' not in text(response)


def test_page_in_chinese_shows_not_applicable_never_zero(app: Any, browser: Any) -> None:
    f = build_fof()
    login(browser, f.guidance, lang=None)  # Chinese by default
    html = text(page(browser, f.p.id, "?as_of=2021-04-30"))  # committed, nothing called yet
    assert "母基金穿透" in html and "穿透敞口" in html and "撬动社会资本" in html
    rep = leverage(f.guidance, f.p.id, date(2021, 4, 30))
    for r in rep.ratios:
        row = part(html, f"lev-{r.definition}-{r.basis}")
        if r.basis == "paid_in":
            assert r.value is None and "不适用" in row and "0.00x" not in row
        assert r.label_zh in html
    assert "（Σ 子基金规模 − 引导基金出资）/ 引导基金出资" in html_lib.unescape(html)
    assert "5.00x" in part(html, "lev-fund_amplification-subscribed")
    assert 'id="no-breach"' in html  # no rules recorded yet
    statuses = part(html, "policy-sub-fund-table", "</table>")
    assert "未设置规则" in statuses and "全部达标" not in statuses  # nothing checked


def test_basis_selector_and_bad_parameters(app: Any, browser: Any) -> None:
    f = build_fof()
    login(browser, f.guidance)
    html = text(page(browser, f.p.id, "?as_of=2022-12-31&basis=commitment"))
    lt = look_through(f.guidance, f.p.id, AS_OF, "commitment")
    assert f'data-value="{lt.total_amount}"' in part(html, "lt-total", "</th>")
    assert lt.total_amount != look_through(f.guidance, f.p.id, AS_OF).total_amount
    assert 'selected value="commitment"' in html
    bad_date = page(browser, f.p.id, "?as_of=2022-13-45")
    assert bad_date.status_code == 422 and field_error(text(bad_date), "as_of")
    assert 'id="lt-total"' not in text(bad_date)
    bad_basis = page(browser, f.p.id, "?basis=nav")
    assert bad_basis.status_code == 422 and field_error(text(bad_basis), "basis")
    default = page(browser, f.p.id, "")  # today, on the paid-in share
    assert default.status_code == 200 and 'selected value="paid_in"' in text(default)


def test_rule_form_records_a_rule_and_redirects_back(app: Any, browser: Any) -> None:
    f = build_fof()
    login(browser, f.guidance)
    url = f"/funds/{f.p.id}/policy-rules?as_of=2022-12-31&basis=commitment"
    response = browser.post(url, rule_data())
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/funds/{f.p.id}/look-through?as_of=2022-12-31&basis=commitment#policy-rules")
    (rule,) = list_policy_rules(f.guidance, f.p.id)
    assert (rule.rule_type, rule.params_dict, rule.basis) == (
        "gov_share_cap",
        {"max_share": "0.25"},
        "subscribed",
    )
    assert rule.effective_from == date(2021, 1, 1) and rule.source_citation.startswith("示例市")
    assert db.session.scalar(sa.select(AuditEvent.action).where(
        AuditEvent.object_type == "policy_rule")) == "policy_rule.create"
    html = text(browser.client.get(response.headers["Location"]))
    assert "Policy rule recorded: Government share cap from 2021-01-01." in html
    assert "0.25" in part(html, f"rule-{rule.id}")
    # The new cap (25 %) applies to both sub-funds: A 20 % passes, B 40 % breaks it.
    rep = policy_indicators(f.guidance, f.p.id, AS_OF)
    assert [x.fund_id for x in rep.breaches] == [f.b.id]
    assert f"breach-{f.b.id}-gov_share-subscribed" in part(html, "breach-list", "</table>")
    # Numbers in JSON work too: they are read as exact decimals, never as floats.
    again = browser.post(url, rule_data(rule_type="idle_max_ratio", params='{"max_ratio": 0.9}',
                                        basis="paid_in"))
    assert again.status_code == 302
    assert {r.rule_type: r.params_dict for r in list_policy_rules(f.guidance, f.p.id)}[
        "idle_max_ratio"] == {"max_ratio": "0.9"}


@pytest.mark.parametrize(("overrides", "message"), [
    ({"params": '{"max_share": 0.25'}, "Not valid JSON"),
    ({"params": '["0.25"]'}, "JSON object"),
    ({"params": '{"max_share": "40"}'}, "max_share: is a fraction between 0 and 1"),
    ({"params": '{"cap": "0.4"}'}, "cap: is not a parameter of gov_share_cap"),
    ({"rule_type": "reinvest_multiple", "params": '{"region_prefix": "44A3", "multiple": "1"}'},
     "region_prefix"),
    ({"params": ""}, "This field is required."),
])
def test_rule_form_bad_input_is_a_field_error_and_writes_nothing(
        app: Any, browser: Any, overrides: dict[str, str], message: str) -> None:
    f = build_fof()
    login(browser, f.guidance)
    response = browser.post(
        f"/funds/{f.p.id}/policy-rules?as_of=2022-12-31", rule_data(**overrides)
    )
    assert response.status_code == 422
    html = text(response)
    assert message in field_error(html, "params")
    assert rule_count() == 0
    assert 'id="lt-total"' in html  # the page comes back whole, with the form filled in
    assert overrides["params"] in html_lib.unescape(part(html, "rule-form", "</form>"))


def test_rule_form_is_for_writers_with_manager_access(app: Any, browser: Any) -> None:
    f = build_fof()
    org = db.session.get(Organisation, f.p.organisation_id)
    assert org is not None
    viewer_user, _viewer = make_user(org.name, kind="guidance_fund_manager", role="viewer")
    assert browser.login(viewer_user.email, PASSWORD).status_code == 302
    html = text(page(browser, f.p.id))
    assert 'id="lt-total"' in html and 'id="rule-form"' not in html  # reading is fine
    assert browser.post(f"/funds/{f.p.id}/policy-rules", rule_data()).status_code == 403
    # LP access (the guidance fund in sub-fund A): the page is visible, the form is not.
    guidance = Browser(app.test_client())
    login(guidance, f.guidance)
    lp_view = page(guidance, f.a.id)
    assert lp_view.status_code == 200 and 'id="rule-form"' not in text(lp_view)
    assert guidance.post(f"/funds/{f.a.id}/policy-rules", rule_data()).status_code == 404
    # Another organisation sees nothing.
    outsider = Browser(app.test_client())
    login(outsider, f.outsider)
    assert page(outsider, f.p.id).status_code == 404
    assert outsider.post(f"/funds/{f.p.id}/policy-rules", rule_data()).status_code == 404
    assert rule_count() == 0


def test_fund_pages_link_to_the_parent_page(app: Any, browser: Any) -> None:
    f: Fof = build_fof()
    login(browser, f.guidance)
    detail = text(browser.client.get(f"/funds/{f.p.id}"))
    assert f'href="/funds/{f.p.id}/look-through"' in part(detail, "link-look-through", ">")
    gp_c = Browser(app.test_client())
    login(gp_c, f.gp_c)
    assert 'id="link-look-through"' not in text(gp_c.client.get(f"/funds/{f.c.id}"))  # no sub-funds
    # The performance page of a parent fund links to the page at the same date.
    parent = make_fund(f.guidance, kind="parent_fund", is_guidance_fund=True,
                       inception_on="2021-01-01")
    fiscal = services.create_investor(f.guidance, "市财政", "fiscal")
    services.add_commitment(f.guidance, parent.id, fiscal.id, "500000000", "2021-01-10")
    response = browser.client.get(f"/funds/{parent.id}/performance?as_of=2022-12-31")
    assert response.status_code == 200
    assert (f'href="/funds/{parent.id}/look-through?as_of=2022-12-31"'
            in part(text(response), "link-look-through", ">"))
    plain = make_fund(f.guidance, inception_on="2021-01-01")  # a sub-fund: no link
    services.add_commitment(f.guidance, plain.id, fiscal.id, "100000000", "2021-01-10")
    other = browser.client.get(f"/funds/{plain.id}/performance?as_of=2022-12-31")
    assert other.status_code == 200 and 'id="link-look-through"' not in text(other)


def test_a_page_stores_its_figures_after_rendering_them(app: Any, browser: Any) -> None:
    """With background stores on (the production default) the page's computed figures
    are written after it is rendered, and then serve another process."""
    from fundops.metrics.cache import wait_for_stores
    from fundops.metrics.models import MetricCache
    from fundops.metrics.parent import parent_overview

    f = with_rules()
    app.config["METRIC_CACHE_STORE_IN_BACKGROUND"] = True
    login(browser, f.guidance)
    assert page(browser, f.p.id).status_code == 200
    wait_for_stores()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MetricCache).where(
        MetricCache.fund_id == f.p.id, MetricCache.kind == "parent_overview")) == 1
    app.extensions.pop("fundops.metric_cache")
    assert parent_overview(f.guidance, f.p.id, date(2022, 12, 31)).cached
