"""The business date: today in the business timezone (config ``BUSINESS_TIMEZONE``,
default Asia/Shanghai). Every "not after today" check and every default as-of date
uses it, so a date means the same in pages, the API, jobs and services."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Asia/Shanghai"


def business_today() -> date:
    """Today's date in the business timezone (the app's setting inside an app context)."""
    name = (current_app.config.get("BUSINESS_TIMEZONE", DEFAULT_TIMEZONE)
            if has_app_context() else DEFAULT_TIMEZONE)
    return datetime.now(ZoneInfo(str(name))).date()
