"""The explorer's review page: drafts from ingested articles, accepted or rejected by an editor.

Drafts are not facts, so the page needs the editor key, typed into a password field and sent
in the body of POST forms (a URL would leave it in logs and history); answers are never cached.
Decisions go through ingest.drafts.decide, the same transaction the reviewDraft mutation uses.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from starlette.responses import Response

from modelatlas.api.auth import KeyRing, Role
from modelatlas.graph import Graph
from modelatlas.graph.drafts import list_drafts
from modelatlas.ingest.drafts import DraftError, DraftNotFound, decide
from modelatlas.web.entities import BadRequest, check_key

MAX_FORM_BYTES: Final = 4096
STATUSES: Final = ("PENDING", "ACCEPTED", "REJECTED")
SHOWN: Final = 200
"""Drafts one review page lists (oldest first)."""

Render = Callable[..., Response]


async def _form(request: Request) -> dict[str, str]:
    """The urlencoded form's fields (first value of each); BadRequest when it is too big."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise BadRequest("The form is too large.")
    try:
        fields = parse_qs(body.decode("utf-8"), max_num_fields=10)
    except (UnicodeDecodeError, ValueError):
        raise BadRequest("The form could not be read.") from None
    return {name: values[0] for name, values in fields.items()}


def review_router(
    graph: Graph,
    keys: KeyRing,
    render: Render,
    answer: Callable[[Request, Callable[[], Awaitable[Response]]], Awaitable[Response]],
) -> APIRouter:
    """GET /review (the key form), POST /review (the drafts), POST /review/{id} (a decision)."""
    router = APIRouter()

    def page(request: Request, code: int = 200, **context: object) -> Response:
        response = render(request, "review.html", code, statuses=STATUSES, **context)
        response.headers["Cache-Control"] = "no-store"
        return response

    def refused(request: Request, form: dict[str, str]) -> Response | None:
        principal = keys.authenticate("Bearer " + form.get("key", "").strip())
        if principal.role is not None and principal.role.allows(Role.EDITOR):
            return None
        if principal.role is not None:
            reason = f"That key has the {principal.role.value} role; reviewing needs editor."
        elif form.get("key"):
            reason = "That key is not valid."
        else:
            reason = "Reviewing needs an API key with the editor role."
        return page(request, 401, key="", drafts=None, which="PENDING", message=reason)

    async def listing(request: Request, form: dict[str, str], message: str = "") -> Response:
        status = form.get("status", "PENDING").upper()
        if status not in STATUSES:
            raise BadRequest(f"The status {status[:20]!r} is not one of {', '.join(STATUSES)}.")
        drafts = await list_drafts(graph, status=status, limit=SHOWN)
        return page(request, key=form["key"], drafts=drafts, which=status, message=message)

    @router.get("/review")
    async def review_form(request: Request) -> Response:
        """The key form (no drafts are shown without an editor key)."""

        async def build() -> Response:
            return page(request, key="", drafts=None, which="PENDING", message="")

        return await answer(request, build)

    @router.post("/review")
    async def review_list(request: Request) -> Response:
        """The drafts of one status, for an editor key."""

        async def build() -> Response:
            form = await _form(request)
            return refused(request, form) or await listing(request, form)

        return await answer(request, build)

    @router.post("/review/{id}")
    async def review_decide(request: Request, id: str) -> Response:
        """Accept or reject one pending draft, then show the pending ones again."""

        async def build() -> Response:
            form = await _form(request)
            denied = refused(request, form)
            if denied is not None:
                return denied
            decision = form.get("decision", "")
            if decision not in ("accept", "reject"):
                raise BadRequest("The decision must be accept or reject.")
            draft = check_key(id, "draft id")
            try:
                settled = await decide(graph, draft, accept_it=decision == "accept")
            except (DraftError, DraftNotFound) as exc:
                return page(
                    request,
                    404 if isinstance(exc, DraftNotFound) else 409,
                    key=form["key"],
                    drafts=await list_drafts(graph, status="PENDING", limit=SHOWN),
                    which="PENDING",
                    message=str(exc),
                )
            done = "accepted" if decision == "accept" else "rejected"
            count = len(settled)
            what = f"{count} drafts" if count > 1 else "the draft"
            return await listing(
                request, {"key": form["key"]}, message=f"{what.capitalize()} {done}."
            )

        return await answer(request, build)

    return router
