"""The gettext no-op marker used by the message catalogues."""

from __future__ import annotations


def N_(text: str) -> str:  # the conventional name of the gettext no-op marker
    """Mark ``text`` for translation without translating it (extracted by pybabel)."""
    return text
