"""TEMPORARY shim: :func:`submit_json` moved to :mod:`fundops.approvals.api`. Only
``fundops/syndication/api.py`` (being ported by another branch) still imports it from
here; delete this module when that import is gone."""

from __future__ import annotations

from fundops.approvals.api import submit_json

__all__ = ["submit_json"]
