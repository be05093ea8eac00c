"""The read layer itself: query text safety, cursors, and graphs the seed does not exercise."""

from __future__ import annotations

import datetime as dt

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
from modelatlas.graph.reads import (
    ClaimWhere,
    InvalidArgument,
    ModelWhere,
    NotFound,
    PageRequest,
    decode_cursor,
    encode_cursor,
    lucene_query,
    normalise_key,
)
from modelatlas.knowledge import KnowledgeGraph

anyio = pytest.mark.anyio


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("Qwen 2.5 Max", "qwen^2 qwen* 2.5^2 2.5* max^2 max*"),
        ("Qwen2.5-Max", "qwen2.5^2 qwen2.5* max^2 max*"),
        ("a AND (", "a^2 a* and^2 and*"),
        ("C++ OR title:x~", "c^2 c* or^2 or* title^2 title* x^2 x*"),
        ("Kimi kimi", "kimi^2 kimi*"),
        ('"()" * \\ /', None),
        ("", None),
    ],
)
def test_lucene_query_is_escaped_and_operator_free(text: str, query: str | None) -> None:
    assert lucene_query(text) == query


def test_cursors_round_trip_and_refuse_other_orderings() -> None:
    cursor = encode_cursor("RELEASED_ON_DESC", dt.date(2025, 1, 20), "deepseek-r1")
    assert decode_cursor(cursor, "RELEASED_ON_DESC", "date") == (
        dt.date(2025, 1, 20),
        "deepseek-r1",
    )
    with pytest.raises(InvalidArgument) as wrong:
        decode_cursor(cursor, "NAME_ASC", "text")
    assert wrong.value.extensions == {"code": "BAD_USER_INPUT", "argument": "after"}
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
        with pytest.raises(InvalidArgument, match="ordered by"):
            await kg.page("Model", PageRequest(order="SCORE_DESC"))
        with pytest.raises(InvalidArgument):
            await kg.related("Model.secrets", ["x"])
        with pytest.raises(InvalidArgument):
            await kg.events_after_release("deepseek-r1", within_days=-1)
    assert trips.count == 0
    with pytest.raises(NotFound) as missing:
        await kg.leaderboard("no-such-benchmark")
    assert missing.value.extensions["code"] == "NOT_FOUND"


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
