"""LMArena's leaderboard files parse into exact records, and import repeatably."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import shutil
from collections import Counter
from pathlib import Path

import pytest

from modelatlas.domain import Benchmark, Model, Organization, Result
from modelatlas.graph import Graph
from modelatlas.ingest.imports import import_lmarena
from modelatlas.ingest.lmarena import (
    ARENA_HARD_SOURCE,
    LMARENA_SOURCE,
    LMArenaFormatError,
    parse_lmarena,
)
from modelatlas.ingest.tabular import ImportBatch, record_id
from modelatlas.knowledge import KnowledgeGraph
from modelatlas.resources import resource_dir
from support import SHARED_DATA

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "lmarena"
NAME = "lmarena-leaderboard-2025-05"
TABLE = "leaderboard_table_20250511"
ARENA_HARD = "arena_hard_auto_leaderboard_v0.1"
JULY_31 = dt.date(2024, 7, 31)


@pytest.fixture(scope="module")
def batch() -> ImportBatch:
    """The fixture folder, parsed once."""
    return parse_lmarena(FIXTURES)


def _real() -> Path:
    """The full leaderboard folder in ../shared/data, or a skip saying it is absent."""
    path = SHARED_DATA / NAME
    if not (path / f"{TABLE}.csv").is_file():
        pytest.skip(f"../shared/data is absent: {path / f'{TABLE}.csv'} not found")
    return path


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


# --------------------------------------------------------------------------- fixture


def test_fixture_results_are_exact(batch: ImportBatch) -> None:
    def table(benchmark: str, key: str, model: str, score: float) -> Result:
        return Result(
            id=record_id("lmarena", [benchmark, key, TABLE]),
            model=model,
            benchmark=benchmark,
            score=score,
            evaluator="LMArena",
            sources=[LMARENA_SOURCE.url],
        )

    def hard(key: str, model: str, score: float, measured: dt.date | None = JULY_31) -> Result:
        return Result(
            id=record_id("lmarena", ["arena-hard-auto", key, ARENA_HARD]),
            model=model,
            benchmark="arena-hard-auto",
            score=score,
            measured_on=measured,
            evaluator="LMArena",
            sources=[ARENA_HARD_SOURCE.url],
        )

    assert batch.dataset.results == [
        table("mt-bench", "gpt-4-0314", "gpt-4-0314", 8.96),
        table("mmlu", "gpt-4-0314", "gpt-4-0314", 0.864),
        table("mmlu", "claude-3-5-sonnet-20240620", "claude-3.5-sonnet-20240620", 0.887),
        table("mt-bench", "vicuna-13b", "vicuna-13b", 6.57),
        table("mmlu", "vicuna-13b", "vicuna-13b", 0.558),
        table("mt-bench", "tulu-30b", "tulu-30b", 6.43),
        table("mmlu", "tulu-30b", "tulu-30b", 0.581),
        table("mmlu", "yi-34b-chat", "yi-34b-chat", 0.735),
        table("mmlu", "mpt-7b-chat", "mpt-7b-chat", 0.32),
        hard("gpt-4-turbo-2024-04-09", "gpt-4-turbo-2024-04-09", 82.63),
        hard("claude-3-5-sonnet-20240620", "claude-3.5-sonnet-20240620", 79.35),
        hard("gpt-4-0314", "gpt-4-0314", 50.0),
        hard("llama-3-70b-instruct", "llama-3-70b-instruct", 46.57),
        hard("vicuna-13b", "vicuna-13b", 5.0, measured=None),  # "31 July 2024"
    ]


def test_fixture_benchmarks_and_sources(batch: ImportBatch) -> None:
    assert batch.dataset.benchmarks == [
        Benchmark(slug="mt-bench", name="MT-Bench", metric="score (1-10)"),
        Benchmark(slug="mmlu", name="MMLU", metric="EM"),
        Benchmark(
            slug="arena-hard-auto", name="Arena-Hard-Auto", metric="win rate vs GPT-4-0314 (%)"
        ),
    ]
    assert batch.dataset.sources == [LMARENA_SOURCE, ARENA_HARD_SOURCE]
    assert (
        LMARENA_SOURCE.url == "https://huggingface.co/spaces/lmarena-ai/chatbot-arena-leaderboard"
    )
    assert ARENA_HARD_SOURCE.url == "https://github.com/lmarena/arena-hard-auto"


def test_fixture_models_have_key_aliases_and_developers(batch: ImportBatch) -> None:
    def model(slug: str, name: str, aliases: list[str], developer: str | None) -> Model:
        return Model(
            slug=slug, name=name, aliases=aliases, developers=[developer] if developer else []
        )

    assert batch.dataset.models == [
        model(
            "gpt-4-turbo-2024-04-09",
            "GPT-4-Turbo-2024-04-09",
            ["gpt-4-turbo-2024-04-09"],
            "openai",
        ),
        model("gpt-4-0314", "GPT-4-0314", ["gpt-4-0314"], "openai"),
        model(
            "claude-3.5-sonnet-20240620",
            "Claude 3.5 Sonnet (20240620)",
            ["claude-3-5-sonnet-20240620"],
            "anthropic",
        ),
        model("vicuna-13b", "Vicuna-13B", ["vicuna-13b"], "lmsys"),
        model("tulu-30b", "Tulu-30B", ["tulu-30b"], "allenai-uw"),
        model("yi-34b-chat", "Yi-34B-Chat", ["yi-34b-chat"], "01-ai"),
        model(  # two Arena keys with one display name are one model
            "gemini-1.5-pro-001",
            "Gemini-1.5-Pro-001",
            ["gemini-1.5-pro-api-0514", "gemini-1.5-pro-001"],
            "google",
        ),
        model("mpt-7b-chat", "MPT-7B-Chat", ["mpt-7b-chat"], "mosaicml"),
        model("llama-3-70b-instruct", "llama-3-70b-instruct", [], None),  # Arena-Hard only
    ]
    assert batch.dataset.organizations == [
        Organization(slug="openai", name="OpenAI"),
        Organization(slug="anthropic", name="Anthropic"),
        Organization(slug="lmsys", name="LMSYS"),
        Organization(slug="allenai-uw", name="AllenAI/UW"),
        Organization(slug="01-ai", name="01 AI"),
        Organization(slug="google", name="Google"),
        Organization(slug="mosaicml", name="MosaicML"),
    ]


def test_fixture_report_counts_missing_and_bad_values(batch: ImportBatch) -> None:
    report = batch.report
    assert (report.rows_read, report.rows_used) == (10 + 7, 9 + 5)
    assert dict(report.skipped) == {
        "mt-bench: no score ('-' or empty)": 5,
        "mmlu: no score ('-' or empty)": 3,
        "result: score is not a number": 2,
        "row: key listed twice": 1,
        "arena-hard-auto: duplicate result (same key)": 1,
        "measurement date: not a date": 1,
    }
    assert report.examples["result: score is not a number"] == (
        f"{TABLE}.csv row 10 (mpt-7b-chat) MT-bench (score): '5.42x'",
        f"{ARENA_HARD}.csv row 5 (gemma-2b-it): '-'",
    )
    assert report.examples["row: key listed twice"] == (f"{TABLE}.csv row 7 (yi-34b-chat)",)
    assert dict(report.skipped_files) == {
        "leaderboard_table_20240101.csv": f"an older leaderboard table than {TABLE}.csv"
    }
    assert batch.dataset.check_references() == []
    assert batch.dataset.duplicate_keys() == []


def test_gzipped_files_parse_the_same(tmp_path: Path) -> None:
    for name in (f"{TABLE}.csv", f"{ARENA_HARD}.csv"):
        with (
            (FIXTURES / name).open("rb") as plain,
            gzip.open(tmp_path / f"{name}.gz", "wb") as packed,
        ):
            shutil.copyfileobj(plain, packed)
    assert parse_lmarena(tmp_path).dataset == parse_lmarena(FIXTURES).dataset


def test_parsing_is_deterministic(batch: ImportBatch) -> None:
    assert parse_lmarena(FIXTURES) == batch


def test_arena_hard_alone_names_models_after_their_keys(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / f"{ARENA_HARD}.csv", tmp_path)
    dataset = parse_lmarena(tmp_path).dataset
    assert [m.slug for m in dataset.models][:3] == [
        "gpt-4-turbo-2024-04-09",
        "claude-3-5-sonnet-20240620",
        "gpt-4-0314",
    ]
    assert all(m.name == m.slug and not m.aliases for m in dataset.models)
    assert {r.benchmark for r in dataset.results} == {"arena-hard-auto"}


def test_a_folder_with_neither_file_is_refused(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "elo_data.json", tmp_path)
    with pytest.raises(LMArenaFormatError, match="not an LMArena leaderboard folder"):
        parse_lmarena(tmp_path)
    assert issubclass(LMArenaFormatError, ValueError)
    with pytest.raises(LMArenaFormatError, match="not a folder"):
        parse_lmarena(tmp_path / "elo_data.json")


def test_a_table_without_its_columns_is_refused(tmp_path: Path) -> None:
    (tmp_path / f"{TABLE}.csv").write_text("Model,MMLU\nGPT-4,0.86\n", encoding="utf-8")
    with pytest.raises(LMArenaFormatError, match="'key'"):
        parse_lmarena(tmp_path)


# --------------------------------------------------------------------------- graph


@pytest.mark.anyio
async def test_fixture_import_then_rerun_writes_nothing(graph: Graph) -> None:
    kg = KnowledgeGraph(graph)
    first = await import_lmarena(kg, FIXTURES)
    assert first.written.counts("Result").created == 14
    again = await import_lmarena(kg, FIXTURES)
    assert again.written.created == 0
    assert again.written.updated == 0
    rows = await graph.read(
        "MATCH (r:Result)-[:OF]->(m:Model), (r)-[:ON]->(b:Benchmark) "
        "RETURN r.id AS id, m.slug AS model, b.slug AS benchmark, r.score AS score "
        "ORDER BY id"
    )
    expected = sorted(
        (r.id, r.model, r.benchmark, r.score) for r in parse_lmarena(FIXTURES).dataset.results
    )
    assert [(r["id"], r["model"], r["benchmark"], r["score"]) for r in rows] == expected
    hard = await graph.read(
        "MATCH (r:Result)-[:ON]->(:Benchmark {slug: 'arena-hard-auto'}), "
        "(r)-[:OF]->(:Model {slug: 'gpt-4-turbo-2024-04-09'}), "
        "(r)-[:CITED_IN]->(s:Source) RETURN r.score AS score, s.url AS url"
    )
    assert hard == [{"score": 82.63, "url": ARENA_HARD_SOURCE.url}]


# --------------------------------------------------------------------------- real data


@pytest.mark.shared_data
def test_real_leaderboard_counts() -> None:
    path = _real()
    table = _rows(path / f"{TABLE}.csv")
    arena_hard = _rows(path / f"{ARENA_HARD}.csv")
    batch = parse_lmarena(path)
    dataset, report = batch.dataset, batch.report
    assert report.rows_read == len(table) + len(arena_hard) == 293 + 60
    assert report.rows_used == 352  # all but the repeated yi-34b-chat row
    assert Counter(r.benchmark for r in dataset.results) == {
        "mt-bench": 67,
        "mmlu": 102,
        "arena-hard-auto": 60,
    }
    assert len(dataset.models) == 287
    assert len(dataset.organizations) == 59
    assert dict(report.skipped) == {
        "mt-bench: no score ('-' or empty)": 225,
        "mmlu: no score ('-' or empty)": 190,
        "row: key listed twice": 1,
    }
    assert dict(report.skipped_files) == {}
    assert {r.measured_on for r in dataset.results if r.benchmark == "arena-hard-auto"} == {JULY_31}
    mmlu = [r.score for r in dataset.results if r.benchmark == "mmlu"]
    assert 0 < min(mmlu) <= max(mmlu) < 1  # a fraction, like the hub's MMLU
    assert dataset.check_references() == []
    assert dataset.duplicate_keys() == []
    keys = {alias for m in dataset.models for alias in m.aliases} | {m.name for m in dataset.models}
    assert {row["key"] for row in table} <= keys


@pytest.mark.shared_data
def test_snapshot_copy_parses_like_the_full_folder() -> None:
    full = parse_lmarena(_real())
    snapshot = parse_lmarena(resource_dir("seed") / "snapshot" / NAME)
    assert snapshot.dataset == full.dataset
    assert dict(snapshot.report.skipped) == dict(full.report.skipped)
