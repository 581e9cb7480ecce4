"""The type checker runs inside the suite.

``ruff`` and ``mypy`` with the configuration in ``pyproject.toml`` (every ``--strict`` flag on
``fundops.calc``, ``fundops.money`` and ``fundops.uow``; an annotated, body-checked
baseline everywhere else) must report no error in ``fundops``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from mypy import api

ROOT = Path(__file__).resolve().parents[2]


STRICT_MODULES = ("fundops.calc.*", "fundops.money", "fundops.uow")
# The per-module flags that --strict turns on (warn_redundant_casts and warn_unused_configs
# are global-only; both are set globally).
STRICT_FLAGS = (
    "disallow_any_generics", "disallow_subclassing_any", "disallow_untyped_calls",
    "disallow_untyped_defs", "disallow_incomplete_defs", "check_untyped_defs",
    "disallow_untyped_decorators", "warn_unused_ignores", "warn_return_any",
    "no_implicit_reexport", "strict_equality", "extra_checks",
)

_ERROR = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+): error: (?P<message>.*)$", re.M)


@pytest.fixture(scope="module")
def mypy_errors() -> list[tuple[str, str]]:
    """(path, "path:line: error: message  [code]") for every error mypy reports."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)  # the configuration's `files` and the reported paths are relative
        stdout, stderr, status = api.run(["--config-file", "pyproject.toml"])
    assert status in (0, 1), f"mypy did not run (exit {status}):\n{stderr}{stdout}"
    return [(m["path"], m.group(0)) for m in _ERROR.finditer(stdout)]


def test_mypy_reports_no_error(mypy_errors: list[tuple[str, str]]) -> None:
    errors = [line for _path, line in mypy_errors]
    assert errors == [], f"{len(errors)} mypy error(s):\n" + "\n".join(errors)


def test_calc_money_and_uow_are_checked_strictly() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    for module in STRICT_MODULES:
        flags = dict(config)
        for override in config.get("overrides", []):
            names = override["module"]
            if module in ([names] if isinstance(names, str) else names):
                flags |= override
        missing = [flag for flag in STRICT_FLAGS if flags.get(flag) is not True]
        assert missing == [], f"{module} is not checked with {missing}"
    assert config.get("warn_redundant_casts") is True
    assert config.get("warn_unused_configs") is True


def test_ruff_reports_no_finding() -> None:
    """The rule selection of pyproject.toml ([tool.ruff.lint]) over the package and tests."""
    ruff = Path(sys.executable).with_name("ruff")
    done = subprocess.run([str(ruff), "check", "--no-cache", "--output-format", "concise",
                           "fundops", "tests", "benchmarks"], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr
