"""Epoch AI CSVs parse into valid batches: exact results on fixtures, counts on real files."""

import csv
import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest

from modelatlas.domain import Accessibility, Dataset, Model, OrganizationKind, slugify
from modelatlas.ingest.epoch import (
    BENCHMARKS_SOURCE,
    EpochFormatError,
    model_lookup,
    model_slug,
    name_key,
)
from modelatlas.ingest.epoch_benchmarks import parse_epoch_benchmarks
from modelatlas.ingest.epoch_models import MODELS_SOURCE, parse_epoch_models
from modelatlas.ingest.resolution import resolve_models
from modelatlas.ingest.tabular import ImportBatch

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "epoch"
SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
MODEL_FILES = [
    "epoch-notable-ai-models/notable_ai_models.csv",
    "epoch-ai-models-2025-12/frontier_ai_models.csv",
    "epoch-ai-models-2025-12/large_scale_ai_models.csv",
]
HUB = "epoch-benchmarking-hub"
NO_BASE = "base model: not in this file (left to resolve_models)"


def models_of(dataset: Dataset) -> dict[str, Model]:
    """A dataset's models by slug."""
    return {model.slug: model for model in dataset.models}


def references_outside(dataset: Dataset, allowed: set[str]) -> list[str]:
    """Reference problems that do not point at one of the allowed (graph) keys."""
    return [str(p) for p in dataset.check_references() if p.missing not in allowed]


# --------------------------------------------------------------------------- names


def test_name_key_ignores_spacing_dots_and_dashes() -> None:
    assert name_key("Qwen 2.5 Max") == name_key("qwen2.5-max") == "qwen25max"
    assert name_key("claude-3-5-sonnet") == name_key("Claude 3.5 Sonnet")
    assert name_key("PointNet++") != name_key("PointNet")
    assert model_slug("PointNet++") == "pointnet-plus-plus"
    assert model_slug("DeepLabV3+") != model_slug("DeepLabV3")
    with pytest.raises(ValueError):
        name_key("-- . --")


def test_model_lookup_drops_ambiguous_keys_but_keeps_own_slugs() -> None:
    known = model_lookup(
        [
            ("gpt-4o", ["GPT-4o", "omni"]),
            ("gpt4o-mini", ["omni", "GPT 4o"]),
            ("qwen2.5-max", ["Qwen 2.5 Max"]),
        ]
    )
    assert known["gpt4o"] == "gpt-4o"  # also "GPT 4o" of the other, but gpt-4o's own slug
    assert "omni" not in known
    assert known["qwen25max"] == "qwen2.5-max"
    assert known["gpt4omini"] == "gpt4o-mini"


# --------------------------------------------------------------------------- models fixture


@pytest.fixture(scope="module")
def notable() -> ImportBatch:
    """The notable-models fixture, parsed once."""
    return parse_epoch_models(FIXTURES / "notable_ai_models.csv")


def test_models_fixture_gives_exact_records(notable: ImportBatch) -> None:
    models = models_of(notable.dataset)
    assert list(models) == [
        "alpha-1",
        "alpha-1-instruct",
        "beta-mar-2025",
        "gamma",
        "delta-plus",
        "delta",
    ]
    alpha = notable.dataset.models[0]
    assert alpha.name == "Alpha-1"  # trailing newline stripped
    assert alpha.developers == ["lab-one", "uni-two"]
    assert alpha.parameters == 405_000_000_000
    assert isinstance(alpha.parameters, int)
    assert alpha.training_compute_flop == 3.8e25
    assert alpha.modalities == ["language", "vision"]
    assert alpha.accessibility is Accessibility.OPEN_WEIGHTS
    assert alpha.released_on == dt.date(2024, 7, 23)
    assert alpha.derived_from == []

    instruct, beta, gamma, delta_plus, delta = notable.dataset.models[1:]
    assert instruct.derived_from == ["alpha-1"]
    assert instruct.accessibility is Accessibility.API
    assert notable.unresolved_bases == (("alpha-1-instruct", "Outside Base 2"),)
    assert (beta.parameters, beta.released_on, beta.training_compute_flop) == (None, None, 1e23)
    assert beta.accessibility is Accessibility.HOSTED
    assert (gamma.parameters, gamma.released_on) == (None, None)  # "abc"; 2099 is future
    assert gamma.accessibility is Accessibility.OPEN_WEIGHTS_RESTRICTED
    assert (delta_plus.name, delta_plus.parameters, delta_plus.developers) == (
        "Delta+",
        257_000_000,
        [],
    )
    assert delta_plus.accessibility is Accessibility.UNRELEASED
    assert delta.derived_from == ["delta-plus"]
    assert delta.developers == ["lab-one", "nersc-lawrence-berkeley-national-laboratory"]
    assert delta.accessibility is Accessibility.OPEN_WEIGHTS_RESTRICTED


def test_models_fixture_organizations_follow_the_alignment_rules(notable: ImportBatch) -> None:
    orgs = {o.slug: (o.name, o.kind, o.country) for o in notable.dataset.organizations}
    assert orgs == {
        # Row 1 has 2 organizations and 3 different countries: not zipped. Lab One is US
        # from row 2; Uni Two is CN from row 3; NERSC shares the one country of its row.
        "lab-one": ("Lab One", OrganizationKind.COMPANY, "US"),
        "uni-two": ("Uni Two", OrganizationKind.ACADEMIA, "CN"),
        "collective-x": ("Collective X", OrganizationKind.RESEARCH_COLLECTIVE, None),
        "nersc-lawrence-berkeley-national-laboratory": (
            "NERSC, Lawrence Berkeley National Laboratory",
            OrganizationKind.GOVERNMENT,
            "US",
        ),
    }
    assert notable.report.unmapped_countries == {"Multinational": 1}


def test_models_fixture_releases_cite_the_link_and_epoch(notable: ImportBatch) -> None:
    releases = {r.slug: r for r in notable.dataset.releases}
    assert list(releases) == ["epoch-alpha-1", "epoch-alpha-1-instruct", "epoch-delta"]
    alpha = releases["epoch-alpha-1"]
    assert (alpha.title, alpha.date) == ("Alpha: a model", dt.date(2024, 7, 23))
    assert alpha.announced_by == ["lab-one", "uni-two"]
    assert alpha.introduced == ["alpha-1"]
    assert alpha.sources == ["https://example.org/alpha", MODELS_SOURCE.url]
    assert releases["epoch-alpha-1-instruct"].title == "Alpha-1-Instruct"  # no Reference
    assert releases["epoch-alpha-1-instruct"].sources[0] == "https://example.org/b"
    assert releases["epoch-delta"].sources[0] == "https://example.org/delta"
    sources = {s.url: s for s in notable.dataset.sources}
    assert list(sources) == [
        MODELS_SOURCE.url,
        "https://example.org/alpha",
        "https://example.org/b",
        "https://example.org/delta",
    ]
    assert sources[MODELS_SOURCE.url].publisher == "Epoch AI"
    assert sources["https://example.org/alpha"].title == "Alpha: a model"
    assert sources["https://example.org/b"].title is None


def test_models_fixture_report(notable: ImportBatch) -> None:
    report = notable.report
    assert (report.rows_read, report.rows_used) == (7, 6)
    assert report.skipped == {
        "row without a model name": 1,
        "parameters: not a whole number": 1,
        "parameters: not a number": 1,
        "parameters: float noise rounded to a whole number": 1,
        "publication date: in the future": 1,
        "no release: no valid publication date": 2,
        "no release: no organization": 1,
        NO_BASE: 1,
    }
    assert report.examples["row without a model name"] == ("row 4",)
    assert report.examples["parameters: not a whole number"] == ("row 3 (Beta (Mar 2025)): '1.5'",)
    assert report.examples["no release: no organization"] == ("row 6 (Delta+)",)
    assert notable.dataset.check_references() == []
    assert notable.dataset.duplicate_keys() == []
    assert "6 of 7 rows used" in notable.summary()
    with pytest.raises(dataclasses.FrozenInstanceError):
        notable.report = report  # type: ignore[misc]


