"""Forms of the notices pages: issuing an entry's notices and setting the fund's
receiving account."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length, Optional

from fundops.web.formtokens import TokenForm


class IssueNoticesForm(TokenForm):
    issued_on = DateField(_l("Notice date (blank: today)"), [Optional()])
    due_on = DateField(_l("Due date (calls; blank: the call's, else from the payment terms)"),
                       [Optional()])


class AccountForm(TokenForm):
    effective_on = DateField(_l("Effective from"), [DataRequired()])
    bank_name = StringField(_l("Bank"), [DataRequired(), Length(max=200)])
    branch = StringField(_l("Branch (optional)"), [Optional(), Length(max=200)])
    account_name = StringField(_l("Account name"), [DataRequired(), Length(max=200)])
    account_number = StringField(_l("Account number"), [DataRequired(), Length(max=40)])
