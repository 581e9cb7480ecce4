"""Translated names of service input fields, for errors shown at the top of a form."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from fundops.errors import ValidationError

# Service field name -> its label on the pages (never the internal name itself).
FIELD_LABELS: dict[str, Any] = {
    "allocation": _l("Allocation"),
    "amount": _l("Amount"),
    "as_of": _l("Valuation date"),
    "closing": _l("Closing"),
    "code": _l("Fund code"),
    "company_id": _l("Company"),
    "currency": _l("Currency"),
    "effective_on": _l("Effective date"),
    "entry_id": _l("Ledger entry"),
    "fund_id": _l("Fund"),
    "fund_registration_no": _l("…or LP fund's registration no."),
    "investor_id": _l("Investor"),
    "kind": _l("Kind"),
    "name": _l("Name"),
    "ownership_rate": _l("Ownership"),
    "reason": _l("Reason"),
    "region_code": _l("Region code"),
    "registration_no": _l("Registration no. (AMAC)"),
    "source_ref": _l("Reference"),
    "stage": _l("Stage"),
    "tags": _l("Tags"),
    "target_fund_id": _l("Sub-fund"),
    "uscc": _l("Unified social credit code"),
    "value_on": _l("Value date"),
}


def field_label(field: str) -> str | None:
    """The page label of a service field: ``allocation[<LP name>]`` names the LP."""
    if field.startswith("allocation[") and field.endswith("]"):
        return field[len("allocation["):-1]
    label = FIELD_LABELS.get(field)
    return None if label is None else str(label)


def labelled_error(exc: ValidationError) -> str:
    """``"<label>: <translated message>"``, or just the message for an unknown field."""
    from flask_babel import gettext

    from fundops.i18n import localise

    label = field_label(exc.field)
    message = localise(exc)
    return message if label is None else gettext("%(field)s: %(message)s", field=label,
                                                 message=message)
