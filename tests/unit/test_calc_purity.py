"""The calculation package stays pure: no web, database or application imports in it."""

from __future__ import annotations

import ast
from pathlib import Path

import fundops.calc

ALLOWED_FUNDOPS = ("fundops.calc", "fundops.errors", "fundops.money",
                   "fundops.messages")  # pure helpers (messages: code → English template)
FORBIDDEN_ROOTS = {"flask", "flask_babel", "flask_login", "flask_wtf", "sqlalchemy", "werkzeug",
                   "psycopg", "wtforms", "apscheduler"}


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_calc_modules_import_only_pure_code() -> None:
    package = Path(fundops.calc.__file__).parent
    files = [*sorted(package.glob("*.py")), package.parent / "errors.py", package.parent / "money.py"]
    assert any(f.name == "returns.py" for f in files)
    bad = [
        f"{f.name}: {name}" for f in files for name in _imports(f)
        if name.split(".")[0] in FORBIDDEN_ROOTS
        or (name.split(".")[0] == "fundops" and not name.startswith(ALLOWED_FUNDOPS))
    ]
    assert bad == []
