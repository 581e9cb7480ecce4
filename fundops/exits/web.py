"""The ``exits`` blueprint of the exit pages.

The routes are in the view modules (``ipo_views.py``: listings, sales, in-kind
distributions, marks, prices); each imports ``bp`` from here and
:func:`fundops.exits.register` imports them before registering the blueprint, so no view
module imports its importer. Views are thin: form -> one service call -> flash and
redirect. A service's ``ValidationError`` lands on the field it names (422), a
``ConflictError`` is shown as the refusal's reason (409); nothing is written on failure.
Objects outside the caller's reach are 404.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("exits", __name__)
