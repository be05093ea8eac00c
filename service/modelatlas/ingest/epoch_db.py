"""Epoch AI's 2025-04 relational benchmarking export as a Dataset: runs, versions, developers.

Pure parsing, no database access. The export (``benchmark_data.zip`` of 2025-04-10) has a
run table (``benchmarks_runs``), a model-version table (``model_versions``: API id -> Epoch
model name) and an organization table whose ``All ML Systems`` lists the models each
organization built. Every run becomes a Result citing its evaluation log and the Benchmarking
Hub page, on a Benchmark whose slug matches the Benchmarking Hub importer's. Rows that cannot
be mapped are counted in the :class:`ImportReport`, never raised.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from pydantic import ValidationError

from modelatlas.domain import Benchmark, Dataset, Model, Result, Source, slugify
from modelatlas.ingest.epoch import (
    BENCHMARK_NAMES,
    BENCHMARKS_SOURCE,
    EpochFormatError,
    _fallback_name,
    model_slug,
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

__all__ = ["LOG_TITLE", "METRIC", "parse_epoch_db", "task_benchmark"]

METRIC: Final = "Best score (across scorers)"
"""The run table's score column, and the metric of every Benchmark of the export."""

LOG_TITLE: Final = "Epoch AI evaluation log"
"""The title of the Source made from a run's ``log viewer`` link."""

_RUNS: Final = "benchmarks_runs"
_VERSIONS: Final = "model_versions"
_ORGANIZATIONS: Final = "organizations"
_RUN_COLUMNS: Final = ("id", "task", "model", METRIC)

# "FrontierMath-2025-02-28-Private": one benchmark, the split kept apart in the result id.
_SPLIT_TASK: Final = re.compile(r"^(?P<name>.+?)-\d{4}-\d{2}-\d{2}-(?P<split>Private|Public)$")


def _table(directory: Path, name: str) -> Path | None:
    """A table of the export, plain ``name.csv`` or gzipped ``name.csv.gz``; None if absent."""
    for candidate in (directory / f"{name}.csv", directory / f"{name}.csv.gz"):
        if candidate.is_file():
            return candidate
    return None


def task_benchmark(task: str) -> tuple[Benchmark, str] | None:
    """The Benchmark of a run's task and its split ("" if none), or None for an unknown task."""
    match = _SPLIT_TASK.match(task)
    name, split = (match["name"], match["split"]) if match else (task, "")
    try:
        key = slugify(name).replace("-", "_").replace(".", "_")
    except ValueError:
        return None
    if key not in BENCHMARK_NAMES:
        return None
    return Benchmark(slug=slugify(key), name=BENCHMARK_NAMES[key], metric=METRIC), split


@dataclass(slots=True)
class _Version:
    """One row of model_versions: the Epoch model name and the version's release date."""

    name: str
    released: str


@dataclass(slots=True)
class _ModelFields:
    """A model gathered over the runs of its versions."""

    name: str
    aliases: list[str] = field(default_factory=list)
    released: set[str] = field(default_factory=set)


def _versions(path: Path) -> dict[str, _Version]:
    """Version id -> its model name (may be "") and release date, from model_versions."""
    header, rows = read_csv(path)
    if "id" not in header or "Model" not in header:
        raise EpochFormatError(f"{path}: no 'id' and 'Model' columns; not Epoch's model_versions")
    versions: dict[str, _Version] = {}
    for row in rows:
        version = clean(row.get("id"))
        if version:
            versions.setdefault(
                version, _Version(clean(row.get("Model")), clean(row.get("Version release date")))
            )
    return versions


class _Developers:
    """Model name -> the organizations.csv rows whose ``All ML Systems`` names it."""

    def __init__(self, path: Path | None, organizations: Organizations) -> None:
        """Index the organization table (none when the export has no such table)."""
        self.organizations = organizations
        self.rows: list[dict[str, str]] = []
        self.exact: dict[str, list[int]] = {}
        self.loose: dict[str, list[int]] = {}
        self.slugs: dict[int, list[str]] = {}
        if path is None:
            return
        _, self.rows = read_csv(path)
        for number, row in enumerate(self.rows):
            for name in split_cell(row.get("All ML Systems")):
                self.exact.setdefault(name, []).append(number)
                # "Tulu V2 DPO 70B, Tulu 3 (Tülu 3) 70B" is two names run together.
                for part in name.split(", "):
                    if part != name and part.strip():
                        self.loose.setdefault(part.strip(), []).append(number)

    def of(self, name: str) -> list[str]:
        """Slugs of the organizations that built the model, each organization noted once."""
        slugs: list[str] = []
        for number in self.exact.get(name) or self.loose.get(name) or []:
            if number not in self.slugs:
                row = self.rows[number]
                self.slugs[number] = self.organizations.add_row(
                    row.get("Organization", ""),
                    row.get("Country", ""),
                    row.get("Organization categorization", ""),
                    f"{_ORGANIZATIONS} row {number + 1}",
                )
            slugs.extend(slug for slug in self.slugs[number] if slug not in slugs)
        return slugs


