"""Names are indexed without slowing every write's commit: the full-text index is updated just
after a commit, and a search still finds every write committed before it."""

from __future__ import annotations

import pytest

from modelatlas.domain import Dataset, Model, Organization
from modelatlas.graph import Graph
from modelatlas.knowledge import KnowledgeGraph

pytestmark = pytest.mark.anyio


async def test_name_indexes_are_the_eventually_consistent_full_text_one(graph: Graph) -> None:
    rows = await graph.read(
        "SHOW INDEXES YIELD name, type, options WHERE type IN ['FULLTEXT', 'TEXT'] "
        "RETURN name, type, options.indexConfig['fulltext.eventually_consistent'] AS eventual"
    )
    assert rows == [{"name": "entity_names", "type": "FULLTEXT", "eventual": True}]


async def test_a_search_finds_what_was_written_just_before_it(graph: Graph) -> None:
    kg = KnowledgeGraph(graph)
    await kg.upsert(Dataset(organizations=[Organization(name="Lab")]))
    missed = []
    for i in range(40):
        name = f"Zephyrquux {i:02d}"
        await kg.upsert(Dataset(models=[Model(name=name, developers=["lab"])]))
        hits = await kg.search(name, first=1)
        if [h.name for h in hits] != [name]:
            missed.append(name)
    assert missed == []
