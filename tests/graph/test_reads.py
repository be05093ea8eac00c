"""The read layer itself: query text safety, cursors, and graphs the seed does not exercise."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from modelatlas.domain import (
    Benchmark,
    Claim,
    ClaimKind,
    Dataset,
    Model,
    Organization,
    Result,
    Source,
)
from modelatlas.graph import Graph, count_round_trips
from modelatlas.graph.reads.errors import InvalidArgument, NotFound
from modelatlas.graph.reads.filters import ClaimWhere, ModelWhere
from modelatlas.graph.reads.kinds import normalise_key
from modelatlas.graph.reads.name_search import SEARCH_WINDOW, SearchKind, lucene_query
from modelatlas.graph.reads.paging import PageRequest, decode_cursor, encode_cursor
from modelatlas.knowledge import KnowledgeGraph

anyio = pytest.mark.anyio


@pytest.mark.parametrize(
    ("text", "every_word", "any_word"),
    [
        (
            "Qwen 2.5 Max",
            "+(qwen^2 qwen*) +(2.5^2 2.5*) +(max^2 max*)",
            "qwen^2 qwen* 2.5^2 2.5* max^2 max*",
        ),
        ("Qwen2.5-Max", "+(qwen2.5^2 qwen2.5*) +(max^2 max*)", "qwen2.5^2 qwen2.5* max^2 max*"),
        ("a AND (", "+(a^2 a*) +(and^2 and*)", "a^2 a* and^2 and*"),
        (
            "C++ OR title:x~",
            "+(c^2 c*) +(or^2 or*) +(title^2 title*) +(x^2 x*)",
            "c^2 c* or^2 or* title^2 title* x^2 x*",
        ),
        ("Kimi kimi", "kimi^2 kimi*", "kimi^2 kimi*"),
        ('"()" * \\ /', None, None),
        ("", None, None),
    ],
)
def test_lucene_query_is_escaped_and_operator_free(
    text: str, every_word: str | None, any_word: str | None
) -> None:
    assert lucene_query(text) == every_word
    assert lucene_query(text, every_word=False) == any_word


def test_cursors_round_trip_and_refuse_other_orderings() -> None:
    cursor = encode_cursor("RELEASED_ON_DESC", dt.date(2025, 1, 20), "deepseek-r1")
    assert decode_cursor(cursor, "RELEASED_ON_DESC", "date") == (
        dt.date(2025, 1, 20),
        "deepseek-r1",
    )
    with pytest.raises(InvalidArgument) as wrong:
        decode_cursor(cursor, "NAME_ASC", "text")
    assert wrong.value.argument == "after"  # api/errors.py gives it its code and GraphQL name
    for garbage in ("", "x", "!!!", encode_cursor("NAME_ASC", 3, "k")):
        with pytest.raises(InvalidArgument):
            decode_cursor(garbage, "NAME_ASC", "text")


def test_keys_are_normalised_like_writes() -> None:
    assert normalise_key("Model", "GPT-4o") == "gpt-4o"
    assert normalise_key("Country", " cn ") == "CN"
    assert normalise_key("Source", "HTTPS://OpenAI.com/Research") == "https://openai.com/Research"
    assert normalise_key("Source", "URN:ModelAtlas:x") == "urn:modelatlas:x"
    with pytest.raises(InvalidArgument):
        normalise_key("Model", "???")


@anyio
async def test_bad_arguments_are_refused_before_any_query(graph: Graph) -> None:
    kg = KnowledgeGraph(graph)
    with count_round_trips() as trips:
        with pytest.raises(InvalidArgument, match="exceeds the `first` limit of 100"):
            await kg.models(first=101)
        with pytest.raises(InvalidArgument, match="Model filter"):
            await kg.page("Model", PageRequest(where=ClaimWhere()))
        with pytest.raises(InvalidArgument, match="ordered by") as unordered:
            await kg.page("Model", PageRequest(order="SCORE_DESC"))
        with pytest.raises(InvalidArgument):
            await kg.related("Model.secrets", ["x"])
        with pytest.raises(InvalidArgument) as too_long:
            await kg.events_after_release("deepseek-r1", within_days=-1)
    assert trips.count == 0
    # The read layer names arguments in Python terms; the API spells them as the schema does.
    assert (unordered.value.argument, too_long.value.argument) == ("order", "within_days")
    with pytest.raises(NotFound) as missing:
        await kg.leaderboard("no-such-benchmark")
    assert missing.value.argument is None


def _chain() -> Dataset:
    """A fine-tuning chain base <- mid <- leaf (and a sibling), variants two deep, and claims."""
    return Dataset(
        sources=[Source(url="https://example.org/a"), Source(url="https://example.org/b")],
        organizations=[Organization(name="Lab"), Organization(name="Rival")],
        models=[
            Model(name="Base", developers=["lab"]),
            Model(name="Mid", developers=["lab"], derived_from=["base"]),
            Model(name="Leaf", developers=["lab"], derived_from=["mid"]),
            Model(name="Sibling", developers=["lab"], derived_from=["base"]),
            Model(name="Base Turbo", developers=["lab"], variant_of="base"),
            Model(name="Base Turbo Mini", developers=["lab"], variant_of="base-turbo"),
            Model(name="Challenger", developers=["rival"]),
        ],
        claims=[
            Claim(
                id="beats-turbo-mini",
                kind=ClaimKind.OUTPERFORMS,
                statement="Challenger beats Base Turbo Mini.",
                claimed_by="rival",
                subject="challenger",
                against=["base-turbo-mini"],
                made_on=dt.date(2025, 3, 1),
                sources=["https://example.org/a"],
            )
        ],
        results=[
            Result(
                id="r1",
                model="leaf",
                benchmark="bench",
                score=70.0,
                sources=["https://example.org/a", "https://example.org/b"],
            )
        ],
        benchmarks=[Benchmark(name="Bench")],
    )


@anyio
async def test_lineage_variants_and_citations_at_depth(graph: Graph) -> None:
    kg = KnowledgeGraph(graph)
    await kg.upsert(_chain())
    derived = await kg.derived_models("base")
    assert [(e.model.slug, e.depth) for e in derived.nodes] == [
        ("mid", 1),
        ("sibling", 1),
        ("leaf", 2),
    ]
    near = await kg.derived_models("base", max_depth=1, first=1)
    assert [e.model.slug for e in near.nodes] == ["mid"] and near.total_count == 2
    rest = await kg.derived_models("base", max_depth=1, after=near.page_info.end_cursor)
    assert [e.model.slug for e in rest.nodes] == ["sibling"]
    ancestors = await kg.ancestors("leaf")
    assert [(e.model.slug, e.depth) for e in ancestors.nodes] == [("mid", 1), ("base", 2)]

    # Variants of variants count as variants of the base.
    direct = await kg.models_claimed_to_beat("base")
    assert direct.total_count == 0
    variants = await kg.models_claimed_to_beat("base", include_variants=True)
    [entry] = variants.nodes
    assert entry.subject.slug == "challenger" and entry.claimant.slug == "rival"
    assert [m.slug for m in entry.beaten] == ["base-turbo-mini"]

    # Each source keeps the value it gave.
    await kg.upsert(
        Dataset(
            results=[
                Result(
                    id="r1",
                    model="leaf",
                    benchmark="bench",
                    score=71.5,
                    sources=["https://example.org/b"],
                )
            ]
        )
    )
    citations = (await kg.citations("Result", ["r1"]))["r1"]
    assert [(c.source.url, c.score) for c in citations] == [
        ("https://example.org/a", 70.0),
        ("https://example.org/b", 71.5),
    ]
    models = await kg.models(ModelWhere(derived_from="Base"))
    assert [m.slug for m in models.nodes] == ["mid", "sibling"]
    assert (await kg.models(ModelWhere(variant_of="base"))).total_count == 1


def _boards(seed: int) -> Dataset:
    """Two benchmarks (higher and lower is better) whose scores tie a lot, some undated."""
    rng = random.Random(seed)
    models = [Model(name=f"M{i:02d}", developers=["lab"]) for i in range(30)]
    results = [
        Result(
            id=f"r{bench}-{i}",
            model=f"m{rng.randrange(30):02d}",
            benchmark=bench,
            score=float(rng.randrange(12)),
            measured_on=None if rng.random() < 0.1 else dt.date(2025, 1, 1 + rng.randrange(28)),
            sources=["https://example.org/a"],
        )
        for bench in ("up", "down")
        for i in range(120)
    ]
    return Dataset(
        sources=[Source(url="https://example.org/a")],
        organizations=[Organization(name="Lab")],
        models=models,
        benchmarks=[Benchmark(name="Up"), Benchmark(name="Down", higher_is_better=False)],
        results=results,
    )


@anyio
@pytest.mark.parametrize("seed", [1, 2])
async def test_first_leaderboard_page_without_total_matches_the_full_ranking(
    graph: Graph, seed: int
) -> None:
    """The bounded first page (no total) gives the same rows, ranks and hasNextPage as ranking
    every result, ties at the page edge included, in both directions and as of any date."""
    kg = KnowledgeGraph(graph)
    await kg.upsert(_boards(seed))
    compared = 0
    for bench in ("up", "down"):
        for as_of in (None, dt.date(2025, 1, 5), dt.date(2025, 1, 20)):
            for first in (1, 2, 3, 5, 8, 13, 30):
                full = await kg.leaderboard(bench, as_of=as_of, first=first)
                top = await kg.leaderboard(bench, as_of=as_of, first=first, count=False)
                assert top.total_count is None and full.total_count is not None
                view = lambda page: [  # noqa: E731
                    (e.node.rank, e.node.model.slug, e.node.result.id, e.cursor) for e in page.edges
                ]
                assert view(top) == view(full), (bench, as_of, first)
                assert top.page_info == full.page_info
                compared += len(full.edges)
    assert compared > 200


@anyio
async def test_search_ranks_a_window_of_hits_and_finds_a_kind_past_it(graph: Graph) -> None:
    """120 models match "alpha" better than the one benchmark (a longer name): a search ranks
    the index's best first + SEARCH_WINDOW hits, ties listed by key; limited to benchmarks, it
    still finds the benchmark that lies past that window."""
    kg = KnowledgeGraph(graph)
    await kg.upsert(
        Dataset(
            organizations=[Organization(name="Lab")],
            models=[Model(name=f"Alpha {i:03d}", developers=["lab"]) for i in range(120)],
            benchmarks=[Benchmark(name="Alpha Bench Extended")],
        )
    )
    hits = await kg.search("alpha", first=10)
    assert [h.kind for h in hits] == [SearchKind.MODEL] * 10
    assert [h.key for h in hits] == sorted(h.key for h in hits)
    with count_round_trips() as trips:
        only = await kg.search("alpha", kinds=[SearchKind.BENCHMARK], first=3)
    assert [(h.kind, h.key) for h in only] == [(SearchKind.BENCHMARK, "alpha-bench-extended")]
    assert trips.count == 2  # the window held no benchmark, so every hit was ranked
    assert 10 + SEARCH_WINDOW < 120


@anyio
async def test_search_requires_every_word_and_falls_back_to_any_word(graph: Graph) -> None:
    """A text whose every word matches finds only what matches them all (one read); a text
    with a word nothing matches finds what its other words match (a second read)."""
    kg = KnowledgeGraph(graph)
    await kg.upsert(
        Dataset(
            organizations=[Organization(name="Lab")],
            models=[Model(name=f"Alpha {i:03d}", developers=["lab"]) for i in range(30)]
            + [Model(name="Beta Alpha Max", developers=["lab"])],
        )
    )
    with count_round_trips() as trips:
        hits = await kg.search("alpha 007", first=10)
    assert [h.key for h in hits] == ["alpha-007"]
    assert trips.count == 1
    hits = await kg.search("max alpha", first=10)
    assert [h.key for h in hits] == ["beta-alpha-max"]
    with count_round_trips() as trips:
        hits = await kg.search("alpha gamma", first=5)
    assert trips.count == 2
    assert len(hits) == 5
    assert {h.key for h in hits} <= {f"alpha-{i:03d}" for i in range(30)} | {"beta-alpha-max"}
    assert await kg.search("gamma delta", first=5) == []
