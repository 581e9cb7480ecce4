"""Token-authenticated JSON of the investment-linked lending feature, on the ``api``
blueprint (/api/v1)."""

from __future__ import annotations
