"""Flask extensions, created uninitialised to avoid import cycles.

Models subclass :data:`Model` (which is ``db.Model``) rather than ``db.Model`` itself:
a type checker cannot follow a base class held in an attribute, so under
``TYPE_CHECKING`` :data:`Model` is spelt as the class ``db.Model`` is at run time, the
declarative :class:`~fundops.db.Base` with Flask-SQLAlchemy's model mixin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from fundops.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()

if TYPE_CHECKING:
    from flask_sqlalchemy.model import Model as _FlaskModel

    class Model(_FlaskModel, Base):
        """Base of every fundops model (``db.Model``)."""

else:
    Model = db.Model
