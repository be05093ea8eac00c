"""The write path's shortcuts keep its promises: dates stay dates, a missing value never erases
a known one, statuses stay exact, references are checked as before, fast paths change nothing."""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from typing import Any

import pytest
from pydantic import ValidationError

from modelatlas.domain import Benchmark, Claim, Dataset, Model, Organization, Source
from modelatlas.domain import slugify as fast_slugify
from modelatlas.graph import Graph, write_statements, writes
from modelatlas.graph.writes import to_row
from modelatlas.knowledge import KnowledgeGraph, UnknownReferencesError

pytestmark = pytest.mark.anyio

_NOT_SLUG = re.compile(r"[^a-z0-9.]+")


def _slugify_by_the_book(text: str) -> str:
    """slugify without its fast path, as it was first written."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    slug = _NOT_SLUG.sub("-", plain).strip("-.")
    if not slug:
        raise ValueError(text)
    return slug


def _outcome(function: Any, text: str) -> str:
    try:
        return str(function(text))
    except ValueError:
        return "<rejected>"


def test_slugify_fast_path_agrees_with_the_full_normalisation() -> None:
    rng = random.Random(7)
    alphabet = "ab09.-_ A\u00e9\u0301\u00a0\t/\u00df\u0130\ufb01"
    samples = ["a", "a.b", "a-b", "a--b", "a.-.b", "-a", "a-", ".a", "a.", "ab-.-cd", "A-b"]
    samples += [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 7))) for _ in range(5000)
    ]
    for text in samples:
        assert _outcome(fast_slugify, text) == _outcome(_slugify_by_the_book, text), text


def test_plain_and_unusual_urls_are_normalised_as_before() -> None:
    kept = ["http://example.org", "https://example.org/a/B?c=D#e", "https://a-b.example.org/x"]
    for url in kept:
        assert Source(url=url).url == url
    assert Source(url="https://Example.ORG:8443/A").url == "https://example.org:8443/A"
    assert Source(url="HTTP://example.org/x").url == "http://example.org/x"
    for bad in ["https://example.org/a b", "https://example.org:xx/", "https://", "http:/a.b"]:
        with pytest.raises(ValidationError):
            Source(url=bad)


def _claim(**changes: Any) -> Claim:
    fields: dict[str, Any] = {
        "id": "c1",
        "kind": "OUTPERFORMS",
        "statement": "a beats b",
        "claimed_by": "lab",
        "subject": "a",
        "against": ["b"],
        "benchmark": "bench",
        "score": 71.5,
        "made_on": dt.date(2025, 1, 27),
        "sources": ["https://example.org/s1"],
    }
    return Claim.model_validate(fields | changes)


def test_rows_carry_dates_as_iso_strings_and_keep_the_other_values() -> None:
    row = to_row(_claim())
    assert row["key"] == "c1"
    assert row["props"] == {
        "kind": "OUTPERFORMS",
        "statement": "a beats b",
        "score": 71.5,
    }
    # The status was not given: the domain's default only fills a node that has none.
    assert row["defaults"] == {"status": "ASSERTED"}
    assert row["madeOn"] == "2025-01-27"
    assert row["cited"] == {"score": 71.5}
    assert (row["claimedBy"], row["subject"], row["against"]) == ("lab", "a", ["b"])
    undated = to_row(_claim(made_on=None, score=None))
    assert undated["madeOn"] is None and undated["cited"] == {}
    assert "score" not in undated["props"]


def _base() -> Dataset:
    return Dataset(
        sources=[
            Source(url="https://example.org/s1", title="One"),
            Source(url="https://example.org/s2", title="Two"),
        ],
        organizations=[Organization(slug="lab", name="Lab", country="FR")],
        models=[
            Model(slug="a", name="A", developers=["lab"], released_on=dt.date(2024, 5, 1)),
            Model(slug="b", name="B", developers=["lab"]),
        ],
        benchmarks=[Benchmark(slug="bench", name="Bench")],
    )


async def _dates(graph: Graph) -> list[dict[str, Any]]:
    return await graph.read(
        "MATCH (c:Claim {id: 'c1'})-[r:CITED_IN]->(s:Source) "
        "RETURN s.url AS url, c.madeOn AS node, r.madeOn AS cited, r.score AS score ORDER BY url"
    )


async def test_dates_are_stored_as_dates_and_a_missing_date_erases_nothing(graph: Graph) -> None:
    kg = KnowledgeGraph(graph)
    await kg.upsert(_base())
    first = await kg.upsert(Dataset(claims=[_claim()]))
    assert vars(first.counts("Claim")) == {"created": 1, "updated": 0, "unchanged": 0}
    rows = await _dates(graph)
    assert [(r["node"].to_native(), r["cited"].to_native()) for r in rows] == [
        (dt.date(2025, 1, 27), dt.date(2025, 1, 27))
    ]
    released = await graph.read("MATCH (m:Model {slug: 'a'}) RETURN m.releasedOn AS d")
    assert released[0]["d"].to_native() == dt.date(2024, 5, 1)

    again = await kg.upsert(Dataset(claims=[_claim()]))
    assert vars(again.counts("Claim")) == {"created": 0, "updated": 0, "unchanged": 1}
    undated = await kg.upsert(Dataset(claims=[_claim(made_on=None)]))
    assert vars(undated.counts("Claim")) == {"created": 0, "updated": 0, "unchanged": 1}
    assert (await _dates(graph))[0]["node"].to_native() == dt.date(2025, 1, 27)

    moved = await kg.upsert(Dataset(claims=[_claim(made_on=dt.date(2025, 2, 3))]))
    assert vars(moved.counts("Claim")) == {"created": 0, "updated": 1, "unchanged": 0}
    assert (await _dates(graph))[0]["node"].to_native() == dt.date(2025, 2, 3)


async def test_a_second_source_keeps_its_own_date(graph: Graph) -> None:
    kg = KnowledgeGraph(graph)
    await kg.upsert(_base())
    await kg.upsert(Dataset(claims=[_claim()]))
    second = _claim(made_on=dt.date(2025, 3, 1), score=70.0, sources=["https://example.org/s2"])
    report = await kg.upsert(Dataset(claims=[second]))
    assert report.counts("Claim").updated == 1
    rows = await _dates(graph)
    assert [(r["url"], r["cited"].to_native(), r["score"]) for r in rows] == [
        ("https://example.org/s1", dt.date(2025, 1, 27), 71.5),
        ("https://example.org/s2", dt.date(2025, 3, 1), 70.0),
    ]


async def test_statuses_are_exact_across_batches_and_kinds(graph: Graph) -> None:
    kg = KnowledgeGraph(graph)
    orgs = [Organization(slug=f"o{i}", name=f"O {i}") for i in range(3)]
    models = [Model(slug=f"m{i}", name=f"M {i}", developers=[f"o{i % 3}"]) for i in range(4500)]
    first = await kg.upsert(Dataset(organizations=orgs, models=models))
    assert vars(first.counts("Model")) == {"created": 4500, "updated": 0, "unchanged": 0}
    changed = [
        model.model_copy(update={"parameters": 7}) if i % 1000 == 0 else model
        for i, model in enumerate(models)
    ]
    more = [Model(slug=f"n{i}", name=f"N {i}", derived_from=["m1"]) for i in range(10)]
    second = await kg.upsert(Dataset(organizations=orgs, models=changed + more))
    assert vars(second.counts("Organization")) == {"created": 0, "updated": 0, "unchanged": 3}
    assert vars(second.counts("Model")) == {"created": 10, "updated": 5, "unchanged": 4495}
    rows = await graph.read(
        "MATCH (:Model)-[r:DERIVED_FROM]->(:Model {slug: 'm1'}) RETURN count(r) AS n"
    )
    assert rows == [{"n": 10}]


async def test_unknown_references_are_reported_as_before(graph: Graph) -> None:
    kg = KnowledgeGraph(graph)
    await kg.upsert(_base())
    before = await kg.fingerprint()
    bad = Dataset(
        models=[Model(slug="c", name="C", developers=["lab", "ghost"], derived_from=["a", "z"])],
        claims=[_claim(id="c2", against=["b", "c", "nobody"])],
    )
    expected = [p for p in bad.check_references() if p.missing in {"ghost", "z", "nobody"}]
    with pytest.raises(UnknownReferencesError) as failure:
        await kg.upsert(bad)
    assert list(failure.value.problems) == expected and len(expected) == 3
    assert await kg.check_references(bad) == expected
    assert await kg.fingerprint() == before


_SCANS = {"AllNodesScan", "NodeByLabelScan", "UnionNodeByLabelsScan", "NodeIndexScan"}


def _operators(plan: dict[str, Any]) -> list[str]:
    out = [str(plan["operatorType"]).split("@")[0]]
    for child in plan.get("children", []):
        out += _operators(child)
    return out


async def test_every_write_path_statement_finds_nodes_by_unique_index(graph: Graph) -> None:
    kg = KnowledgeGraph(graph)
    await kg.upsert(_base())
    many = [_claim(id=f"c{i}", against=["b"]) for i in range(300)]
    await kg.upsert(Dataset(claims=many))
    statements = {
        **{f"write {k}": q for k, q in writes.STATEMENTS.items()},
        **{f"link {k}": q for k, q in writes.LINKS.items()},
        **{f"snapshot {k}": q for k, q in writes.SNAPSHOTS.items()},
        **{f"missing {k}": q for k, q in write_statements.MISSING.items()},
    }
    problems = []
    for name, statement in statements.items():
        async with graph.driver.session(database=graph.database) as session:
            result = await session.run("EXPLAIN " + statement, {"rows": [], "keys": []})
            summary = await result.consume()
        assert summary.plan is not None
        ops = _operators(dict(summary.plan))
        seeks = [op for op in ops if "Seek" in op or "Scan" in op]
        if (
            set(ops) & _SCANS
            or not seeks
            or any(not op.startswith("NodeUniqueIndexSeek") for op in seeks)
        ):
            problems.append(f"{name}: {ops}")
    assert problems == []
