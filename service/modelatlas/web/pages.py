"""The explorer's routes: each page is a real URL rendered on the server from views.py.

Pages are plain HTML (readable without JavaScript); scripts only add type-ahead and the
graph drawing. Every failure is a page of its own: 400 for input that cannot name anything,
404 for what is not in the graph, 503 when Neo4j does not answer; never a 500 for input.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any, Final

import orjson
from fastapi import APIRouter, Request
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse, Response

from modelatlas.api.auth import KeyRing
from modelatlas.domain import ClaimVerdict
from modelatlas.graph import Graph
from modelatlas.graph.core import UNAVAILABLE, DeadlineExceeded
from modelatlas.graph.reads import (
    InvalidArgument,
    NotFound,
)
from modelatlas.knowledge import KnowledgeGraph
from modelatlas.web import charts, views
from modelatlas.web.entities import (
    BadRequest,
    Entity,
    check_key,
    entity,
    graph_url,
    kind_of,
)
from modelatlas.web.headers import secure_headers
from modelatlas.web.review import review_router

MAX_QUERY_STRING: Final = 2048
"""Longer query strings are refused with 400: no page takes more than a few short fields."""

HOME: Final = "explorer-home"


def templates(directory: Any) -> Environment:
    """The page templates, autoescaped, failing loudly on a missing variable."""
    env = Environment(
        loader=FileSystemLoader(directory),
        autoescape=select_autoescape(("html",)),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pretty_json"] = lambda text: orjson.dumps(
        orjson.loads(text), option=orjson.OPT_INDENT_2
    ).decode()
    env.globals.update(
        entity=entity,
        graph_url=graph_url,
        measured_by=views.MEASURED_BY,
    )
    return env


def _date(value: str | None, what: str) -> dt.date | None:
    if value is None or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise BadRequest(f"The {what} {value[:20]!r} is not a date (YYYY-MM-DD).") from None


def _text(value: str | None, what: str) -> str | None:
    if value is None or not value.strip():
        return None
    return check_key(value, what)


def _verdict(value: str | None) -> ClaimVerdict | None:
    if value is None or value in ("", "ANY"):
        return None
    try:
        return ClaimVerdict(value.upper())
    except ValueError:
        raise BadRequest(
            f"The verdict {value[:20]!r} is not one of {', '.join(views.VERDICTS)}."
        ) from None


def _ref(value: str | None, what: str) -> tuple[str, str]:
    """A "kind:key" reference's kind (graph spelling) and key."""
    ref = check_key(value or "", what)
    kind, sep, key = ref.partition(":")
    if not sep:
        raise BadRequest(f"The {what} must be kind:key, e.g. model:gpt-4o.")
    return kind_of(kind), check_key(key, what)


def error_page(
    env: Environment,
    request: Request,
    code: int,
    title: str,
    detail: str,
    *,
    graphiql: str | None,
) -> Response:
    """The page for a failure (400, 404, 503...), linking back to the explorer's home."""
    return _render(env, request, "error.html", code, graphiql, title=title, detail=detail)


def _render(
    env: Environment,
    request: Request,
    name: str,
    code: int,
    graphiql: str | None,
    **context: Any,
) -> Response:
    root = request.url_for(HOME).path
    html = env.get_template(name).render(root=root, graphiql=graphiql, status=code, **context)
    return secure_headers(HTMLResponse(html, status_code=code))