def test_large_scale_layout_without_categorization() -> None:
    batch = parse_epoch_models(FIXTURES / "large_scale_ai_models.csv")
    assert [m.slug for m in batch.dataset.models] == ["omega-70b", "omega-70b-chat", "omega-8b"]
    assert batch.dataset.models[0].training_compute_flop == 9.702e24
    assert batch.dataset.models[1].derived_from == ["omega-70b"]
    assert batch.dataset.models[2].parameters == 8_000_000_000
    assert [(o.slug, o.kind, o.country) for o in batch.dataset.organizations] == [
        ("lab-one", None, "US")
    ]
    chat = {r.slug: r for r in batch.dataset.releases}["epoch-omega-70b-chat"]
    assert chat.sources == ["https://arxiv.org/abs/2501.14818", MODELS_SOURCE.url]
    assert batch.report.skipped == {"link: empty (the release cites only the Epoch page)": 1}


def test_a_file_without_a_model_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(EpochFormatError):
        parse_epoch_models(path)


# --------------------------------------------------------------------------- resolution


def test_resolve_keeps_new_models_and_adds_graph_bases(notable: ImportBatch) -> None:
    known = model_lookup([("base-two", ["Outside Base 2"])])
    resolved = resolve_models(notable, known)
    instruct = models_of(resolved.dataset)["alpha-1-instruct"]
    # A base outside the batch is an edge to link after the write (it may not exist yet).
    assert instruct.derived_from == ["alpha-1"]
    assert resolved.unresolved_bases == ()
    assert resolved.extra_derivations == (("alpha-1-instruct", "base-two"),)
    assert resolved.report.unresolved == ()
    assert references_outside(resolved.dataset, {"base-two"}) == []


def test_resolve_drops_existing_models_and_returns_their_edges(notable: ImportBatch) -> None:
    known = model_lookup(
        [("alpha-instruct", ["Alpha 1 Instruct"]), ("base-two", ["Outside Base 2"])]
    )
    resolved = resolve_models(notable, known)
    models = models_of(resolved.dataset)
    assert "alpha-1-instruct" not in models
    assert len(models) == 5
    assert resolved.extra_derivations == (
        ("alpha-instruct", "base-two"),
        ("alpha-instruct", "alpha-1"),
    )
    release = {r.slug: r for r in resolved.dataset.releases}["epoch-alpha-1-instruct"]
    assert release.introduced == ["alpha-instruct"]
    assert resolved.report.existing_models == 1
    # "Alpha 1 Instruct" is the graph's alias of alpha-instruct: matched by its loose key.
    assert resolved.report.resolution == {"normalised": 1, "new": 5}
    assert len(resolved.report.new_models) == 5
    assert any("5 new models" in line for line in resolved.report.lines())
    assert references_outside(resolved.dataset, set(known.values())) == []
    assert {p.missing for p in resolved.dataset.check_references()} == {"alpha-instruct"}


def test_resolve_reports_bases_it_cannot_find(notable: ImportBatch) -> None:
    resolved = resolve_models(notable, {})
    assert resolved.unresolved_bases == (("alpha-1-instruct", "Outside Base 2"),)
    assert resolved.report.unresolved == ("alpha-1-instruct: Outside Base 2",)
    assert resolved.dataset.check_references() == []
    assert resolved.dataset == notable.dataset


# --------------------------------------------------------------------------- hub fixture


@pytest.fixture(scope="module")
def hub() -> ImportBatch:
    """The benchmarking-hub fixture folder, parsed once."""
    return parse_epoch_benchmarks(FIXTURES / "hub")


def test_hub_fixture_benchmarks_and_skipped_files(hub: ImportBatch) -> None:
    assert [(b.slug, b.name, b.metric, b.higher_is_better) for b in hub.dataset.benchmarks] == [
        ("gpqa-diamond", "GPQA Diamond", "mean_score", True),
        ("mmlu", "MMLU", "EM", True),
    ]
    assert set(hub.report.skipped_files) == {
        "additional_eci_data/eci_scaling.csv",
        "epoch_capabilities_index.csv",
        "readme_table.csv",
    }


def test_hub_fixture_results(hub: ImportBatch) -> None:
    got = [
        (r.benchmark, r.model, r.score, r.measured_on, r.evaluator, r.sources)
        for r in hub.dataset.results
    ]
    epoch, evals = [BENCHMARKS_SOURCE.url], ["https://github.com/openai/simple-evals"]
    assert got == [
        ("gpqa-diamond", "gpt-4o-aug-2024", 0.5, dt.date(2025, 1, 27), "Epoch AI", epoch),
        ("gpqa-diamond", "claude-3.5-sonnet-oct-2024", 0.6, dt.date(2025, 2, 1), "Epoch AI", epoch),
        ("gpqa-diamond", "qwen2.5-max", 0.55, None, "Epoch AI", epoch),
        ("mmlu", "gpt-4o-aug-2024", 0.887, None, "OpenAI simple-evals", evals + epoch),
        ("mmlu", "gpt-4o-aug-2024", 0.887, None, "OpenAI simple-evals", evals + epoch),
        ("mmlu", "llama-3.1-405b", 0.873, None, None, epoch),
    ]
    ids = [r.id for r in hub.dataset.results]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"epoch-[0-9a-f]{20}", i) for i in ids)
    assert [r.id for r in parse_epoch_benchmarks(FIXTURES / "hub").dataset.results] == ids
    assert {(r.key, r.KIND) for r in hub.dataset.records()} == {
        (r.key, r.KIND) for r in parse_epoch_benchmarks(FIXTURES / "hub").dataset.records()
    }


def test_hub_fixture_models_come_from_the_capabilities_index(hub: ImportBatch) -> None:
    models = {m.slug: (m.name, m.aliases, m.developers) for m in hub.dataset.models}
    assert models == {
        "gpt-4o-aug-2024": ("GPT-4o (Aug 2024)", ["gpt-4o-2024-08-06"], ["openai"]),
        "claude-3.5-sonnet-oct-2024": (
            "Claude 3.5 Sonnet (Oct 2024)",
            ["claude-3-5-sonnet-20241022_16K"],
            ["anthropic"],
        ),
        # Not named in the index: provider prefix and effort suffix dropped.
        "qwen2.5-max": ("Qwen2.5-Max", ["chutes/Qwen2.5-Max_high"], ["alibaba"]),
        "llama-3.1-405b": (
            "Llama 3.1-405B",
            ["Meta-Llama-3.1-405B-Instruct"],
            ["meta-ai", "stanford-university"],
        ),
    }
    assert {o.slug: o.country for o in hub.dataset.organizations} == {
        "openai": "US",
        "anthropic": "US",
        "alibaba": "CN",
        "meta-ai": "US",
        "stanford-university": "US",
    }


def test_hub_fixture_report(hub: ImportBatch) -> None:
    assert (hub.report.rows_read, hub.report.rows_used) == (9, 6)
    assert hub.report.skipped == {
        "result: negative score": 1,
        "result: no model version (only the source's own name)": 1,
        "result: score is not a number": 1,
    }
    assert hub.report.examples["result: negative score"] == (
        "gpqa_diamond.csv row 3 (gpt-4o-2024-08-06): '-0.1'",
    )
    assert hub.dataset.check_references() == []
    assert [s.url for s in hub.dataset.sources] == [
        BENCHMARKS_SOURCE.url,
        "https://github.com/openai/simple-evals",
    ]


def test_resolve_points_hub_results_at_graph_models_and_benchmarks(hub: ImportBatch) -> None:
    known = model_lookup(
        [
            ("gpt-4o-aug-2024", ["GPT-4o (Aug 2024)"]),
            ("qwen2.5-max", ["Qwen2.5-Max", "Qwen 2.5 Max"]),
            ("llama-3.1-405b", ["Llama 3.1 405B"]),
        ]
    )
    benchmarks = model_lookup([("gpqa-diamond", ["GPQA-Diamond"])])
    resolved = resolve_models(hub, known, benchmarks=benchmarks)
    assert [m.slug for m in resolved.dataset.models] == ["claude-3.5-sonnet-oct-2024"]
    assert [b.slug for b in resolved.dataset.benchmarks] == ["mmlu"]
    assert [r.model for r in resolved.dataset.results] == [r.model for r in hub.dataset.results]
    assert resolved.report.existing_models == 3
    allowed = set(known.values()) | set(benchmarks.values())
    assert references_outside(resolved.dataset, allowed) == []
    renamed = resolve_models(hub, model_lookup([("llama-3-1-405b", ["Llama 3.1 405B"])]))
    assert renamed.dataset.results[-1].model == "llama-3-1-405b"


# --------------------------------------------------------------------------- real files


