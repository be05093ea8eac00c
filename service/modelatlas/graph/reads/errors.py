"""Why a read cannot be answered: a bad argument, or nothing to answer about.

Both are families of modelatlas.errors: InvalidArgument is the read layer's InvalidInput, and a
missing entity is the one NotFound (re-exported here for the read modules).
"""

from __future__ import annotations

from modelatlas.errors import InvalidInput, NotFound

__all__ = ["InvalidArgument", "NotFound"]


class InvalidArgument(InvalidInput):
    """An argument is out of range or malformed (a page size over 100, a foreign cursor); its
    `argument` names it as the read function spells it (``within_days``, ``order``), and
    api/errors.py turns it into the GraphQL code and argument name a client sees."""
