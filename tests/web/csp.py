"""Collect a Chromium page's console errors (CSP violations are reported there)."""

from __future__ import annotations

import re

from playwright.sync_api import ConsoleMessage, Page

# A page answered 4xx on purpose (a refused form) is logged too; that is not a fault.
_EXPECTED = re.compile(r"Failed to load resource: the server responded with a status of 4\d\d")


def console_errors(page: Page) -> list[str]:
    """A list that fills with every console error and uncaught script error of ``page``
    (e.g. "Refused to apply inline style because it violates the following Content
    Security Policy directive ..."), except the log line of a deliberate 4xx answer."""
    errors: list[str] = []

    def seen(msg: ConsoleMessage) -> None:
        if msg.type == "error" and not _EXPECTED.search(msg.text):
            errors.append(msg.text)

    page.on("console", seen)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors
