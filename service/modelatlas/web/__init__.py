"""The web explorer: read-only HTML pages over the Python API, and its static files."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from starlette.staticfiles import StaticFiles

from modelatlas.config import Settings
from modelatlas.graph import Graph
from modelatlas.web.pages import explorer_pages

STATIC_DIR = Path(__file__).parent / "static"
TEMPLATES_DIR = Path(__file__).parent / "templates"


def explorer_router(graph: Graph, *, settings: Settings | None = None) -> APIRouter:
    """The explorer's pages bound to one graph; mount it in any FastAPI app at any path."""
    settings = settings or Settings()
    router = explorer_pages(
        graph, TEMPLATES_DIR, graphiql=settings.graphiql and not settings.is_production
    )
    router.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return router