def shared(relative: str) -> Path:
    """A path under ../shared/data, or skip the test when that folder is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"../shared/data is absent: {SHARED_DATA} not found")
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"../shared/data is absent: {path} not found")
    return path


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows, read independently of the module under test."""
    csv.field_size_limit(2**31 - 1)
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def items(cell: str) -> list[str]:
    """Epoch's multi-valued cells: comma-separated, but ", " is part of a name."""
    return [part.strip() for part in re.split(r",(?!\s)", cell) if part.strip()]


@pytest.mark.shared_data
@pytest.mark.parametrize("relative", MODEL_FILES)
def test_real_models_file_counts(relative: str) -> None:
    path = shared(relative)
    _, rows = read_rows(path)
    batch = parse_epoch_models(path)
    dataset = batch.dataset

    names = {" ".join(row["Model"].split()) for row in rows if row["Model"].strip()}
    assert {m.name for m in dataset.models} == names
    assert len(dataset.models) == len(names)

    orgs = {slugify(name) for row in rows for name in items(row["Organization"])}
    assert {o.slug for o in dataset.organizations} == orgs

    today = dt.date.today()
    expected_releases = 0
    for row in rows:
        date = row["Publication date"].strip()
        has_date = bool(date) and dt.date.fromisoformat(date) <= today
        if row["Model"].strip() and has_date and items(row["Organization"]):
            expected_releases += 1
    assert len(dataset.releases) == expected_releases
    assert all(MODELS_SOURCE.url in r.sources for r in dataset.releases)

    model_slugs = {model_slug(name) for name in names}
    bases = [(row["Model"], base) for row in rows for base in items(row["Base model"])]
    outside = [base for _, base in bases if model_slug(base) not in model_slugs]
    assert len(batch.unresolved_bases) == len(outside)
    assert sum(len(m.derived_from) for m in dataset.models) == len(bases) - len(outside)

    assert dataset.check_references() == []
    assert dataset.duplicate_keys() == []
    assert batch.report.rows_read == len(rows)


@pytest.mark.shared_data
def test_real_hub_counts() -> None:
    folder = shared(HUB)
    batch = parse_epoch_benchmarks(folder)
    dataset = batch.dataset

    tables = 0
    expected = 0
    for path in sorted(folder.glob("*.csv")):
        header, rows = read_rows(path)
        if "Model version" not in header or "Release date" not in header or "Model name" in header:
            continue
        tables += 1
        column = (
            "mean_score" if "mean_score" in header else header[header.index("Release date") - 1]
        )
        for row in rows:
            try:
                score = float(row[column])
            except ValueError:
                continue
            if row["Model version"].strip() and score >= 0:
                expected += 1
    assert len(dataset.benchmarks) == tables
    assert len(dataset.results) == expected
    assert batch.report.rows_used == expected
    assert "epoch_capabilities_index.csv" in batch.report.skipped_files
    assert any(name.startswith("additional_eci_data/") for name in batch.report.skipped_files)
    assert all(r.sources[-1] == BENCHMARKS_SOURCE.url for r in dataset.results)
    assert dataset.duplicate_keys() == []
    assert dataset.check_references() == []


@pytest.mark.shared_data
def test_real_files_resolve_against_each_other() -> None:
    notable = parse_epoch_models(shared(MODEL_FILES[0]))
    hub = parse_epoch_benchmarks(shared(HUB))
    known = model_lookup((m.slug, [m.name, *m.aliases]) for m in notable.dataset.models)
    resolved = resolve_models(hub, known)
    assert resolved.report.existing_models > 0
    assert len(resolved.dataset.models) == len(hub.dataset.models) - resolved.report.existing_models
    assert len(resolved.dataset.results) == len(hub.dataset.results)
    assert references_outside(resolved.dataset, set(known.values())) == []


def test_matches_are_told_apart_exact_alias_normalised_new() -> None:
    from modelatlas.ingest.resolution import _match

    known = model_lookup([("gpt-4o", ["GPT-4o", "GPT-4 Omni"])])
    existing = set(known.values())
    assert _match(["gpt-4o"], known, existing) == ("gpt-4o", "exact")
    assert _match(["gpt-4-omni-x", "gpt-4 omni"], known, existing) == ("gpt-4o", "alias")
    assert _match(["gpt-4-omni-x", "GPT 4 Omni!"], known, existing) == ("gpt-4o", "normalised")
    assert _match(["Claude 3"], known, existing) == (None, "new")
