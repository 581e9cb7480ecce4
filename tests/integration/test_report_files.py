"""Quarterly report downloads kept while the books are unchanged, and a slow one rebuilt in
the background behind a page that reloads itself (fundops.reports.quarterly.files)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from flask import Flask

from fundops.auth.models import User
from fundops.errors import ValidationError
from fundops.extensions import db
from fundops.metrics.cache import wait_for_stores
from fundops.portfolio import ledger_services as ledger
from fundops.reports.quarterly import files
from fundops.uow import Actor
from tests.conftest import Browser
from tests.factories import make_fund, make_user
from tests.integration.test_quarterly_report import Q, login, parent_setup, sheet_rows

PACK = "reports/quarterly/consolidated.xlsx"


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The params of every file built (kept files are not built)."""
    made: list[str] = []
    real = files._build

    def counting(actor: object, ask: files._Ask, params: str) -> files.ReportFile | None:
        made.append(params)
        return real(actor, ask, params)  # type: ignore[arg-type]

    monkeypatch.setattr(files, "_build", counting)
    return made


def manager(app: Flask, actor: Actor) -> Browser:
    """The parent fund's manager, logged in."""
    user = db.session.get(User, actor.user_id)
    assert user is not None
    return login(app, user.email)


def settle() -> None:
    """Let background builds and stores finish; the next request is a new transaction."""
    wait_for_stores()
    db.session.rollback()


def test_a_quick_file_is_built_while_waiting_and_then_kept(app: Flask,
                                                            builds: list[str]) -> None:
    guidance, parent_id, s = parent_setup(app)
    gp = manager(app, guidance)
    first = gp.client.get(f"/funds/{parent_id}/{PACK}?quarter={Q}")
    assert first.status_code == 200 and len(builds) == 1
    settle()
    again = gp.client.get(f"/funds/{parent_id}/{PACK}?quarter={Q}")
    assert again.status_code == 200 and again.data == first.data and len(builds) == 1

    _, stranger = make_user("另一家管理人")
    other = make_fund(stranger)
    ledger.record_valuation(stranger, other.id, as_of="2023-06-30", nav_amount="1000")
    settle()
    assert gp.client.get(f"/funds/{parent_id}/{PACK}?quarter={Q}").data == first.data
    assert len(builds) == 1  # another tenant's write: still kept

    ledger.record_capital_call(s.world.gp, s.world.fund.id, value_on="2023-06-20",
                               amount="2000000", purpose="investment")  # in a sub-fund
    settle()
    renewed = gp.client.get(f"/funds/{parent_id}/{PACK}?quarter={Q}")
    assert renewed.status_code == 200 and len(builds) == 2 and renewed.data != first.data


def test_a_slow_file_is_rebuilt_in_the_background(app: Flask, builds: list[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    guidance, parent_id, s = parent_setup(app)
    gp = manager(app, guidance)
    url = f"/funds/{parent_id}/{PACK}?quarter={Q}"
    first = gp.client.get(url)
    assert first.status_code == 200
    settle()
    monkeypatch.setitem(app.config, "REPORT_FILE_BACKGROUND_MS", 0)  # every build is slow

    ledger.record_capital_call(s.world.gp, s.world.fund.id, value_on="2023-06-20",
                               amount="2000000", purpose="investment")
    db.session.rollback()
    building = gp.client.get(url)
    assert building.status_code == 202
    page = building.get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and 'id="file-preparing"' in page
    assert "合并季度报告" in page or "consolidated quarterly pack" in page
    settle()
    assert len(builds) == 2  # the background build
    ready = gp.client.get(url)
    assert ready.status_code == 200 and ready.data != first.data
    book = openpyxl.load_workbook(io.BytesIO(ready.data))
    assert "子基金投资明细" in book.sheetnames and sheet_rows(book, "子基金")
    assert len(builds) == 2

    # while a build is under way, reloads (any process) start no other one
    monkeypatch.setattr(files, "run_in_background", lambda *a, **k: None)
    ledger.record_capital_call(s.world.gp, s.world.fund.id, value_on="2023-06-21",
                               amount="1000000", purpose="investment")
    settle()
    assert gp.client.get(url).status_code == 202
    settle()
    assert gp.client.get(url).status_code == 202
    assert len(builds) == 2


def test_a_background_builds_refusal_reaches_the_next_reload(
        app: Flask, builds: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    guidance, parent_id, s = parent_setup(app)
    gp = manager(app, guidance)
    url = f"/funds/{parent_id}/{PACK}?quarter={Q}"
    assert gp.client.get(url).status_code == 200
    settle()
    monkeypatch.setitem(app.config, "REPORT_FILE_BACKGROUND_MS", 0)

    def refuse(*_args: object, **_kwargs: object) -> object:
        raise ValidationError("quarter", "report_before_inception", quarter=Q,
                              inception="2019-06-01")

    monkeypatch.setattr(files, "quarterly_report", refuse)
    ledger.record_capital_call(s.world.gp, s.world.fund.id, value_on="2023-06-20",
                               amount="2000000", purpose="investment")
    settle()
    assert gp.client.get(url).status_code == 202
    settle()
    refused = gp.client.get(url)
    assert refused.status_code == 422


def test_a_large_pack_never_built_is_built_in_the_background(
        app: Flask, builds: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    guidance, parent_id, _s = parent_setup(app)
    gp = manager(app, guidance)
    monkeypatch.setitem(app.config, "REPORT_FILE_BACKGROUND_FUNDS", 1)  # parent + 1 sub-fund
    fund_file = gp.client.get(f"/funds/{parent_id}/reports/quarterly.xlsx?quarter={Q}")
    assert fund_file.status_code == 200  # the parent's own report: not a pack over funds
    url = f"/funds/{parent_id}/{PACK}?quarter={Q}"
    building = gp.client.get(url)
    assert building.status_code == 202
    page = building.get_data(as_text=True)
    assert "上次" not in page and "last time" not in page  # nothing to say how long
    settle()
    ready = gp.client.get(url)
    assert ready.status_code == 200 and ready.data.startswith(b"PK")
    assert len(builds) == 2
