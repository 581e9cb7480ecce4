"""Pure finance calculations: exact Decimal arithmetic with no Flask or SQLAlchemy imports.

The XIRR entry points are re-exported here (``fundops.calc.xirr(dates, amounts)``);
everything else is imported from its module.
"""

from __future__ import annotations

from fundops.calc.returns import XirrResult, xirr, xirr_detail, xirr_flat, xirr_many, xirr_roots

__all__ = ["XirrResult", "xirr", "xirr_detail", "xirr_flat", "xirr_many", "xirr_roots"]
