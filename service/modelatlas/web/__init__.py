"""The web explorer: read-only HTML pages over the Python API, and its static files."""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, FastAPI, Request
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from modelatlas.api.auth import KeyRing
from modelatlas.config import Settings
from modelatlas.graph import Graph
from modelatlas.web.assets import STATIC_DIR, TEMPLATES_DIR
from modelatlas.web.headers import StaticAssets
from modelatlas.web.pages import error_page, explorer_pages, templates

TEMPLATES: Final = templates(TEMPLATES_DIR)


def explorer_router(
    graph: Graph, *, settings: Settings | None = None, graphql_url: str | None = "/graphql"
) -> APIRouter:
    """The explorer's pages bound to one graph; mount it in any FastAPI app at any path.

    `graphql_url` is where the navigation's GraphiQL link points (where you mounted
    `graphql_router`; None for no link); there is no link in production, where GraphiQL is off.
    """
    settings = settings or Settings()
    ide = settings.graphiql and not settings.is_production
    router = explorer_pages(
        graph,
        TEMPLATES,
        graphiql=graphql_url if ide else None,
        keys=KeyRing.from_settings(settings),
    )
    router.mount("/static", StaticAssets(directory=STATIC_DIR), name="static")
    return router


def html_not_found(app: FastAPI) -> None:
    """Answer unknown paths with the explorer's 404 page when a browser asks (JSON otherwise),
    in an app that includes the explorer at its root."""

    async def handler(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 404
        detail = exc.detail if isinstance(exc, HTTPException) else "Not Found"
        if status == 404 and "text/html" in request.headers.get("accept", ""):
            return error_page(
                TEMPLATES, request, 404, "Not found", "No page has this address.", graphiql=None
            )
        return JSONResponse({"detail": detail}, status_code=status)

    app.add_exception_handler(404, handler)


__all__ = ["STATIC_DIR", "TEMPLATES_DIR", "explorer_router", "html_not_found"]
