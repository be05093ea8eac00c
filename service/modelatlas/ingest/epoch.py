"""Epoch AI's CSV downloads as Datasets: models, organizations, releases and benchmark results.

Pure parsing, no database access. Epoch AI publishes its data under CC BY 4.0, so every
Release and Result cites the Epoch page it came from as well as the row's own link.
Rows that cannot be mapped are counted in an :class:`ImportReport` and never stop a parse.
The parsed batch refers to models by the slugs derived here; resolution.resolve_models
rewrites them to the slugs of models the graph already holds, so an import merges into
existing nodes instead of duplicating them.
"""

import csv
import datetime as dt
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from modelatlas.domain import (
    Accessibility,
    Benchmark,
    Dataset,
    Model,
    Release,
    Result,
    Source,
    slugify,
)
from modelatlas.ingest.tabular import (
    Collector,
    ImportBatch,
    Organizations,
    clean,
    error_text,
    first_url,
    iso_date,
    parse_score,
    read_csv,
    record_id,
    source_for,
    split_cell,
)

__all__ = [
    "BENCHMARKS_SOURCE",
    "BENCHMARK_NAMES",
    "MODELS_SOURCE",
    "EpochFormatError",
    "model_lookup",
    "model_slug",
    "name_key",
    "parse_epoch_benchmarks",
    "parse_epoch_models",
]

MODELS_SOURCE: Final = Source(
    url="https://epoch.ai/data/ai-models",
    title="Epoch AI, 'Data on AI Models'",
    publisher="Epoch AI",
)
"""The dataset-level citation Epoch AI asks for (CC BY 4.0), cited by every Release."""

BENCHMARKS_SOURCE: Final = Source(
    url="https://epoch.ai/benchmarks",
    title="Epoch AI, 'AI Benchmarking Hub'",
    publisher="Epoch AI",
)
"""The Benchmarking Hub's citation (CC BY 4.0), cited by every Result."""

BENCHMARK_NAMES: Final[dict[str, str]] = {
    "adversarial_nli": "Adversarial NLI",
    "aider_polyglot": "Aider Polyglot",
    "apex_agents": "APEX-Agents",
    "arc_agi": "ARC-AGI",
    "arc_agi_2": "ARC-AGI-2",
    "arc_ai2": "AI2 Reasoning Challenge",
    "balrog": "BALROG",
    "bbh": "BIG-Bench Hard",
    "bool_q": "BoolQ",
    "cad_eval": "CadEval",
    "chess_puzzles": "Chess Puzzles",
    "common_sense_qa_2": "CommonsenseQA 2.0",
    "cybench": "Cybench",
    "deepresearchbench": "DeepResearch Bench",
    "fictionlivebench": "Fiction.LiveBench",
    "frontiermath": "FrontierMath",
    "frontiermath_tier_4": "FrontierMath Tier 4",
    "gdpval": "GDPval",
    "geobench": "GeoBench",
    "gpqa_diamond": "GPQA Diamond",
    "gsm8k": "GSM8K",
    "gso": "GSO",
    "hella_swag": "HellaSwag",
    "hle": "Humanity's Last Exam",
    "lambada": "LAMBADA",
    "lech_mazur_writing": "Lech Mazur Creative Writing",
    "live_bench": "LiveBench",
    "math_level_5": "MATH Level 5",
    "metr_time_horizons": "METR Time Horizons",
    "mmlu": "MMLU",
    "open_book_qa": "OpenBookQA",
    "os_world": "OSWorld",
    "otis_mock_aime_2024_2025": "OTIS Mock AIME 2024-2025",
    "piqa": "PIQA",
    "posttrainbench": "PostTrainBench",
    "science_qa": "ScienceQA",
    "simplebench": "SimpleBench",
    "simpleqa_verified": "SimpleQA Verified",
    "superglue": "SuperGLUE",
    "swe_bench_bash": "SWE-bench Bash Only",
    "swe_bench_verified": "SWE-bench Verified",
    "terminalbench": "Terminal-Bench",
    "the_agent_company": "TheAgentCompany",
    "trivia_qa": "TriviaQA",
    "video_mme": "Video-MME",
    "vpct": "VPCT",
    "webdev_arena": "WebDev Arena",
    "weirdml": "WeirdML",
    "wino_grande": "WinoGrande",
}
"""Display names of the hub's benchmarks, by file name without ``_external.csv``."""

_FLOAT_NOISE: Final = 1e-12  # relative error of a float that should have been a whole number

_ACCESSIBILITY: Final[dict[str, Accessibility]] = {
    "open weights (unrestricted)": Accessibility.OPEN_WEIGHTS,
    "open weights (restricted use)": Accessibility.OPEN_WEIGHTS_RESTRICTED,
    "open weights (non-commercial)": Accessibility.OPEN_WEIGHTS_RESTRICTED,
    "api access": Accessibility.API,
    "hosted access (no api)": Accessibility.HOSTED,
    "unreleased": Accessibility.UNRELEASED,
}


# Hub columns that say when a score was measured, best first. "Release date" is the
# model's release, and terminalbench's "Created" is when Epoch entered the row: neither is.
_MEASURED_COLUMNS: Final = (
    "Started at",
    "Date of evaluation",
    "Evaluation date",
    "Date run",
    "Run date",
    "Date",
    "Date added",
    "Last updated",
)
_RECORD_ID_COLUMNS: Final = ("id", "ID", "UUID")

_PROVIDER_PREFIX: Final = re.compile(r"^[A-Za-z0-9_.-]+/(?=.)")
_EFFORT_SUFFIX: Final = re.compile(r"_(?:minimal|low|medium|high|xhigh|max|\d+k)$", re.IGNORECASE)


class EpochFormatError(ValueError):
    """Raised when a file is not in the Epoch layout at all, rather than having bad rows."""


# --------------------------------------------------------------------------- report


# --------------------------------------------------------------------------- names and keys


def model_slug(name: str) -> str:
    """Slug of a model name, reading "+" as "plus" so "PointNet++" and "PointNet" stay apart."""
    return slugify(name.replace("+", " plus "))


def name_key(text: str) -> str:
    """A loose model-name key, the slug without "-" and ".": "Qwen 2.5 Max" == "qwen2.5-max"."""
    # Also "claude-3-5-sonnet" == "Claude 3.5 Sonnet". Raises ValueError like slugify.
    return model_slug(text).replace("-", "").replace(".", "")


_CORPORATE_SUFFIXES: Final = frozenset(
    {"ai", "inc", "corp", "corporation", "co", "ltd", "llc", "group", "platforms"}
)


def organization_key(text: str) -> str:
    """A loose organization-name key: name_key without a trailing corporate word, so
    "Mistral AI" == "Mistral" and "Meta Platforms, Inc." == "Meta AI"; one word stays whole."""
    words = text.replace(",", " ").replace("-", " ").split()
    while len(words) > 1 and words[-1].casefold().rstrip(".") in _CORPORATE_SUFFIXES:
        words.pop()
    return name_key(" ".join(words))


class NameLookup(dict[str, str]):
    """name_key -> slug, and beside it ``verbatim``: each name or alias as written (case
    folded) -> slug, so a match can be told apart as an alias rather than a normalised key."""

    def __init__(self, keys: dict[str, str], verbatim: dict[str, str]) -> None:
        """The key map and the verbatim-text map."""
        super().__init__(keys)
        self.verbatim = verbatim


def model_lookup(
    models: Iterable[tuple[str, Iterable[str]]], key_of: Callable[[str], str] = name_key
) -> NameLookup:
    """Build resolve_models' ``known`` from (slug, names and aliases) of the graph's models
    (or of organizations, with ``key_of=organization_key``)."""
    # A key shared by several models is dropped, unless it is exactly one model's own slug;
    # a verbatim text shared by several is dropped the same way.
    owners: dict[str, set[str]] = {}
    own: dict[str, set[str]] = {}
    said: dict[str, set[str]] = {}
    for slug, names in models:
        for text in names:
            said.setdefault(text.strip().casefold(), set()).add(slug)
        for text in (slug, *names):
            try:
                key = key_of(text)
            except ValueError:
                continue
            owners.setdefault(key, set()).add(slug)
        try:
            own.setdefault(key_of(slug), set()).add(slug)
        except ValueError:
            continue
    known: dict[str, str] = {}
    for key, slugs in owners.items():
        if len(slugs) == 1:
            known[key] = next(iter(slugs))
        elif len(own.get(key, ())) == 1:
            known[key] = next(iter(own[key]))
    verbatim = {text: next(iter(slugs)) for text, slugs in said.items() if len(slugs) == 1}
    return NameLookup(known, verbatim)


# --------------------------------------------------------------------------- csv


# --------------------------------------------------------------------------- organizations


# --------------------------------------------------------------------------- models file


