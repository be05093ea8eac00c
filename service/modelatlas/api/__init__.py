"""The HTTP face of Model Atlas: an app factory and a mountable GraphQL router.

Both are imported on first use, so the explorer (modelatlas.web, which the app includes) can
use the API's own modules, such as its key checks, without an import cycle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from modelatlas.api.app import create_app, graphql_router

__all__ = ["create_app", "graphql_router"]


def __getattr__(name: str) -> Any:
    """create_app and graphql_router, from modelatlas.api.app when first asked for."""
    if name in __all__:
        from modelatlas.api import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
