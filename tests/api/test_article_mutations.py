"""`ingestArticle` and `reviewDraft` over HTTP against the real Neo4j: editor key needed,
drafts unseen by `claims` until accepted, re-ingest idempotent, a rejection sticks."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from modelatlas.api.auth import Role, new_key
from modelatlas.graph import Graph
from modelatlas.ingest import load_yaml_files
from modelatlas.knowledge import KnowledgeGraph
from modelatlas.resources import resource_dir
from support import Page, loopback_site

pytestmark = pytest.mark.anyio

EDITOR_KEY, EDITOR_ENTRY = new_key(Role.EDITOR)
READER_KEY, READER_ENTRY = new_key(Role.READER)
ARTICLE = Path(__file__).parents[1] / "ingest" / "articles" / "seed-qwen-battle.txt"
URL = "https://flodest.example/alibaba-qwen-2-5-max"

INGEST = """
mutation($text: String!, $url: String) {
  ingestArticle(text: $text, publishedOn: "2025-01-29", url: $url, publisher: "Flodest") {
    source created { name count } existing { name count }
    drafts { id kind status confidence sentence record }
  }
}"""
REVIEW = """
mutation($id: ID!, $decision: ReviewDecision!) {
  reviewDraft(id: $id, decision: $decision) { drafts { id kind status } bookmark }
}"""
DRAFTS = "query($status: DraftStatus) { drafts(status: $status) { id status } }"
CLAIMS = "{ claims(first: 100) { edges { node { id sources { url } } } } }"


@pytest.fixture
async def client(graph: Graph, make_client: Callable[..., httpx.AsyncClient]) -> httpx.AsyncClient:
    await KnowledgeGraph(graph).upsert(load_yaml_files([resource_dir("seed")]))
    return make_client(api_keys=[EDITOR_ENTRY, READER_ENTRY])


async def gql(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None, key: str = ""
) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {key or EDITOR_KEY}"}
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_ingest_and_review_through_graphql(client: httpx.AsyncClient) -> None:
    text = ARTICLE.read_text(encoding="utf-8")
    claims_before = await gql(client, CLAIMS)
    denied = await gql(client, INGEST, {"text": text, "url": URL}, key=READER_KEY)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    first = await gql(client, INGEST, {"text": text, "url": URL})
    assert "errors" not in first, first
    payload = first["data"]["ingestArticle"]
    assert payload["source"] == URL
    assert {c["name"]: c["count"] for c in payload["created"]} == {
        "Claim": 3,
        "MarketEvent": 3,
        "Organization": 1,
    }
    again = (await gql(client, INGEST, {"text": text, "url": URL}))["data"]["ingestArticle"]
    assert again["created"] == [] and again["existing"] == [{"name": "PENDING", "count": 7}]
    assert [d["id"] for d in again["drafts"]] == [d["id"] for d in payload["drafts"]]
    assert await gql(client, CLAIMS) == claims_before  # drafts are not claims

    claims = {
        (json.loads(d["record"])["claimedBy"], json.loads(d["record"])["subject"]): d
        for d in payload["drafts"]
        if d["kind"] == "Claim"
    }
    alibaba = claims[("alibaba-cloud", "qwen2.5-max")]
    accepted = await gql(client, REVIEW, {"id": alibaba["id"], "decision": "ACCEPT"})
    assert accepted["data"]["reviewDraft"]["drafts"] == [
        {"id": alibaba["id"], "kind": "Claim", "status": "ACCEPTED"}
    ]
    listed = (await gql(client, CLAIMS))["data"]["claims"]["edges"]
    claim_id = json.loads(alibaba["record"])["id"]
    assert {"url": URL} in next(e["node"]["sources"] for e in listed if e["node"]["id"] == claim_id)

    bytedance = claims[("bytedance", "doubao-1.5-pro")]
    rejected = await gql(client, REVIEW, {"id": bytedance["id"], "decision": "REJECT"})
    assert rejected["data"]["reviewDraft"]["drafts"][0]["status"] == "REJECTED"
    third = (await gql(client, INGEST, {"text": text, "url": URL}))["data"]["ingestArticle"]
    statuses = {d["id"]: d["status"] for d in third["drafts"]}
    assert statuses[bytedance["id"]] == "REJECTED" and statuses[alibaba["id"]] == "ACCEPTED"

    twice = await gql(client, REVIEW, {"id": bytedance["id"], "decision": "ACCEPT"})
    assert twice["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "already REJECTED" in twice["errors"][0]["message"]
    missing = await gql(client, REVIEW, {"id": "nope", "decision": "REJECT"})
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"

    pending = await gql(client, DRAFTS, {"status": "PENDING"})
    assert {d["id"] for d in pending["data"]["drafts"]} == {d["id"] for d in payload["drafts"]} - {
        alibaba["id"],
        bytedance["id"],
    }
    assert all(d["status"] == "PENDING" for d in pending["data"]["drafts"])
    anonymous = await client.post("/graphql", json={"query": DRAFTS})
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_bad_url_names_the_field(client: httpx.AsyncClient) -> None:
    body = await gql(client, INGEST, {"text": "Nvidia shares fell.", "url": "ftp://x"})
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"]["field"] == "url", error


FETCH = """
mutation($url: String) {
  ingestArticle(url: $url, publishedOn: "2025-01-29") { source drafts { kind } }
}"""


@pytest.fixture
def article_site() -> Iterator[str]:
    """A loopback web server: the seed article as an HTML page at /article, a redirect to it
    at /moved, and a PNG at /image."""
    page = "<html><body><nav>Home | Tech</nav><article><h1>Alibaba AI Qwen 2.5 Max</h1>"
    page += "".join(f"<p>{p}</p>" for p in ARTICLE.read_text(encoding="utf-8").split("\n\n"))
    page += "</article></body></html>"

    def answer(path: str) -> Page:
        if path == "/moved":
            return 302, {"Location": "/article"}, b""
        if path == "/article":
            return 200, {"Content-Type": "text/html; charset=utf-8"}, page.encode()
        return 200, {"Content-Type": "image/png"}, b"\x89PNG"

    with loopback_site(answer) as (url, _):
        yield url


async def test_an_article_is_fetched_from_its_url_when_private_addresses_are_allowed(
    graph: Graph, make_client: Callable[..., httpx.AsyncClient], article_site: str
) -> None:
    await KnowledgeGraph(graph).upsert(load_yaml_files([resource_dir("seed")]))
    for allowed in (False, True):
        http = make_client(api_keys=[EDITOR_ENTRY], article_fetch_private=allowed)
        moved = await gql(http, FETCH, {"url": f"{article_site}/moved"})
        image = await gql(http, FETCH, {"url": f"{article_site}/image"})
        neither = await gql(http, FETCH, {})
        assert neither["errors"][0]["extensions"]["field"] == "text"
        if not allowed:  # the service must not be made to read its own network
            error = moved["errors"][0]
            assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "url"}, error
            assert "127.0.0.1, a private or local address: refused" in error["message"]
            assert await KnowledgeGraph(graph).source(f"{article_site}/moved") is None
            continue
        assert "errors" not in moved, moved
        payload = moved["data"]["ingestArticle"]
        assert payload["source"] == f"{article_site}/moved"
        assert sum(d["kind"] == "Claim" for d in payload["drafts"]) == 3
        assert "image/png, not an HTML or text page" in image["errors"][0]["message"]


EDIT = """
mutation($id: ID!, $changes: [DraftChange!]!) {
  editDraft(id: $id, changes: $changes) { drafts { id status record } }
}"""


async def test_a_draft_is_edited_before_it_is_decided(client: httpx.AsyncClient) -> None:
    text = ARTICLE.read_text(encoding="utf-8")
    drafts = (await gql(client, INGEST, {"text": text, "url": URL}))["data"]["ingestArticle"]
    claim = next(d for d in drafts["drafts"] if d["kind"] == "Claim")
    changed = await gql(
        client,
        EDIT,
        {"id": claim["id"], "changes": [{"field": "made_on", "value": "2025-01-28"}]},
    )
    assert "errors" not in changed, changed
    edited = changed["data"]["editDraft"]["drafts"][0]
    assert edited["status"] == "PENDING"
    assert json.loads(edited["record"])["madeOn"] == "2025-01-28"

    invalid = await gql(
        client, EDIT, {"id": claim["id"], "changes": [{"field": "kind", "value": "BEATS"}]}
    )
    error = invalid["errors"][0]
    assert (
        error["extensions"]["code"] == "BAD_USER_INPUT"
        and error["extensions"]["field"] == "changes"
    )
    assert "kind" in error["message"]
    unchanged = await gql(client, DRAFTS, {"status": "PENDING"})
    assert claim["id"] in {d["id"] for d in unchanged["data"]["drafts"]}
    missing = await gql(client, EDIT, {"id": "nope", "changes": []})
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    denied = await gql(client, EDIT, {"id": claim["id"], "changes": []}, key=READER_KEY)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