@dataclass(slots=True)
class _PendingModel:
    """A model row read but not yet checked against the other rows of the file."""

    row: str
    fields: dict[str, Any]
    model: Model
    """The model as validated without its bases (what it is when it has none)."""
    bases: list[str]
    release: dict[str, Any] | None
    link: Source | None


def _parameters(text: str, report: Collector, where: str) -> int | None:
    """Parameter counts written as floats ("405000000000.0", "2.84e11") read as whole numbers."""
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        report.skip("parameters: not a number", f"{where}: {text!r}")
        return None
    if not math.isfinite(number) or number < 0 or number >= 2**63:
        report.skip("parameters: out of range", f"{where}: {text!r}")
        return None
    if number.is_integer():
        return int(number)
    whole = round(number)
    if abs(number - whole) <= _FLOAT_NOISE * number:  # "256999999.99999997" is 2.57e8
        report.skip("parameters: float noise rounded to a whole number", f"{where}: {text!r}")
        return whole
    report.skip("parameters: not a whole number", f"{where}: {text!r}")
    return None


def _compute(text: str, report: Collector, where: str) -> float | None:
    """A training-compute FLOP figure, such as "3.8e+25"."""
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        report.skip("training compute: not a number", f"{where}: {text!r}")
        return None
    if not math.isfinite(number) or number < 0:
        report.skip("training compute: out of range", f"{where}: {text!r}")
        return None
    return number


def _accessibility(text: str, report: Collector, where: str) -> Accessibility | None:
    """Epoch's "Model accessibility" wording as an Accessibility."""
    if not text:
        return None
    value = _ACCESSIBILITY.get(text.casefold())
    if value is None:
        report.skip("model accessibility: unknown value", f"{where}: {text!r}")
    return value


def _past_date(text: str, what: str, report: Collector, where: str) -> dt.date | None:
    """A date that has happened, or None (reported) when it is malformed or in the future."""
    if not text:
        return None
    date = iso_date(text)
    if date is None:
        report.skip(f"{what}: not a date", f"{where}: {text!r}")
        return None
    if date > dt.date.today():
        report.skip(f"{what}: in the future", f"{where}: {text!r}")
        return None
    return date


def parse_epoch_models(path: Path) -> ImportBatch:
    """Read Epoch's Notable, Frontier or Large-scale AI models CSV into an ImportBatch."""
    header, rows = read_csv(path)
    if "Model" not in header:
        raise EpochFormatError(f"{path}: no 'Model' column; not an Epoch AI models file")
    report = Collector(str(path))
    organizations = Organizations(report)
    sources: dict[str, Source] = {MODELS_SOURCE.url: MODELS_SOURCE}
    pending: list[_PendingModel] = []
    names: dict[str, str] = {}  # slug -> name, to find duplicates and base models

    for number, row in enumerate(rows, start=1):
        name = clean(row.get("Model"))
        where = f"row {number}" + (f" ({name})" if name else "")
        if not name:
            report.skip("row without a model name", where)
            continue
        try:
            slug = model_slug(name)
        except ValueError:
            report.skip("model name without letters or digits", where)
            continue
        if slug in names:
            report.skip("model listed twice", f"{where}: same slug as {names[slug]!r}")
            continue
        developers = organizations.add_row(
            row.get("Organization", ""),
            row.get("Country (of organization)", ""),
            row.get("Organization categorization", ""),
            where,
        )
        released = _past_date(clean(row.get("Publication date")), "publication date", report, where)
        fields: dict[str, Any] = {
            "slug": slug,
            "name": name,
            "developers": developers,
            "parameters": _parameters(clean(row.get("Parameters")), report, where),
            "training_compute_flop": _compute(
                clean(row.get("Training compute (FLOP)")), report, where
            ),
            "modalities": split_cell(row.get("Domain")),
            "accessibility": _accessibility(clean(row.get("Model accessibility")), report, where),
            "released_on": released,
        }
        try:
            model = Model.model_validate(fields)
        except ValidationError as exc:
            report.skip("invalid model", f"{where}: {error_text(exc)}")
            continue
        names[slug] = name

        release: dict[str, Any] | None = None
        link: Source | None = None
        if not developers:
            report.skip("no release: no organization", where)
        elif released is None:
            report.skip("no release: no valid publication date", where)
        else:
            reference = clean(row.get("Reference"))
            link_text = row.get("Link", "")
            link = source_for(first_url(link_text), reference)
            if link is None:
                reason = "link: not a URL" if link_text.strip() else "link: empty"
                report.skip(reason + " (the release cites only the Epoch page)", where)
            release = {
                "slug": f"epoch-{slug}",
                "title": reference or name,
                "date": released,
                "announced_by": developers,
                "introduced": [slug],
                "sources": [link.url, MODELS_SOURCE.url] if link else [MODELS_SOURCE.url],
            }
        pending.append(
            _PendingModel(where, fields, model, split_cell(row.get("Base model")), release, link)
        )

    models: list[Model] = []
    releases: list[Release] = []
    unresolved: list[tuple[str, str]] = []
    for item in pending:
        slug = item.fields["slug"]
        derived: list[str] = []
        for base in item.bases:
            try:
                base_slug = model_slug(base)
            except ValueError:
                report.skip("base model: no letters or digits", f"{item.row}: {base!r}")
                continue
            if base_slug == slug:
                report.skip("base model: the model itself", f"{item.row}: {base!r}")
            elif base_slug in names:
                derived.append(base_slug)
            else:
                report.skip("base model: not in this file (left to resolve_models)", item.row)
                unresolved.append((slug, base))
        if derived:
            models.append(Model.model_validate({**item.fields, "derived_from": derived}))
        else:
            models.append(item.model)
        if item.release is not None:
            try:
                releases.append(Release.model_validate(item.release))
            except ValidationError as exc:
                report.skip("no release: invalid", f"{item.row}: {error_text(exc)}")
            else:
                if item.link is not None:
                    sources.setdefault(item.link.url, item.link)

    dataset = Dataset(
        sources=list(sources.values()),
        organizations=organizations.records(),
        models=models,
        releases=releases,
    )
    return ImportBatch(
        dataset=dataset,
        report=report.report(rows_read=len(rows), rows_used=len(models)),
        unresolved_bases=tuple(unresolved),
    )


