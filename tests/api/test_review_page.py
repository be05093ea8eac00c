"""The explorer's review page over HTTP: the editor key is asked for, drafts of an ingested
article are listed, and accept/reject go through the same transaction as reviewDraft."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from modelatlas.api.auth import Role, new_key
from modelatlas.graph import Graph
from modelatlas.graph.drafts import list_drafts
from modelatlas.graph.reads.filters import ClaimWhere
from modelatlas.ingest import load_yaml_files
from modelatlas.ingest.drafts import ingest_article
from modelatlas.knowledge import KnowledgeGraph
from modelatlas.resources import resource_dir

pytestmark = pytest.mark.anyio

EDITOR_KEY, EDITOR_ENTRY = new_key(Role.EDITOR)
READER_KEY, READER_ENTRY = new_key(Role.READER)
ARTICLE = Path(__file__).parents[1] / "ingest" / "articles" / "seed-qwen-battle.txt"
URL = "https://flodest.example/alibaba-qwen-2-5-max"
FORM = {"content-type": "application/x-www-form-urlencoded", "accept": "text/html"}


@pytest.fixture
async def site(graph: Graph, make_client: Callable[..., httpx.AsyncClient]) -> httpx.AsyncClient:
    kg = KnowledgeGraph(graph)
    await kg.upsert(load_yaml_files([resource_dir("seed")]))
    await ingest_article(kg, ARTICLE.read_text(), published_on=dt.date(2025, 1, 29), url=URL)
    return make_client(api_keys=[EDITOR_ENTRY, READER_ENTRY])


async def _post(client: httpx.AsyncClient, url: str, **form: str) -> httpx.Response:
    return await client.post(url, data=form, headers=FORM)


async def test_drafts_need_an_editor_key(site: httpx.AsyncClient) -> None:
    empty = await site.get("/review", headers={"accept": "text/html"})
    assert empty.status_code == 200 and 'type="password"' in empty.text
    assert "data-draft=" not in empty.text
    for key, says in (
        ("", "needs an API key"),
        ("wrong", "not valid"),
        (READER_KEY, "the reader role; reviewing needs editor"),
    ):
        refused = await _post(site, "/review", key=key)
        assert refused.status_code == 401 and "data-draft=" not in refused.text
        assert says in refused.text
    listed = await _post(site, "/review", key=EDITOR_KEY)
    assert listed.status_code == 200 and listed.headers["cache-control"] == "no-store"
    assert len(re.findall(r'data-draft="', listed.text)) >= 5
    assert "Qwen2.5-Max" in listed.text or "qwen2.5-max" in listed.text


async def test_accept_and_reject_from_the_page(site: httpx.AsyncClient, graph: Graph) -> None:
    kg = KnowledgeGraph(graph)
    pending = await list_drafts(graph, status="PENDING")
    claim = next(d for d in pending if d.kind == "Claim" and "qwen2.5-max" in d.record)
    other = next(d for d in pending if d.id != claim.id)
    before = (await kg.claims(ClaimWhere(subject="qwen2.5-max"), first=100)).nodes

    done = await _post(site, f"/review/{claim.id}", key=EDITOR_KEY, decision="accept")
    assert done.status_code == 200 and "accepted" in done.text
    assert f'data-draft="{claim.id}"' not in done.text  # no longer pending
    after = (await kg.claims(ClaimWhere(subject="qwen2.5-max"), first=100)).nodes
    assert len(after) == len(before) + 1
    cited = await kg.citations("Claim", [c.id for c in after])
    assert any(URL in [x.source.url for x in cited[c.id]] for c in after)

    rejected = await _post(site, f"/review/{other.id}", key=EDITOR_KEY, decision="reject")
    assert rejected.status_code == 200 and "rejected" in rejected.text
    assert (await list_drafts(graph, status="REJECTED"))[0].id == other.id

    again = await _post(site, f"/review/{other.id}", key=EDITOR_KEY, decision="accept")
    assert again.status_code == 409 and "already REJECTED" in again.text
    missing = await _post(site, "/review/no-such-draft", key=EDITOR_KEY, decision="accept")
    assert missing.status_code == 404
    odd = await _post(site, f"/review/{claim.id}", key=EDITOR_KEY, decision="maybe")
    assert odd.status_code == 400
    unauthorised = await _post(site, f"/review/{other.id}", key=READER_KEY, decision="accept")
    assert unauthorised.status_code == 401
