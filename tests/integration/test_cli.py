"""The ``fundops`` commands: schema creation, users and API tokens."""

from __future__ import annotations

import sqlalchemy as sa
from werkzeug.security import check_password_hash

from fundops.extensions import db
from fundops.models import ApiToken, User
from tests.conftest import make_app


def test_init_db_then_create_user_and_token(empty_db_url: str) -> None:
    app = make_app(empty_db_url)
    runner = app.test_cli_runner()
    with app.app_context():
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
        assert "latest migration" in result.output
        assert "cash_flow" in sa.inspect(db.engine).get_table_names()
        result = runner.invoke(args=["create-user", "--email", "Ops@Example.cn", "--name", "运营",
                                     "--organisation", "某引导基金管理公司",
                                     "--kind", "guidance_fund_manager", "--role", "admin",
                                     "--password", "s3cret-pass"])
        assert result.exit_code == 0, result.output
        user = db.session.scalar(sa.select(User).where(User.email == "ops@example.cn"))
        assert user is not None and user.organisation.kind.value == "guidance_fund_manager"
        assert check_password_hash(user.password_hash, "s3cret-pass")
        assert "s3cret-pass" not in user.password_hash
        bad = runner.invoke(args=["create-user", "--email", "x@example.cn", "--name", "x",
                                  "--organisation", "o", "--role", "superuser", "--password",
                                  "long-enough"])
        assert bad.exit_code != 0 and "role" in str(bad.exception or bad.output)
        result = runner.invoke(args=["create-token", "--email", "ops@example.cn"])
        assert result.exit_code == 0, result.output
        token = result.output.strip()
        stored = db.session.scalar(sa.select(ApiToken))
        assert stored is not None and token not in stored.token_sha256 and len(token) > 30
        db.session.remove()
        db.engine.dispose()