# --------------------------------------------------------------------------- benchmarking hub


@dataclass(frozen=True, slots=True)
class _Layout:
    """Which columns of one hub file hold what."""

    benchmark: Benchmark
    score: str
    measured: str | None
    source: str | None
    link: str | None
    epoch_run: bool
    settings: tuple[str, ...]
    """Columns between the model and the score (scaffold, agent, tools) plus record ids."""


def _layout(path: Path, header: list[str]) -> _Layout | str:
    """How to read a hub file, or why it is not a per-benchmark results table."""
    if "Model version" not in header or "Release date" not in header:
        return "not a per-benchmark results table (no 'Model version' and 'Release date')"
    if "Model name" in header:
        return (
            "the Epoch Capabilities Index, a composite of other benchmarks, not a benchmark "
            "(used only to map model versions to model names)"
        )
    release_at = header.index("Release date")
    score = "mean_score" if "mean_score" in header else header[release_at - 1]
    if score == "Model version":
        return "no score column before 'Release date'"
    stem = _csv_stem(path).removesuffix("_external")
    try:
        benchmark = Benchmark(
            slug=slugify(stem),
            name=BENCHMARK_NAMES.get(stem) or stem.replace("_", " ").title(),
            metric=score,
        )
    except ValueError as exc:  # ValidationError is a ValueError
        return f"no benchmark from the file name: {exc}"
    model_at = header.index("Model version")
    between = (
        tuple(header[model_at + 1 : header.index(score)]) if header.index(score) > model_at else ()
    )
    return _Layout(
        benchmark=benchmark,
        score=score,
        measured=next((name for name in _MEASURED_COLUMNS if name in header), None),
        source="Source" if "Source" in header else None,
        link=next((name for name in header if name.casefold().startswith("source link")), None),
        epoch_run="Log viewer" in header,
        settings=between + tuple(name for name in _RECORD_ID_COLUMNS if name in header),
    )


def _csv_stem(path: Path) -> str:
    """A CSV file's name without ".csv" or ".csv.gz"."""
    return path.name.removesuffix(".gz").removesuffix(".csv")


def csv_files(directory: Path) -> list[Path]:
    """The CSV files of a folder and its subfolders, plain or gzipped, in name order."""
    return sorted(path for path in directory.rglob("*") if path.name.endswith((".csv", ".csv.gz")))


def _version_names(directory: Path) -> dict[str, str]:
    """Model version (API id) -> Epoch model name, from the capabilities index if present."""
    path = next(
        (p for p in csv_files(directory) if _csv_stem(p) == "epoch_capabilities_index"), None
    )
    if path is None or path.parent != directory:
        return {}
    header, rows = read_csv(path)
    if "Model version" not in header or "Model name" not in header:
        return {}
    names: dict[str, str] = {}
    for row in rows:
        version, name = clean(row.get("Model version")), clean(row.get("Model name"))
        if version and name:
            names.setdefault(version, name)
    return names


