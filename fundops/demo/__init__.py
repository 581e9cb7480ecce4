"""Illustrative demo portfolio (fictional names, realistic structure and amounts).

A high-tech-zone fund family (4 parent funds, 18 sub-funds, an M&A fund, a direct
vehicle), a provincial 100亿 parent fund with its first 12 sub-funds, and an eye-health
industry fund in which the government side holds 49 %, with 2019–2025 calls,
investments, valuations, exits, distributions and one reversed call. Everything is
written through the services, so it is validated and audited like user input.
"""

from __future__ import annotations

from fundops.demo.catalogue import DEMO_PASSWORD, USERS

DEMO_USERS: list[tuple[str, str]] = [(email, what) for email, _, _, _, what in USERS]


def load_demo() -> str:
    """Load the demo portfolio into the current database; returns a one-line summary."""
    from fundops.demo.loader import Loader

    return Loader().run()


__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "load_demo"]
