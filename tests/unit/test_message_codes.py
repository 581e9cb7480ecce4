"""Every refusal raised in fundops names a registered message code, and every message
template has its Chinese translation."""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

import fundops
from fundops.errors import ValidationError
from fundops.messages import MESSAGES

ERRORS = {"DomainError", "ValidationError", "NotFound", "Forbidden", "ConflictError", "refusal"}
# Where the scan looks: the whole package.
EXCLUDED: tuple[str, ...] = ()
# Functions that raise with a code held in a variable; each one's callers pass registered
# codes (checked by the tests named beside them).
INDIRECT = {
    ("portfolio/services.py", "_insert_unique"),  # test_ledger_races (fund_exists …)
    ("web/request_guard.py", "_check_text"),  # "text_nul" / "text_surrogate", test_hostile_input
    # the API's field refusals: codes of the field types, test_syndication_api
    ("api/fields.py", "refusal"), ("api/fields.py", "_known"),
    ("api/fields.py", "_whole_or_nothing"),  # re-raises the parts' own coded refusals
    # syndication: checked in tests/web/test_syndication_messages.py (INDIRECT there)
    ("syndication/api_support.py", "usable"), ("syndication/pools/services.py", "create_pool"),
    ("syndication/loans/services.py", "approve_loan"),
    ("syndication/loans/services.py", "disburse"),
    ("syndication/loans/services.py", "check_loan"),  # str() of a refusals.py reason
}
# Templates whose Chinese is the same text (none so far; e.g. a bare placeholder).
SAME_IN_CHINESE: set[str] = set()

PACKAGE = Path(fundops.__file__).parent
CATALOG = PACKAGE / "translations" / "zh_Hans_CN" / "LC_MESSAGES"


def _scanned_files() -> list[Path]:
    # errors.py defines the classes (it rebuilds a pickled error from its stored code).
    return [p for p in sorted(PACKAGE.rglob("*.py"))
            if p.relative_to(PACKAGE).parts[0] not in EXCLUDED and p.name != "errors.py"]


def _message_arg(call: ast.Call, name: str) -> ast.expr | None:
    """The code argument: the 2nd of ``ValidationError(field, code)``, else the 1st."""
    position = 1 if name == "ValidationError" else 0
    if len(call.args) > position:
        return call.args[position]
    for keyword in call.keywords:
        if keyword.arg == "message":
            return keyword.value
    return None


def unregistered_raises(files: list[Path]) -> list[str]:
    """``path:line`` of each error built with a message that is not a registered code
    (free text, an f-string, a translated string …). A bare ``NotFound()`` is fine."""
    bad = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        relative = path.relative_to(PACKAGE).as_posix() if path.is_relative_to(PACKAGE) else ""
        skipped = {id(inner) for fn in ast.walk(tree)
                   if isinstance(fn, ast.FunctionDef) and (relative, fn.name) in INDIRECT
                   for inner in ast.walk(fn)}
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else (
                func.attr if isinstance(func, ast.Attribute) else None)
            if name not in ERRORS:
                continue
            arg = _message_arg(node, name)
            if arg is None and name != "ValidationError":
                continue
            ok = (
                isinstance(arg, ast.Constant)
                and isinstance(arg.value, str)
                and arg.value in MESSAGES
            )
            if not ok:
                shown = path.relative_to(PACKAGE.parent) if path.is_relative_to(PACKAGE) else path
                bad.append(f"{shown}:{node.lineno}")
    return bad


def test_every_raised_error_names_a_registered_code() -> None:
    files = _scanned_files()
    assert any(p.name == "ledger_services.py" for p in files)
    assert unregistered_raises(files) == []


def test_the_scan_catches_free_text(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "raise ValidationError('amount', f'{x} is too big')\n"
        "raise ConflictError('taken')\n"
        "raise NotFound()\n"
        "raise errors.Forbidden('role_read_only')\n"
        "raise ValidationError('amount', 'required')\n", encoding="utf-8")
    found = [line.rsplit(":", 1)[1] for line in unregistered_raises([sample])]
    assert found == ["1", "2"]


def test_str_of_an_error_is_the_english_template_filled_in() -> None:
    exc = ValidationError("amount", "amount_too_large", limit="1,000")
    assert str(exc) == "amount: must not exceed 1,000 in absolute value"


def _translations() -> Translations:
    po, mo = CATALOG / "messages.po", CATALOG / "messages.mo"
    if not mo.exists() or os.path.getmtime(mo) < os.path.getmtime(po):
        with open(po, "rb") as src:
            catalog = read_po(src)
        with open(mo, "wb") as out:
            write_mo(out, catalog)
    with open(mo, "rb") as handle:
        return Translations(handle)


def test_every_message_template_has_a_chinese_translation() -> None:
    translations = _translations()
    missing = [code for code, template in MESSAGES.items()
               if translations.ugettext(template) == template and template not in SAME_IN_CHINESE]
    assert missing == []


def test_chinese_templates_keep_their_placeholders() -> None:
    translations = _translations()
    placeholder = re.compile(r"%\([a-z_]+\)s|%%")
    wrong = [code for code, template in MESSAGES.items()
             if sorted(placeholder.findall(translations.ugettext(template)))
             != sorted(placeholder.findall(template))]
    assert wrong == []


def test_the_catalogue_has_no_duplicate_msgid() -> None:
    text = (CATALOG / "messages.po").read_text(encoding="utf-8")
    ids = re.findall(r'^msgid (".*")$', text, flags=re.M)
    duplicates = sorted({i for i in ids if ids.count(i) > 1} - {'""'})
    assert duplicates == []


def test_import_problems_carry_codes_and_show_translated() -> None:
    from fundops.exchange.problems import ImportFailed, Problems
    from fundops.money import Money
    from tests.conftest import make_app

    problems = Problems(("fund", "cash_flow"))
    problems.row("cash_flow", 7, "amount", "must not be zero", "amount_zero")
    problems.row("cash_flow", 8, "amount", "x", "call_exceeds_uncalled",
                 {"amount": Money("500000000", "CNY"), "available": Money("1000", "CNY")})
    problems.sheet("fund", "unknown record type")
    try:
        problems.raise_if_any()
    except ImportFailed as exc:
        failed = exc
    assert [p.code for p in failed.details] == ["", "amount_zero", "call_exceeds_uncalled"]
    assert failed.problems[1] == "sheet 'cash_flow', row 7, field 'amount': must not be zero"
    _translations()  # the compiled catalogue
    app = make_app("sqlite://")
    with app.test_request_context("/"):
        shown = [p.localised() for p in failed.details]
    assert shown[1] == "sheet 'cash_flow', row 7, field 'amount': 不能为零"
    assert "50,000.00 万元" in shown[2] and "超过出资人未缴资本合计" in shown[2]