def _fallback_name(version: str) -> str:
    """A model name from an unmapped version id: provider prefix and effort suffix removed."""
    return _EFFORT_SUFFIX.sub("", _PROVIDER_PREFIX.sub("", version)) or version


class _HubModels:
    """Models named by hub rows, with every version id seen as an alias."""

    def __init__(self) -> None:
        """Start with none."""
        self.fields: dict[str, dict[str, Any]] = {}

    def add(self, slug: str, name: str, version: str, developers: list[str]) -> None:
        """Note one row's model version."""
        fields = self.fields.setdefault(
            slug, {"slug": slug, "name": name, "aliases": [], "developers": []}
        )
        if version != fields["name"] and version not in fields["aliases"]:
            fields["aliases"].append(version)
        fields["developers"].extend(org for org in developers if org not in fields["developers"])

    def records(self) -> list[Model]:
        """The Model records."""
        return [Model.model_validate(fields) for fields in self.fields.values()]


def parse_epoch_benchmarks(directory: Path) -> ImportBatch:
    """Read the Benchmarking Hub's per-benchmark CSVs in a folder into an ImportBatch."""
    if not directory.is_dir():
        raise EpochFormatError(f"{directory}: not a folder")
    report = Collector(str(directory))
    organizations = Organizations(report)
    models = _HubModels()
    version_names = _version_names(directory)
    sources: dict[str, Source] = {BENCHMARKS_SOURCE.url: BENCHMARKS_SOURCE}
    benchmarks: list[Benchmark] = []
    results: dict[str, Result] = {}
    rows_read = 0

    for path in csv_files(directory):
        relative = path.relative_to(directory).as_posix()
        if path.parent != directory:
            report.skipped_files[relative] = "in a subfolder (model-fitting data, not results)"
            continue
        try:
            header, rows = read_csv(path)
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            report.skipped_files[relative] = f"cannot read: {exc}"
            continue
        layout = _layout(path, header)
        if isinstance(layout, str):
            report.skipped_files[relative] = layout
            continue
        if all(b.slug != layout.benchmark.slug for b in benchmarks):
            benchmarks.append(layout.benchmark)  # "x.csv" and "x_external.csv" share one
        rows_read += len(rows)
        for number, row in enumerate(rows, start=1):
            version = clean(row.get("Model version"))
            where = f"{path.name} row {number}" + (f" ({version})" if version else "")
            if not version:
                report.skip("result: no model version (only the source's own name)", where)
                continue
            score = parse_score(clean(row.get(layout.score)), report, where)
            if score is None:
                continue
            measured = (
                _past_date(clean(row.get(layout.measured)), "measurement date", report, where)
                if layout.measured
                else None
            )
            source_name = clean(row.get(layout.source)) if layout.source else ""
            link = source_for(first_url(row.get(layout.link)) if layout.link else None, source_name)
            name = version_names.get(version) or _fallback_name(version)
            try:
                slug = model_slug(name)
                Model(slug=slug, name=name, aliases=[version])
            except (ValueError, ValidationError):
                report.skip("result: model version gives no valid model", where)
                continue
            developers = organizations.add_row(
                row.get("Organization", ""), row.get("Country", ""), "", where
            )
            parts = [
                layout.benchmark.slug,
                version,
                link.url if link else source_name or "epoch",
                measured.isoformat() if measured else "",
                repr(score),
                *(clean(row.get(column)) for column in layout.settings),
            ]
            result_id = record_id("epoch", parts)
            if result_id in results:
                report.skip("result: duplicate row", where)
                continue
            cited = [link.url] if link else []
            try:
                result = Result(
                    id=result_id,
                    model=slug,
                    benchmark=layout.benchmark.slug,
                    score=score,
                    measured_on=measured,
                    evaluator="Epoch AI" if layout.epoch_run else source_name or None,
                    sources=[*cited, BENCHMARKS_SOURCE.url],
                )
            except ValidationError as exc:
                report.skip("result: invalid", f"{where}: {error_text(exc)}")
                continue
            if link:
                sources.setdefault(link.url, link)
            models.add(slug, name, version, developers)
            results[result_id] = result

    dataset = Dataset(
        sources=list(sources.values()),
        organizations=organizations.records(),
        models=models.records(),
        benchmarks=benchmarks,
        results=list(results.values()),
    )
    return ImportBatch(dataset=dataset, report=report.report(rows_read, len(results)))
