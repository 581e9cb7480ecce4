"""Illustrative demo portfolio (fictional names); a fuller dataset replaces this soon."""

from __future__ import annotations

from fundops.auth.accounts import create_user
from fundops.portfolio import services
from fundops.uow import Actor

DEMO_PASSWORD = "fundops-demo"
DEMO_USERS = [("gp@demo.fundops.cn", "GP")]


def load_demo() -> str:
    user = create_user(email="gp@demo.fundops.cn", display_name="演示用户", organisation_name="示例创投管理有限公司",
                       organisation_kind="gp", role="admin", password=DEMO_PASSWORD)
    actor = Actor(user.id, user.organisation_id, user.role.value)
    services.create_fund(actor, services.FundInput(
        code="DEMO-1", name_zh="示例科创子基金", kind="sub_fund", currency="CNY", vintage=2021,
        target_size_amount="500000000", inception_on="2021-01-01",
        investment_period_end_on="2025-12-31", term_end_on="2028-12-31", region_code="440300"))
    return "1 fund"
