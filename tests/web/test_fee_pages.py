"""The management-fee pages through the test client, in Chinese: the link from the fund
page, the terms form (a negative rate and overlapping tiers refused on their fields,
nothing written), the prepare form (a period before the inception refused), a draft's
calculation "base × rate × days / 365" with the split, posting once (a second post is a
409 naming why), discarding; an LP's view and another organisation get 404."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.extensions import db
from fundops.portfolio import services
from fundops.reports.fees.models import FeeDraft
from tests.factories import make_fund, make_user, next_n
from tests.web.test_pages import compile_catalog, field_error, text
from tests.web.test_pool_pages import browser_for

TABLES = ("fee_terms", "fee_tier", "fee_draft", "cash_flow", "audit_event")


@pytest.fixture(scope="module", autouse=True)
def _catalog() -> None:
    compile_catalog()


def writes() -> tuple[int, ...]:
    db.session.rollback()
    return tuple(db.session.scalar(sa.text(f"SELECT count(*) FROM {t}")) for t in TABLES)


def test_fee_pages_story(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    _, other = make_user(f"Other {next_n()}")
    fund = make_fund(gp, inception_on="2025-01-01", investment_period_end_on="2025-02-14",
                     term_end_on="2029-12-31", extension_end_on="2031-12-31")
    for name, amount in (("甲", "60000000"), ("乙", "40000000")):
        lp = services.create_investor(gp, f"出资人{name} {next_n()}", "private")
        services.add_commitment(gp, fund.id, lp.id, amount, "2025-01-01")
    fund_id = fund.id
    page = browser_for(app, gp, lang="zh_CN")
    assert f'href="/funds/{fund_id}/fees"' in text(page.client.get(f"/funds/{fund_id}"))
    base = f"/funds/{fund_id}/fees"
    assert "尚无管理费草稿" in text(page.client.get(base))
    prefilled = text(page.client.get(f"{base}/terms"))
    assert 'value="2025-02-14"' in prefilled and 'value="2025-02-15"' in prefilled
    form = {"effective_on": "2025-01-01", "frequency": "quarterly", "timing": "advance",
            "source": "principal", "offset_pct": "0", "basis_1": "commitment",
            "rate_1": "2", "from_1": "2025-01-01", "to_1": "2025-02-14",
            "basis_2": "invested_cost", "rate_2": "1.5", "from_2": "2025-02-15", "to_2": "",
            "basis_3": "", "rate_3": "", "from_3": "", "to_3": "", "memo": ""}
    before = writes()
    bad = page.post(f"{base}/terms", {**form, "rate_1": "-2"})
    assert bad.status_code == 422 and "为负数" in field_error(text(bad), "rate_1")
    overlap = page.post(f"{base}/terms", {**form, "from_2": "2025-02-01"})
    assert overlap.status_code == 422 and "重叠" in field_error(text(overlap), "basis_1")
    assert writes() == before
    assert page.post(f"{base}/terms", form).status_code == 302
    shown = text(page.client.get(base))
    assert "在投成本" in shown and "1.5%" in shown
    early = page.post(f"{base}/drafts/new", {"period": "2024Q4", "fee_income": ""})
    assert early.status_code == 422 and "基金成立日" in field_error(text(early), "period")
    made = page.post(f"{base}/drafts/new", {"period": "2025Q1", "fee_income": ""})
    assert made.status_code == 302
    draft = db.session.scalars(sa.select(FeeDraft).where(FeeDraft.fund_id == fund_id)).one()
    detail = text(page.client.get(made.headers["Location"]))
    assert "× 2% × 45 / 365" in detail and "× 1.5% × 45 / 365" in detail
    assert 'id="fee-split"' in detail and 'id="post-form"' in detail
    assert "commitment" not in detail and "invested_cost" not in detail
    posted = page.post(f"{base}/drafts/{draft.id}/post", {"value_on": ""})
    assert posted.status_code == 302
    db.session.rollback()
    assert db.session.get(FeeDraft, draft.id).status.value == "posted"  # type: ignore[union-attr]
    twice = page.post(f"{base}/drafts/{draft.id}/post", {"value_on": ""})
    assert twice.status_code == 409 and "已不是草稿" in text(twice)
    q2 = page.post(f"{base}/drafts/new", {"period": "2025Q2", "fee_income": "1000"})
    q2_id = int(q2.headers["Location"].rsplit("/", 1)[1])
    assert page.post(f"{base}/drafts/{q2_id}/discard", {"reason": "重算"}).status_code == 302
    assert "已作废" in text(page.client.get(base))
    stranger = browser_for(app, other)
    for url in (base, f"{base}/terms", f"{base}/drafts/new", f"{base}/drafts/{draft.id}"):
        assert stranger.client.get(url).status_code == 404
    assert stranger.post(f"{base}/drafts/{q2_id}/discard", {"reason": "x"}).status_code == 404