def _released(model: _ModelFields, report: Collector) -> dt.date | None:
    """The earliest valid version release date of a model, or None."""
    dates: list[dt.date] = []
    for text in sorted(model.released):
        date = iso_date(text)
        if date is None:
            report.skip("version release date: not a date", f"{model.name}: {text!r}")
        elif date > dt.date.today():
            report.skip("version release date: in the future", f"{model.name}: {text!r}")
        else:
            dates.append(date)
    return min(dates, default=None)


def _log_source(text: str, report: Collector, where: str) -> Source | None:
    """The Source of a run's ``log viewer`` link, or None (reported unless the cell is empty)."""
    if not text:
        return None
    link = source_for(first_url(text), LOG_TITLE)
    if link is None:
        report.skip("log viewer: not a URL (the result cites only the Epoch page)", where)
        return None
    return link.model_copy(update={"publisher": BENCHMARKS_SOURCE.publisher})


def parse_epoch_db(directory: Path) -> ImportBatch:
    """Read the 2025-04 relational export (runs, model versions, organizations) into a batch."""
    if not directory.is_dir():
        raise EpochFormatError(f"{directory}: not a folder")
    runs_path = _table(directory, _RUNS)
    if runs_path is None:
        raise EpochFormatError(
            f"{directory}: no {_RUNS}.csv or {_RUNS}.csv.gz; not Epoch's relational export"
        )
    versions_path = _table(directory, _VERSIONS)
    if versions_path is None:
        raise EpochFormatError(
            f"{directory}: no {_VERSIONS}.csv or {_VERSIONS}.csv.gz to name the runs' models"
        )
    header, rows = read_csv(runs_path)
    missing = [column for column in _RUN_COLUMNS if column not in header]
    if missing:
        raise EpochFormatError(f"{runs_path}: no {', '.join(map(repr, missing))} column")
    versions = _versions(versions_path)
    report = Collector(str(directory))
    organizations = Organizations(report)
    developers = _Developers(_table(directory, _ORGANIZATIONS), organizations)
    sources: dict[str, Source] = {BENCHMARKS_SOURCE.url: BENCHMARKS_SOURCE}
    benchmarks: dict[str, Benchmark] = {}
    models: dict[str, _ModelFields] = {}
    results: dict[str, Result] = {}
    run_ids: set[str] = set()

    for number, row in enumerate(rows, start=1):
        run = clean(row.get("id"))
        version = clean(row.get("model"))
        where = f"{runs_path.name} row {number}" + (f" ({run})" if run else "")
        if not run:
            report.skip("result: no run id", where)
            continue
        if run in run_ids:
            report.skip("result: duplicate run id", where)
            continue
        run_ids.add(run)
        if not version:
            report.skip("result: no model version", where)
            continue
        task = clean(row.get("task"))
        mapped = task_benchmark(task)
        if mapped is None:
            report.skip("result: unknown task", f"{where}: {task!r}")
            continue
        benchmark, split = mapped
        if version not in versions:
            report.skip("result: model version not in model_versions", f"{where}: {version!r}")
            continue
        score = parse_score(clean(row.get(METRIC)), report, where)
        if score is None:
            continue
        name = versions[version].name or _fallback_name(version)
        try:
            slug = model_slug(name)
            Model(slug=slug, name=name, aliases=[version])
        except (ValueError, ValidationError):
            report.skip("result: model version gives no valid model", f"{where}: {version!r}")
            continue
        log = _log_source(clean(row.get("log viewer")), report, where)
        try:
            result = Result(
                id=record_id("epoch-db", [run, split] if split else [run]),
                model=slug,
                benchmark=benchmark.slug,
                score=score,
                measured_on=None,
                evaluator="Epoch AI",
                sources=[log.url, BENCHMARKS_SOURCE.url] if log else [BENCHMARKS_SOURCE.url],
            )
        except ValidationError as exc:
            report.skip("result: invalid", f"{where}: {error_text(exc)}")
            continue
        if log is not None:
            sources.setdefault(log.url, log)
        benchmarks.setdefault(benchmark.slug, benchmark)
        fields = models.setdefault(slug, _ModelFields(name))
        if version != fields.name and version not in fields.aliases:
            fields.aliases.append(version)
        results[result.id] = result

    # A model's release is its earliest version's, over every version the export lists.
    for version, info in versions.items():
        try:
            slug = model_slug(info.name or _fallback_name(version))
        except ValueError:
            continue
        if slug in models and info.released:
            models[slug].released.add(info.released)
    records: list[Model] = []
    for slug, fields in models.items():
        built_by = developers.of(fields.name)
        if not built_by:
            report.skip("model: no organization lists it in All ML Systems", fields.name)
        records.append(
            Model(
                slug=slug,
                name=fields.name,
                aliases=fields.aliases,
                developers=built_by,
                released_on=_released(fields, report),
            )
        )

    dataset = Dataset(
        sources=list(sources.values()),
        organizations=organizations.records(),
        models=records,
        benchmarks=list(benchmarks.values()),
        results=list(results.values()),
    )
    return ImportBatch(dataset=dataset, report=report.report(len(rows), len(results)))
