"""Epoch AI's 2025-04 relational export parses into exact records, and imports repeatably."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import shutil
from collections import Counter
from pathlib import Path

import pytest

from modelatlas.domain import Benchmark, Model, Organization, OrganizationKind, Result, Source
from modelatlas.graph import Graph
from modelatlas.ingest.epoch import BENCHMARKS_SOURCE, EpochFormatError
from modelatlas.ingest.epoch_db import METRIC, parse_epoch_db, task_benchmark
from modelatlas.ingest.imports import import_epoch_db
from modelatlas.ingest.tabular import ImportBatch, record_id
from modelatlas.knowledge import KnowledgeGraph
from modelatlas.resources import resource_dir
from support import SHARED_DATA

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "epoch_db"
NAME = "epoch-benchmarking-db-2025-04"
LOG = "https://logs.epoch.ai/inspect-viewer/c79c08da/viewer.html?log_file={}.eval"
HUB = BENCHMARKS_SOURCE.url


@pytest.fixture(scope="module")
def batch() -> ImportBatch:
    """The fixture export, parsed once."""
    return parse_epoch_db(FIXTURES)


def _real() -> Path:
    """The full export in ../shared/data, or a skip saying it is absent."""
    path = SHARED_DATA / NAME
    if not (path / "benchmarks_runs.csv").is_file():
        pytest.skip(f"../shared/data is absent: {path / 'benchmarks_runs.csv'} not found")
    return path


# --------------------------------------------------------------------------- tasks


def test_tasks_map_to_the_hub_benchmarks() -> None:
    def mapped(task: str) -> tuple[str, str, str] | None:
        found = task_benchmark(task)
        return None if found is None else (found[0].slug, found[0].name, found[1])

    assert mapped("GPQA diamond") == ("gpqa-diamond", "GPQA Diamond", "")
    assert mapped("MATH level 5") == ("math-level-5", "MATH Level 5", "")
    assert mapped("OTIS Mock AIME 2024-2025") == (
        "otis-mock-aime-2024-2025",
        "OTIS Mock AIME 2024-2025",
        "",
    )
    assert mapped("FrontierMath-2025-02-28-Private") == ("frontiermath", "FrontierMath", "Private")
    assert mapped("FrontierMath-2025-02-28-Public") == ("frontiermath", "FrontierMath", "Public")
    assert mapped("SWE-bench Lite") is None
    assert mapped("") is None


# --------------------------------------------------------------------------- fixture


def test_fixture_results_are_exact(batch: ImportBatch) -> None:
    def result(run: str, model: str, benchmark: str, score: float, *cited: str) -> Result:
        split = [run.split("/")[1]] if "/" in run else []
        return Result(
            id=record_id("epoch-db", [run.split("/")[0], *split]),
            model=model,
            benchmark=benchmark,
            score=score,
            measured_on=None,
            evaluator="Epoch AI",
            sources=[*cited, HUB],
        )

    assert batch.dataset.results == [
        result("run-a", "claude-2", "gpqa-diamond", 0.35, LOG.format("run-a")),
        result("run-b", "claude-2", "math-level-5", 0.12),
        result("run-c/Private", "o3-mini", "frontiermath", 0.1, LOG.format("run-c")),
        result("run-d/Public", "o3-mini", "frontiermath", 0.2),
        result("run-e", "claude-3.5-sonnet", "otis-mock-aime-2024-2025", 0.4),
        result("run-f", "claude-3.5-sonnet", "otis-mock-aime-2024-2025", 0.45),
        result("run-g", "deepseek-r1-distill-qwen-14b", "gpqa-diamond", 0.5),
    ]
    assert batch.dataset.results[0].id == record_id("epoch-db", ["run-a"])
    assert batch.dataset.results[2].id == record_id("epoch-db", ["run-c", "Private"])


def test_fixture_benchmarks_and_sources(batch: ImportBatch) -> None:
    assert batch.dataset.benchmarks == [
        Benchmark(slug="gpqa-diamond", name="GPQA Diamond", metric=METRIC),
        Benchmark(slug="math-level-5", name="MATH Level 5", metric=METRIC),
        Benchmark(slug="frontiermath", name="FrontierMath", metric=METRIC),
        Benchmark(slug="otis-mock-aime-2024-2025", name="OTIS Mock AIME 2024-2025", metric=METRIC),
    ]
    assert batch.dataset.sources == [
        BENCHMARKS_SOURCE,
        *(
            Source(url=LOG.format(run), title="Epoch AI evaluation log", publisher="Epoch AI")
            for run in ("run-a", "run-c")
        ),
    ]


def test_fixture_models_have_version_aliases_developers_and_dates(batch: ImportBatch) -> None:
    assert batch.dataset.models == [
        Model(
            slug="claude-2",
            name="Claude 2",
            aliases=["claude-2.0"],
            developers=["anthropic"],
            released_on=dt.date(2023, 7, 11),
        ),
        Model(
            slug="o3-mini",
            name="o3-mini",
            aliases=["o3-mini-2025-01-31"],
            developers=["openai"],
            released_on=dt.date(2025, 1, 31),
        ),
        Model(
            slug="claude-3.5-sonnet",
            name="Claude 3.5 Sonnet",
            aliases=["claude-3-5-sonnet-20240620", "claude-3-5-sonnet-20241022"],
            developers=["anthropic"],
            released_on=dt.date(2024, 6, 20),  # the earliest of its versions
        ),
        Model(  # no Epoch name: named after the version id; "A, B" in All ML Systems split
            slug="deepseek-r1-distill-qwen-14b",
            name="DeepSeek-R1-Distill-Qwen-14B",
            developers=["deepseek"],
            released_on=dt.date(2025, 1, 20),
        ),
    ]


def test_fixture_organizations_only_those_of_emitted_models(batch: ImportBatch) -> None:
    company = OrganizationKind.COMPANY
    assert batch.dataset.organizations == [
        Organization(slug="anthropic", name="Anthropic", country="US", kind=company),
        Organization(slug="openai", name="OpenAI", country="US", kind=company),
        Organization(slug="deepseek", name="DeepSeek", country="CN", kind=company),
    ]


def test_fixture_report_counts_every_bad_row(batch: ImportBatch) -> None:
    report = batch.report
    assert (report.rows_read, report.rows_used) == (13, 7)
    assert dict(report.skipped) == {
        "result: duplicate run id": 1,
        "result: no model version": 1,
        "result: unknown task": 1,
        "result: model version not in model_versions": 1,
        "result: score is not a number": 1,
        "result: empty score": 1,
        "log viewer: not a URL (the result cites only the Epoch page)": 1,
        "version release date: not a date": 1,
    }
    assert report.examples["result: duplicate run id"] == ("benchmarks_runs.csv row 8 (run-a)",)
    assert report.examples["result: unknown task"] == (
        "benchmarks_runs.csv row 10 (run-i): 'SWE-bench Lite'",
    )
    assert report.examples["result: model version not in model_versions"] == (
        "benchmarks_runs.csv row 11 (run-j): 'mystery-model-1'",
    )
    assert batch.dataset.check_references() == []
    assert batch.dataset.duplicate_keys() == []


def test_gzipped_tables_parse_the_same(tmp_path: Path) -> None:
    for path in FIXTURES.glob("*.csv"):
        with path.open("rb") as plain, gzip.open(tmp_path / f"{path.name}.gz", "wb") as packed:
            shutil.copyfileobj(plain, packed)
    assert parse_epoch_db(tmp_path).dataset == parse_epoch_db(FIXTURES).dataset


def test_parsing_is_deterministic(batch: ImportBatch) -> None:
    assert parse_epoch_db(FIXTURES) == batch


def test_a_folder_without_runs_is_refused(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "model_versions.csv", tmp_path)
    with pytest.raises(EpochFormatError, match=r"no benchmarks_runs\.csv"):
        parse_epoch_db(tmp_path)
    with pytest.raises(EpochFormatError, match="not a folder"):
        parse_epoch_db(tmp_path / "model_versions.csv")


def test_a_runs_table_without_its_columns_is_refused(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "model_versions.csv", tmp_path)
    (tmp_path / "benchmarks_runs.csv").write_text("id,model\nrun-a,claude-2.0\n", encoding="utf-8")
    with pytest.raises(EpochFormatError, match="'task'"):
        parse_epoch_db(tmp_path)


# --------------------------------------------------------------------------- graph


@pytest.mark.anyio
async def test_fixture_import_then_rerun_writes_nothing(graph: Graph) -> None:
    kg = KnowledgeGraph(graph)
    first = await import_epoch_db(kg, FIXTURES)
    assert first.written.counts("Result").created == 7
    assert first.report.rows_used == 7
    again = await import_epoch_db(kg, FIXTURES)
    assert again.written.created == 0
    assert again.written.updated == 0
    rows = await graph.read(
        "MATCH (r:Result)-[:OF]->(m:Model), (r)-[:ON]->(b:Benchmark) "
        "RETURN r.id AS id, m.slug AS model, b.slug AS benchmark, r.score AS score "
        "ORDER BY id"
    )
    expected = sorted(
        (r.id, r.model, r.benchmark, r.score) for r in parse_epoch_db(FIXTURES).dataset.results
    )
    assert [(r["id"], r["model"], r["benchmark"], r["score"]) for r in rows] == expected
    cited = await graph.read(
        "MATCH (r:Result {id: $id})-[:CITED_IN]->(s:Source) RETURN s.url AS url ORDER BY url",
        {"id": record_id("epoch-db", ["run-a"])},
    )
    assert [row["url"] for row in cited] == [HUB, LOG.format("run-a")]


# --------------------------------------------------------------------------- real data


@pytest.mark.shared_data
def test_real_export_counts() -> None:
    path = _real()
    with (path / "benchmarks_runs.csv").open(newline="", encoding="utf-8-sig") as handle:
        runs = list(csv.DictReader(handle))
    batch = parse_epoch_db(path)
    dataset, report = batch.dataset, batch.report
    assert (report.rows_read, report.rows_used) == (len(runs), len(dataset.results)) == (280, 280)
    assert Counter(r.benchmark for r in dataset.results) == {
        "gpqa-diamond": 90,
        "math-level-5": 83,
        "otis-mock-aime-2024-2025": 62,
        "frontiermath": 45,
    }
    assert len(dataset.models) == 72
    assert len(dataset.organizations) == 19
    named = {alias for m in dataset.models for alias in m.aliases} | {
        m.name for m in dataset.models
    }
    assert {
        r["model"].strip() for r in runs
    } <= named  # every version id is a model's alias or name
    logged = sum(1 for r in runs if r["log viewer"].strip())
    assert len(dataset.sources) == logged + 1 == 176
    assert dict(report.skipped) == {"model: no organization lists it in All ML Systems": 1}
    assert dict(report.unmapped_countries) == {"Multinational": 1}
    assert dataset.check_references() == []
    assert dataset.duplicate_keys() == []
    models = {m.slug: m for m in dataset.models}
    assert models["claude-3.5-sonnet"].developers == ["anthropic"]
    assert models["tulu-3-tulu-3-70b"].developers == [
        "allen-institute-for-ai",
        "university-of-washington",
    ]


@pytest.mark.shared_data
def test_snapshot_copy_parses_like_the_full_export() -> None:
    full = parse_epoch_db(_real())
    snapshot = parse_epoch_db(resource_dir("seed") / "snapshot" / NAME)
    assert snapshot.dataset == full.dataset
    assert dict(snapshot.report.skipped) == dict(full.report.skipped)