def explorer_pages(
    graph: Graph, env: Environment, *, graphiql: str | None, keys: KeyRing
) -> APIRouter:
    """The page routes over one graph (see web.explorer_router for the mountable whole);
    `graphiql` is the GraphiQL page's URL the navigation links to (None: no link); `keys` are
    the API keys the review page accepts (editor role)."""
    kg = KnowledgeGraph(graph)
    router = APIRouter()

    def render(request: Request, name: str, code: int = 200, **context: Any) -> Response:
        return _render(env, request, name, code, graphiql, **context)

    def failure(request: Request, code: int, title: str, detail: str) -> Response:
        return error_page(env, request, code, title, detail, graphiql=graphiql)

    async def answer(request: Request, build: Callable[[], Awaitable[Response]]) -> Response:
        """Run a page's reads; turn each kind of failure into its page."""
        if len(request.url.query) > MAX_QUERY_STRING:
            return failure(request, 400, "Bad request", "The query string is too long.")
        try:
            return await build()
        except (BadRequest, InvalidArgument) as exc:
            return failure(request, 400, "Bad request", str(exc))
        except NotFound as exc:
            return failure(request, 404, "Not found", str(exc))
        except (*UNAVAILABLE, DeadlineExceeded, OSError):
            return failure(
                request,
                503,
                "The database is not answering",
                "The graph could not be read just now. Try again in a moment.",
            )

    @router.get("/", name=HOME, response_class=HTMLResponse)
    async def home(request: Request) -> Response:
        """The home page: search, and where to start."""

        async def build() -> Response:
            return render(request, "home.html", q="")

        return await answer(request, build)

    @router.get("/search", response_class=HTMLResponse)
    async def search(request: Request, q: str | None = None) -> Response:
        """Search results over names and aliases; one exact hit goes straight to its page."""

        async def build() -> Response:
            text = _text(q, "search text")
            hits = [] if text is None else await kg.search(text, first=50)
            return render(request, "search.html", q=text or "", hits=hits)

        return await answer(request, build)

    @router.get("/suggest")
    async def suggest(request: Request, q: str | None = None) -> Response:
        """Type-ahead: the best few matches as JSON (what the search box's script shows)."""

        async def build() -> Response:
            text = _text(q, "search text")
            hits = [] if text is None else await kg.search(text, first=8)
            rows = [_entity_json(entity(h.node)) | {"kind": h.kind.value} for h in hits]
            return secure_headers(Response(orjson.dumps(rows), media_type="application/json"))

        return await answer(request, build)

    @router.get("/models/{slug}", response_class=HTMLResponse)
    async def model(request: Request, slug: str) -> Response:
        """A model with its facts, lineage, variants, releases, claims and results."""

        async def build() -> Response:
            view = await views.model_view(kg, check_key(slug, "model"))
            bars = [
                charts.Bar(s.benchmark.name, _score(s.self_reported), _score(s.independent))
                for s in view.scores
                if s.self_reported is not None or s.independent is not None
            ][:40]
            chart = charts.score_bars(
                bars, title=f"{view.model.name}: self-reported vs independent scores"
            )
            return render(request, "model.html", view=view, chart=chart)

        return await answer(request, build)

    @router.get("/organizations/{slug}", response_class=HTMLResponse)
    async def organization(request: Request, slug: str) -> Response:
        """An organization with its country, models and a timeline."""

        async def build() -> Response:
            view = await views.organization_view(kg, check_key(slug, "organization"))
            return render(request, "organization.html", view=view)

        return await answer(request, build)

    @router.get("/benchmarks/{slug}", response_class=HTMLResponse)
    async def benchmark(request: Request, slug: str, as_of: str | None = None) -> Response:
        """A benchmark's leaderboard as of a date, and its best score over time."""

        async def build() -> Response:
            day = _date(as_of, "date")
            view = await views.benchmark_view(kg, check_key(slug, "benchmark"), day)
            points = [charts.Point(p.date, p.result.score, p.model.name) for p in view.history]
            chart = charts.step_line(points, title=f"Best score on {view.benchmark.name}")
            return render(request, "benchmark.html", view=view, chart=chart)

        return await answer(request, build)

    @router.get("/claims", response_class=HTMLResponse)
    async def claims(
        request: Request,
        verdict: str | None = "CONTESTED",
        benchmark: str | None = None,
        claimant: str | None = None,
        after: str | None = None,
    ) -> Response:
        """Claims vs measurements: claims with the independent scores that weigh them."""

        async def build() -> Response:
            chosen = _verdict(verdict)
            view = await views.claims_view(
                kg,
                verdict=chosen,
                benchmark=_text(benchmark, "benchmark"),
                claimant=_text(claimant, "claimant"),
                after=_text(after, "cursor"),
            )
            return render(
                request,
                "claims.html",
                view=view,
                verdicts=views.VERDICTS,
                chosen=chosen.value if chosen else "ANY",
                benchmark=benchmark or "",
                claimant=claimant or "",
            )

        return await answer(request, build)

    @router.get("/claims/{id}", response_class=HTMLResponse)
    async def claim(request: Request, id: str) -> Response:
        """A claim: statement, claimant, sources, independent evidence and verdict."""

        async def build() -> Response:
            view = await views.claim_view(kg, check_key(id, "claim id"))
            return render(request, "claim.html", view=view)

        return await answer(request, build)

    @router.get("/graph", response_class=HTMLResponse)
    async def neighbourhood(request: Request, node: str | None = None) -> Response:
        """An entity and its neighbours, drawn (and listed for readers without script)."""

        async def build() -> Response:
            if node is None or not node.strip():
                return render(request, "graph.html", hood=None, node="")
            kind, key = _ref(node, "node")
            hood = await views.neighbourhood(kg, kind, key)
            return render(request, "graph.html", hood=hood, node=hood.centre.ref)

        return await answer(request, build)

    @router.get("/graph.json")
    async def neighbourhood_json(request: Request, node: str | None = None) -> Response:
        """An entity's neighbourhood as nodes and edges, for the drawing to expand."""

        async def build() -> Response:
            kind, key = _ref(node, "node")
            hood = await views.neighbourhood(kg, kind, key)
            body = orjson.dumps(hood.elements())
            return secure_headers(Response(body, media_type="application/json"))

        return await answer(request, build)

    @router.get("/path", response_class=HTMLResponse)
    async def path(
        request: Request, source: str | None = None, target: str | None = None
    ) -> Response:
        """How two entities connect: a shortest path, listed and drawn."""

        async def build() -> Response:
            a, b = _text(source, "start"), _text(target, "end")
            found = None if a is None or b is None else await views.path_view(kg, a, b)
            return render(
                request,
                "path.html",
                source=a or "",
                target=b or "",
                asked=a is not None and b is not None,
                found=found,
                elements=None if found is None else orjson.dumps(found.elements()).decode(),
            )

        return await answer(request, build)

    router.include_router(review_router(graph, keys, render, answer))
    return router


def _score(result: Any) -> float | None:
    return None if result is None else float(result.score)


def _entity_json(e: Entity) -> dict[str, str]:
    return {"key": e.key, "label": e.label, "url": e.url}
