"""Pure finance calculations: exact Decimal arithmetic with no Flask or SQLAlchemy imports."""

from __future__ import annotations
