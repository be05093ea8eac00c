"""Cursors hold the sort value and key of a row, so inserts before one never shift later pages."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from gqlclient import gql, nodes

from modelatlas.api import create_app
from modelatlas.config import Settings
from modelatlas.domain import Dataset, Model
from modelatlas.graph import Graph
from modelatlas.ingest import load_yaml_files
from modelatlas.knowledge import KnowledgeGraph
from modelatlas.resources import resource_dir

pytestmark = pytest.mark.anyio

PAGE = """query($after: String, $order: ModelOrder!) {
  models(first: 3, after: $after, orderBy: $order) {
    totalCount edges { node { slug } } pageInfo { endCursor hasNextPage }
  }
}"""


@pytest.fixture
async def client(graph: Graph, test_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    await KnowledgeGraph(graph).upsert(load_yaml_files([resource_dir("seed")]))
    app = create_app(test_settings, driver=graph.driver)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://atlas"
    ) as http:
        yield http


async def _page(
    client: httpx.AsyncClient, after: str | None, order: str = "NAME_ASC"
) -> tuple[list[str], str, int]:
    data = (await gql(client, PAGE, {"after": after, "order": order}))["models"]
    return [n["slug"] for n in nodes(data)], data["pageInfo"]["endCursor"], data["totalCount"]


async def test_cursor_survives_inserts_before_it(graph: Graph, client: httpx.AsyncClient) -> None:
    first, cursor, total = await _page(client, None)
    assert first == ["chatgpt", "deepseek-r1", "deepseek-v3"]
    second, _, _ = await _page(client, cursor)
    assert second == ["doubao-1.5-pro", "gemini", "gpt-4"]

    # Two models sort before the cursor, one between the cursor and the next page.
    await KnowledgeGraph(graph).upsert(
        Dataset(
            models=[
                Model(name="Aardvark-7B"),
                Model(name="Baichuan 2"),
                Model(name="Deepseek-V3.5-Lite"),
            ]
        )
    )
    again, _, grown = await _page(client, cursor)
    assert grown == total + 3
    # An offset would now repeat deepseek-r1 and deepseek-v3; the keyset resumes after the cursor.
    assert again == ["deepseek-v3.5-lite", "doubao-1.5-pro", "gemini"]


async def test_cursor_with_unknown_values_last(graph: Graph, client: httpx.AsyncClient) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        page, cursor, _ = await _page(client, cursor, "RELEASED_ON_DESC")
        seen += page
        if len(page) < 3:
            break
        # Dated models inserted at the top while paging never appear later in the walk.
        await KnowledgeGraph(graph).upsert(
            Dataset(models=[Model(name=f"Newer {len(seen)}", released_on="2025-02-01")])
        )
    assert seen[:3] == ["qwen2.5-max", "doubao-1.5-pro", "deepseek-r1"]
    assert seen[-3:] == ["gemini", "kimi-k1.5", "o1"]  # undated last, by slug
    assert len(seen) == len(set(seen)) == 12
